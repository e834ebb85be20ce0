import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import semver from 'semver';
import { builtinFormats } from './builtin/index.js';
import { LsconvError } from './errors.js';
import {
  type FormatDefinition,
  type ImporterDefinition,
  isFormatDefinition,
  isImporterDefinition,
  PLUGIN_API_VERSION,
} from './format.js';

/** The version of this copy of `@lsconv/core`. */
export const CORE_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;

/** Where a format or importer came from. */
export interface PluginOrigin {
  /** The npm package name (`@lsconv/core` for built-ins). */
  package: string;
  /** Its version. */
  version: string;
  /** Its folder. */
  dir?: string;
  /** File URL of its plugin entry module: worker threads import the formats from it. */
  entry?: string;
}

/** A plugin that could not be used, and why. */
export interface PluginProblem {
  package: string;
  dir?: string;
  code: 'PLUGIN_LOAD' | 'PLUGIN_INCOMPATIBLE';
  reason: string;
}

/** The formats and importers a host can use. */
export interface Registry {
  /** Formats by id, in discovery order. */
  readonly formats: ReadonlyMap<string, { format: FormatDefinition<any>; origin: PluginOrigin }>;
  /** Importers by id. */
  readonly importers: ReadonlyMap<string, { importer: ImporterDefinition<any>; origin: PluginOrigin }>;
  /** Plugins that were skipped, with the reason. */
  readonly problems: readonly PluginProblem[];
  /** A format by id, case-insensitively; throws UNKNOWN_FORMAT naming the known ones. */
  format(id: string): FormatDefinition<any>;
  /** An importer by id, case-insensitively. */
  importer(id: string): ImporterDefinition<any>;
}

/** Options of {@link discoverPlugins}. */
export interface DiscoverOptions {
  /** Folder to start from: its workspace and its nearest package.json are searched. Default: the current folder. */
  cwd?: string;
  /** More host folders whose package.json dependencies are searched (e.g. the CLI's own install). */
  hosts?: readonly string[];
  /**
   * Load exactly these plugin packages (names resolvable from `cwd`, or folders),
   * instead of discovering. Built-in formats are always there.
   */
  explicit?: readonly string[];
  /** Search the pnpm/npm workspace around `cwd` (default true). */
  workspace?: boolean;
}

/** Names a host dependency must match to be looked at (oclif-style: never glob node_modules). */
export const PLUGIN_NAME_PATTERN =
  /^(?:@lsconv\/(?!core$|testkit$|cli$|server$)[a-z0-9-]+|lsconv-format-[a-z0-9._-]+|@[a-z0-9._-]+\/lsconv-format-[a-z0-9._-]+)$/;

interface Candidate {
  name: string;
  dir: string;
}

/**
 * Finds the format and importer plugins a host can use: workspace packages and the
 * host's declared dependencies that carry the `lsconv` marker in their package.json
 * (`"lsconv": { "plugins": "./dist/index.js" }`), or an explicit list. Checks each
 * plugin's `@lsconv/core` peer range against this core; a broken or incompatible
 * plugin is listed in `problems` and skipped, the others load.
 */
