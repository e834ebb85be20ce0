import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { discoverPlugins, type PluginProblem, type Registry } from '@lsconv/core';
import type { CliIo } from './io.js';
import { cliPackageDir } from './package-info.js';

/**
 * The folders whose declared dependencies can provide plugins besides the current
 * folder: the CLI's own package, and every package that has the CLI in its
 * `node_modules` (a project or a meta package that installs the CLI together with
 * format packages). Both the real path and the path the CLI was started by are
 * walked, because package managers link packages from a store.
 */
export function hostFolders(): string[] {
  const own = cliPackageDir();
  const hosts = new Set<string>([own]);
  const starts = [own];
  try {
    starts.push(realpathSync(own));
  } catch {
    // keep the path as found
  }
  const invoked = process.argv[1];
  if (invoked && /(^|[\\/])(bin\.js|lsconv)$/.test(invoked)) starts.push(dirname(invoked));
  for (const start of starts) {
    let dir = start;
    for (;;) {
      const parent = dirname(dir);
      if (parent === dir) break;
      if (basename(dir) === 'node_modules' && existsSync(join(parent, 'package.json'))) hosts.add(parent);
      dir = parent;
    }
  }
  // A package the host depends on that itself depends on the CLI (the `lsconv` meta
  // package) ships formats as its dependencies; with a flat node_modules they sit beside it.
  for (const host of [...hosts]) {
    for (const name of declaredDependencies(host)) {
      const dir = findPackage(name, host);
      if (dir && declaredDependencies(dir).includes(CLI_PACKAGE)) hosts.add(dir);
    }
  }
  return [...hosts];
}

const CLI_PACKAGE = '@lsconv/cli';

function declaredDependencies(dir: string): string[] {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    return ['dependencies', 'optionalDependencies'].flatMap((field) =>
      Object.keys((pkg[field] as object | undefined) ?? {}),
    );
  } catch {
    return [];
  }
}

/** A dependency's folder, looked up in node_modules folders upward from `from`. */
function findPackage(name: string, from: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Loads the registry: the given plugin packages only (`--plugin`), else everything
 * discovered from the current folder, its workspace and the host folders.
 */
export async function loadRegistry(io: CliIo, plugins: readonly string[]): Promise<Registry> {
  if (plugins.length)
    return discoverPlugins({ cwd: io.cwd, explicit: plugins.map((p) => pluginSpec(io, p)) });
  return discoverPlugins({ cwd: io.cwd, hosts: hostFolders() });
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
