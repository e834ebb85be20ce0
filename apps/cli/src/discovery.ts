import { resolve } from 'node:path';
import { loadRegistry as loadHostRegistry, type PluginProblem, type Registry } from '@lsconv/core';
import type { CliIo } from './io.js';
import { cliPackageDir } from './package-info.js';

/**
 * Loads the registry with core's one loader (`loadRegistry`): the host is the package
 * whose bin started the CLI (`io.host`: `@lsconv/cli` itself, or the `lsconv` meta
 * package), whose package.json says which packages are plugins. With `--plugin`, exactly
 * those packages are loaded instead. `format` loads only what provides that format
 * (core's `loadRegistry` option of the same name).
 */
export async function loadRegistry(
  io: CliIo,
  plugins: readonly string[],
  format?: string,
): Promise<Registry> {
  const host = io.host ?? cliPackageDir();
  // With a format named, only the packages that provide it are imported (a quick start).
  const only = format === undefined ? {} : { format };
  if (plugins.length)
    return loadHostRegistry({ host, cwd: io.cwd, explicit: plugins.map((p) => pluginSpec(io, p)), ...only });
  return loadHostRegistry({ host, cwd: io.cwd, ...only });
}

/**
 * A `--plugin` value as core expects it: package names (`lsconv-format-x`,
 * `@scope/lsconv-format-x`) stay names; anything else that looks like a path
 * (`plugins/mine`, `./mine`, `C:\\mine`) becomes an absolute folder.
 */
export function pluginSpec(io: CliIo, spec: string): string {
  const isName = /^(@[^/\\]+\/)?[^/\\.][^/\\]*$/.test(spec);
  return isName ? spec : resolve(io.cwd, spec);
}

/** `pkg: reason; pkg2: reason` for error hints. */
export function describeProblems(problems: readonly PluginProblem[]): string {
  return problems.map((p) => `${p.package}: ${p.reason}`).join('; ');
}
