import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { builtinFormats, json } from './builtin/index.js';
import { LsconvError } from './errors.js';
import {
  type FormatDefinition,
  type ImporterDefinition,
  isFormatDefinition,
  isImporterDefinition,
  PLUGIN_API_VERSION,
} from './format.js';
import {
  type Candidate,
  declaredPlugins,
  installationOf,
  installedPlugins,
  isPlugin,
  matchesPattern,
  nearestPackageDir,
  pluginPatternsOf,
  readJson,
  resolvePackageDir,
  workspacePackages,
} from './plugin-discovery.js';

export { matchesPattern };

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

/** Options of {@link loadRegistry}. */
export interface LoadRegistryOptions {
  /**
   * The host's package folder: a bin passes its own package root. The `pluginPatterns`
   * of its package.json `lsconv` field say which packages are plugins
   * ({@link DEFAULT_PLUGIN_PATTERNS} when it declares none); plugins are looked for
   * among its dependencies, the dependencies of the project it is installed in, and,
   * in a global install (no project around it), the packages installed beside it.
   */
  host?: string;
  /** The current folder: its project's dependencies and its workspace are searched too. Default: `process.cwd()`. */
  cwd?: string;
  /**
   * Load exactly these plugin packages (names resolvable from `cwd`, or folders),
   * instead of discovering. Built-in formats are always there.
   */
  explicit?: readonly string[];
  /** Search the pnpm/npm workspace around `cwd` (default true). */
  workspace?: boolean;
  /**
   * Load only the plugins that provide this format id, as their package.json says
   * (`lsconv.formats`), so a one-format export imports one package: plugins that list
   * their formats and not this one are not imported. Plugins without the list load as
   * always; when no plugin lists the id, every plugin loads (the error then names what
   * is installed). Core's built-in formats are always there.
   */
  format?: string;
}

/**
 * Which package names are plugins when a host's package.json declares no
 * `lsconv.pluginPatterns`: the official formats and third-party ones named as STYLE.md
 * asks (`lsconv-format-<name>`, `@scope/lsconv-format-<name>`). `*` matches within one
 * path segment.
 */
export const DEFAULT_PLUGIN_PATTERNS: readonly string[] = Object.freeze([
  '@lsconv/format-*',
  'lsconv-format-*',
  '@*/lsconv-format-*',
]);

/** The format used when none is named, as in Label Studio: the export itself (core's built-in JSON). */
export const DEFAULT_FORMAT_ID: string = json.id;

/**
 * The official format packages and the format ids each provides: with them an unknown
 * official id names the package to install. Each package lists the same ids in the
 * `formats` of its package.json `lsconv` marker; a workspace test keeps the two in step.
 */
export const OFFICIAL_FORMAT_PACKAGES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  '@lsconv/format-asr-manifest': ['ASR_MANIFEST'],
  '@lsconv/format-brush': ['BRUSH_TO_NUMPY', 'BRUSH_TO_PNG', 'BRUSH_TO_COCO'],
  '@lsconv/format-coco': ['COCO', 'COCO_WITH_IMAGES'],
  '@lsconv/format-conll': ['CONLL2003'],
  '@lsconv/format-csv': ['CSV', 'TSV'],
  '@lsconv/format-json-min': ['JSON_MIN'],
  '@lsconv/format-voc': ['VOC'],
  '@lsconv/format-yolo': ['YOLO', 'YOLO_WITH_IMAGES', 'YOLO_OBB', 'YOLO_OBB_WITH_IMAGES'],
});

/** The official package that provides a format id (any case), if one does. */
export function officialPackageOf(id: string): string | undefined {
  const upper = id.toUpperCase();
  return Object.entries(OFFICIAL_FORMAT_PACKAGES).find(([, ids]) => ids.includes(upper))?.[0];
}

/**
 * Loads the formats and importers a host can use, in one way for every host (the CLI,
 * the server, the server's console command), as oclif's plugin loader does: the host
 * says which package names are plugins (`lsconv.pluginPatterns` in its package.json);
 * those names are matched against declared dependencies (of the host, of the project it
 * is installed in, of the current folder's project) and the current folder's workspace
 * packages, and only against the packages installed beside the host when it sits in a
 * node_modules folder without a project (a global install). node_modules is never
 * walked. A plugin carries the marker `"lsconv": { "plugins": "<entry>" }`; a plugin
 * that declares `pluginPatterns` itself (the `lsconv` meta package) brings its matching
 * dependencies. Each plugin's `@lsconv/core` peer range is checked against this core; a
 * broken or incompatible plugin is listed in `problems` and skipped, the others load.
 * Core's built-in formats are there with an ordinary origin.
 */