export async function discoverPlugins(options: DiscoverOptions = {}): Promise<Registry> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const candidates: Candidate[] = [];
  const problems: PluginProblem[] = [];
  const seenDirs = new Set<string>();
  const add = (candidate: Candidate) => {
    let real = resolve(candidate.dir);
    try {
      real = realpathSync(real);
    } catch {
      // keep the path as given
    }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    candidates.push({ ...candidate, dir: real });
  };
  if (options.explicit) {
    for (const spec of options.explicit) {
      const dir = resolvePackageDir(spec, cwd);
      if (dir) add({ name: readJson(join(dir, 'package.json'))?.name ?? spec, dir });
      else
        problems.push({
          package: spec,
          code: 'PLUGIN_LOAD',
          reason: `cannot find the package "${spec}" from ${cwd}`,
        });
    }
  } else {
    if (options.workspace !== false) for (const c of workspacePackages(cwd)) add(c);
    for (const host of [cwd, ...(options.hosts ?? [])]) {
      for (const c of dependencyPackages(host)) add(c);
    }
  }
  const formats = new Map<string, { format: FormatDefinition<any>; origin: PluginOrigin }>();
  const importers = new Map<string, { importer: ImporterDefinition<any>; origin: PluginOrigin }>();
  for (const format of builtinFormats)
    formats.set(format.id, { format, origin: { package: '@lsconv/core', version: CORE_VERSION } });
  for (const candidate of candidates) {
    const loaded = await loadPlugin(candidate);
    if ('problem' in loaded) {
      problems.push(loaded.problem);
      continue;
    }
    for (const format of loaded.formats) {
      const existing = formats.get(format.id);
      if (existing) {
        problems.push({
          package: candidate.name,
          dir: candidate.dir,
          code: 'PLUGIN_LOAD',
          reason: `format ${format.id} is already provided by ${existing.origin.package}; this one is ignored`,
        });
        continue;
      }
      formats.set(format.id, { format, origin: loaded.origin });
    }
    for (const importer of loaded.importers) {
      if (!importers.has(importer.id)) importers.set(importer.id, { importer, origin: loaded.origin });
    }
  }
  return {
    formats,
    importers,
    problems,
    format(id) {
      const entry =
        formats.get(id) ?? [...formats.values()].find((f) => f.format.id.toLowerCase() === id.toLowerCase());
      if (!entry) {
        throw new LsconvError('UNKNOWN_FORMAT', `unknown format "${id}"`, {
          hint: `installed formats: ${[...formats.keys()].join(', ')}`,
        });
      }
      return entry.format;
    },
    importer(id) {
      const entry = importers.get(id.toLowerCase());
      if (!entry) {
        throw new LsconvError('UNKNOWN_FORMAT', `unknown importer "${id}"`, {
          hint: importers.size
            ? `installed importers: ${[...importers.keys()].join(', ')}`
            : 'no importer is installed',
        });
      }
      return entry.importer;
    },
  };
}

async function loadPlugin(
  candidate: Candidate,
): Promise<
  | { problem: PluginProblem }
  | { formats: FormatDefinition<any>[]; importers: ImporterDefinition<any>[]; origin: PluginOrigin }
> {
  const problem = (code: PluginProblem['code'], reason: string) => ({
    problem: { package: candidate.name, dir: candidate.dir, code, reason },
  });
  const pkg = readJson(join(candidate.dir, 'package.json'));
  if (!pkg) return problem('PLUGIN_LOAD', 'its package.json cannot be read');
  const marker = pkg.lsconv;
  if (!marker || typeof marker.plugins !== 'string') {
    return problem('PLUGIN_LOAD', 'its package.json has no "lsconv": { "plugins": "<entry>" } marker');
  }
  const range = pkg.peerDependencies?.['@lsconv/core'] ?? pkg.dependencies?.['@lsconv/core'];
  if (typeof range === 'string' && !range.startsWith('workspace:') && semver.validRange(range)) {
    if (!semver.satisfies(CORE_VERSION, range, { includePrerelease: true })) {
      return problem('PLUGIN_INCOMPATIBLE', `it needs @lsconv/core ${range}, this is ${CORE_VERSION}`);
    }
  }
  const entry = resolve(candidate.dir, marker.plugins);
  if (!entry.startsWith(candidate.dir))
    return problem('PLUGIN_LOAD', `its plugin entry ${marker.plugins} is outside the package`);
  if (!existsSync(entry)) {
    return problem(
      'PLUGIN_LOAD',
      `its plugin entry ${marker.plugins} does not exist (is the package built?)`,
    );
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    return problem('PLUGIN_LOAD', `loading ${marker.plugins} failed: ${message.split('\n')[0]}`);
  }
  const formats: FormatDefinition<any>[] = [];
  const importers: ImporterDefinition<any>[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (isFormatDefinition(value)) {
      if (!formats.includes(value)) formats.push(value);
    } else if (isImporterDefinition(value)) {
      if (!importers.includes(value)) importers.push(value);
    }
  };
  for (const value of Object.values(module)) visit(value);
  const wrongApi = [...formats, ...importers].find((d) => d.apiVersion !== PLUGIN_API_VERSION);
  if (wrongApi) {
    return problem(
      'PLUGIN_INCOMPATIBLE',
      `it was built for plugin API ${wrongApi.apiVersion}, this core speaks ${PLUGIN_API_VERSION}`,
    );
  }
  if (formats.length === 0 && importers.length === 0) {
    return problem(
      'PLUGIN_LOAD',
      `${marker.plugins} exports no format or importer made with defineFormat/defineImporter`,
    );
  }
  return {
    formats,
    importers,
    origin: {
      package: pkg.name ?? candidate.name,
      version: pkg.version ?? '0.0.0',
      dir: candidate.dir,
      entry: pathToFileURL(entry).href,
    },
  };
}

function readJson(path: string): Record<string, any> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Workspace packages (pnpm-workspace.yaml or package.json "workspaces") around a folder that carry the marker. */
function workspacePackages(start: string): Candidate[] {
  let dir = start;
  for (;;) {
    const patterns = workspacePatterns(dir);
    if (patterns) {
      const out: Candidate[] = [];
      for (const pattern of patterns) {
        for (const pkgDir of expandPattern(dir, pattern)) {
          const pkg = readJson(join(pkgDir, 'package.json'));
          if (pkg?.lsconv && typeof pkg.name === 'string') out.push({ name: pkg.name, dir: pkgDir });
        }
      }
      return out;
    }
    const parent = dirname(dir);
    if (parent === dir) return [];
    dir = parent;
  }
}

function workspacePatterns(dir: string): string[] | undefined {
  const yaml = join(dir, 'pnpm-workspace.yaml');
  if (existsSync(yaml)) {
    const lines = readFileSync(yaml, 'utf8').split(/\r?\n/);
    const patterns: string[] = [];
    let inPackages = false;
    for (const line of lines) {
      if (/^packages\s*:/.test(line)) {
        inPackages = true;
        continue;
      }
      if (inPackages) {
        const m = /^\s+-\s*['"]?([^'"#]+?)['"]?\s*$/.exec(line);
        if (m) patterns.push(m[1]!);
        else if (/^\S/.test(line)) inPackages = false;
      }
    }
    return patterns;
  }
  const pkg = readJson(join(dir, 'package.json'));
  const workspaces = Array.isArray(pkg?.workspaces) ? pkg.workspaces : pkg?.workspaces?.packages;
  return Array.isArray(workspaces)
    ? workspaces.filter((w: unknown): w is string => typeof w === 'string')
    : undefined;
}

function expandPattern(root: string, pattern: string): string[] {
  if (pattern.startsWith('!')) return [];
  const clean = pattern.replace(/\/+$/, '');
  if (!clean.includes('*')) return existsSync(join(root, clean, 'package.json')) ? [join(root, clean)] : [];
  const star = clean.indexOf('*');
  const base = join(root, clean.slice(0, star).replace(/\/$/, ''));
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .sort()
    .map((name) => join(base, name))
    .filter((d) => {
      try {
        return statSync(d).isDirectory() && existsSync(join(d, 'package.json'));
      } catch {
        return false;
      }
    });
}

/** Declared dependencies of the nearest package.json that match the plugin name pattern. */
function dependencyPackages(start: string): Candidate[] {
  let dir = start;
  for (;;) {
    const pkg = readJson(join(dir, 'package.json'));
    if (pkg) {
      const names = new Set<string>();
      for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
        for (const name of Object.keys(pkg[field] ?? {})) if (PLUGIN_NAME_PATTERN.test(name)) names.add(name);
      }
      const out: Candidate[] = [];
      for (const name of names) {
        const found = resolvePackageDir(name, dir);
        if (found) out.push({ name, dir: found });
      }
      return out;
    }
    const parent = dirname(dir);
    if (parent === dir) return [];
    dir = parent;
  }
}

/** The folder of a package: a path, or a name looked up in node_modules folders upward from `from`. */
function resolvePackageDir(spec: string, from: string): string | undefined {
  if (spec.startsWith('.') || isAbsolute(spec)) {
    const dir = resolve(from, spec);
    return existsSync(join(dir, 'package.json')) ? dir : undefined;
  }
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', spec);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