export async function loadRegistry(options: LoadRegistryOptions = {}): Promise<Registry> {
  const host = options.host;
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
    const patterns = (host === undefined ? undefined : pluginPatternsOf(host)) ?? DEFAULT_PLUGIN_PATTERNS;
    const matches = (name: string) => patterns.some((pattern) => matchesPattern(name, pattern));
    const addHost = (dir: string) => {
      for (const c of declaredPlugins(dir, matches)) addWithChildren(c);
    };
    // A plugin that declares pluginPatterns (a meta package) brings its matching dependencies.
    const addWithChildren = (candidate: Candidate) => {
      const before = seenDirs.size;
      add(candidate);
      if (seenDirs.size !== before && pluginPatternsOf(candidate.dir)) addHost(candidate.dir);
    };
    if (host !== undefined) {
      addHost(host);
      const { project, nodeModules } = installationOf(host);
      if (project !== undefined) addHost(project);
      // A global install: no project declares what sits beside the host.
      else if (nodeModules !== undefined)
        for (const c of installedPlugins(nodeModules, matches)) addWithChildren(c);
    }
    const project = nearestPackageDir(cwd);
    if (project !== undefined) addHost(project);
    if (options.workspace !== false)
      for (const c of workspacePackages(cwd)) if (matches(c.name)) addWithChildren(c);
  }
  const formats = new Map<string, { format: FormatDefinition<any>; origin: PluginOrigin }>();
  const importers = new Map<string, { importer: ImporterDefinition<any>; origin: PluginOrigin }>();
  for (const format of builtinFormats) formats.set(format.id, { format, origin: BUILTIN_ORIGIN });
  for (const candidate of wantedOnly(candidates, options.format)) {
    if (!isPlugin(candidate.dir)) continue;
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
        const official = officialPackageOf(id);
        throw new LsconvError('UNKNOWN_FORMAT', `unknown format "${id}"`, {
          hint: official
            ? `${id.toUpperCase()} comes with the package ${official}: install it beside lsconv (npm install ${official}, with -g for a global lsconv)`
            : `installed formats: ${[...formats.keys()].join(', ')}`,
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

/**
 * The candidates to import when one format id is wanted: those whose package.json lists
 * it in `lsconv.formats`, and those that list no formats; all of them when none lists it.
 */
function wantedOnly(candidates: Candidate[], format: string | undefined): Candidate[] {
  if (format === undefined) return candidates;
  const id = format.toUpperCase();
  const listed = candidates.map((c) => {
    const list = readJson(join(c.dir, 'package.json'))?.lsconv?.formats;
    return Array.isArray(list) ? list.map((f: unknown) => String(f).toUpperCase()) : undefined;
  });
  const builtin = builtinFormats.some((f) => f.id === id);
  if (!builtin && !listed.some((list) => list?.includes(id))) return candidates;
  return candidates.filter((_, i) => listed[i] === undefined || (!builtin && listed[i]!.includes(id)));
}

/** Where core's own formats come from: this package, its built-in module. */
const BUILTIN_ORIGIN: PluginOrigin = Object.freeze({
  package: '@lsconv/core',
  version: CORE_VERSION,
  dir: dirname(dirname(fileURLToPath(import.meta.url))),
  // The sibling module of this one (`.js` when built, `.ts` under vitest).
  entry: new URL(`./builtin/index${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href,
});

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
  if (typeof range === 'string' && !range.startsWith('workspace:')) {
    // The usual ranges (`>=0.1.0 <1.0.0`, `^0.1.0`) are checked here; semver, which takes
    // longer to load than a small export takes to run, only for the others.
    let fits = simpleRangeSatisfied(CORE_VERSION, range);
    if (fits === undefined) {
      const semver = (await import('semver')).default;
      fits = semver.validRange(range)
        ? semver.satisfies(CORE_VERSION, range, { includePrerelease: true })
        : true;
    }
    if (!fits) {
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

/**
 * Whether `version` (plain `x.y.z`) satisfies `range` when the range is a space-separated
 * list of comparators on plain versions (`>=0.1.0 <1.0.0`, `0.1.0`, `^0.1.0`, `~0.1.0`);
 * undefined for anything else, which semver then decides.
 */
export function simpleRangeSatisfied(version: string, range: string): boolean | undefined {
  const plain = /^(\d+)\.(\d+)\.(\d+)$/;
  const v = plain.exec(version);
  if (!v) return undefined;
  const parts = range.trim().split(/\s+/);
  if (parts.length === 0 || parts[0] === '') return undefined;
  const have = [Number(v[1]), Number(v[2]), Number(v[3])] as const;
  const compare = (want: readonly number[]) => have[0] - want[0]! || have[1] - want[1]! || have[2] - want[2]!;
  for (const part of parts) {
    const c = /^(>=|<=|>|<|=|\^|~)?v?(\d+)\.(\d+)\.(\d+)$/.exec(part);
    if (!c) return undefined;
    const want = [Number(c[2]), Number(c[3]), Number(c[4])];
    const order = compare(want);
    const op = c[1] ?? '=';
    let ok: boolean;
    if (op === '>=') ok = order >= 0;
    else if (op === '<=') ok = order <= 0;
    else if (op === '>') ok = order > 0;
    else if (op === '<') ok = order < 0;
    else if (op === '=') ok = order === 0;
    else if (op === '~') ok = order >= 0 && have[0] === want[0] && have[1] === want[1];
    // ^: the leftmost non-zero part stays the same.
    else if (want[0] !== 0) ok = order >= 0 && have[0] === want[0];
    else if (want[1] !== 0) ok = order >= 0 && have[0] === 0 && have[1] === want[1];
    else ok = order === 0;
    if (!ok) return false;
  }
  return true;
}
