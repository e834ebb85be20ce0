import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a case's `case.json` says (the fields the suite reads; others are kept). */
export interface CaseInfo {
  description?: string;
  /** Run options of the reference, e.g. `{ "upload_dir": "upload", "download_resources": true }`. */
  export_args?: Record<string, unknown>;
  covers?: string[];
  parser?: string;
  [key: string]: unknown;
}

/** An importer case's `import.json`. */
export interface ImportSpec {
  importer: string;
  /** The input, relative to the case folder. */
  input: string;
  args: Record<string, unknown>;
}

/** One conformance case folder. */
export interface ConformanceCase {
  /** The folder name (`tpl-bbox`). */
  name: string;
  /** Absolute path of the case folder. */
  dir: string;
  /** `tasks.json`, when the case is an export case. */
  tasksFile: string | undefined;
  /** `config.xml`, when present (import cases have none). */
  configFile: string | undefined;
  /** The parsed `case.json` (empty when absent). */
  info: CaseInfo;
  /** `info.export_args`, or `{}`. */
  exportArgs: Record<string, unknown>;
  /** The parsed `import.json` of importer cases. */
  importSpec: ImportSpec | undefined;
  /** `<dir>/expected`. */
  expectedDir: string;
  /** Format id → reference output folder (`expected/<ID>/`). */
  outputs: Readonly<Record<string, string>>;
  /** Format id → `expected/<ID>.error.txt` (the reference raised). */
  errors: Readonly<Record<string, string>>;
  /**
   * The formats Label Studio offers for this config (`supported_formats.json`, the
   * list of the parser that was used), or undefined when the file is absent.
   */
  supportedFormats: readonly string[] | undefined;
}

/** Environment variable that points at the conformance folder. */
export const CONFORMANCE_DIR_ENV = 'LSCONV_CONFORMANCE_DIR';

/**
 * Where the conformance cases are: `$LSCONV_CONFORMANCE_DIR`, else
 * `<repo root>/../shared/fixtures/conformance`, the repo root being the nearest
 * folder holding `pnpm-workspace.yaml` above this package (then above the current
 * directory). Undefined when none exists.
 */
export function findConformanceDir(): string | undefined {
  const fromEnv = process.env[CONFORMANCE_DIR_ENV];
  if (fromEnv) return resolve(fromEnv);
  const here = dirname(fileURLToPath(import.meta.url));
  for (const start of [here, process.cwd()]) {
    const root = findWorkspaceRoot(start);
    if (!root) continue;
    const dir = join(root, '..', 'shared', 'fixtures', 'conformance');
    if (existsSync(dir)) return dir;
  }
  return undefined;
}

/** The nearest folder at or above `start` that holds `pnpm-workspace.yaml`. */
export function findWorkspaceRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The repository's own conformance cases, in the same layout as the shared ones:
 * `<repo root>/fixtures/conformance`, when it exists (found from this package, then from
 * the current directory).
 */
export function findOwnConformanceDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const start of [here, process.cwd()]) {
    const root = findWorkspaceRoot(start);
    const dir = root && join(root, 'fixtures', 'conformance');
    if (dir && existsSync(dir)) return dir;
  }
  return undefined;
}

/**
 * Lists the conformance cases of a folder, sorted by name. A case is a sub-folder with an
 * `expected/` folder. Without a folder: the shared cases ({@link findConformanceDir}) and
 * then, unless `$LSCONV_CONFORMANCE_DIR` points elsewhere, the repository's own
 * ({@link findOwnConformanceDir}). Throws when the shared folder cannot be found, saying
 * how to point at it.
 */
export function loadConformanceCases(dir?: string): ConformanceCase[] {
  if (dir !== undefined) return loadCasesOf(dir);
  const shared = loadCasesOf(findConformanceDir());
  const own = process.env[CONFORMANCE_DIR_ENV] ? undefined : findOwnConformanceDir();
  if (!own) return shared;
  // After the shared cases, so the suites' default sample case stays the first shared one.
  return [...shared, ...loadCasesOf(own)];
}

function loadCasesOf(root: string | undefined): ConformanceCase[] {
  if (!root || !existsSync(root)) {
    throw new Error(
      `@lsconv/testkit: conformance cases not found${root ? ` at ${root}` : ''} — set ${CONFORMANCE_DIR_ENV} to the conformance folder (shared/fixtures/conformance), or keep shared/ beside the repository`,
    );
  }
  const cases: ConformanceCase[] = [];
  for (const name of readdirSync(root).sort()) {
    const caseDir = join(root, name);
    const expectedDir = join(caseDir, 'expected');
    if (!statSync(caseDir).isDirectory() || !existsSync(expectedDir)) continue;
    const info = readJson<CaseInfo>(join(caseDir, 'case.json')) ?? {};
    const outputs: Record<string, string> = {};
    const errors: Record<string, string> = {};
    for (const entry of readdirSync(expectedDir, { withFileTypes: true })) {
      if (entry.isDirectory()) outputs[entry.name] = join(expectedDir, entry.name);
      else if (entry.isFile() && entry.name.endsWith('.error.txt'))
        errors[entry.name.slice(0, -'.error.txt'.length)] = join(expectedDir, entry.name);
    }
    const supported = readJson<Record<string, unknown>>(join(expectedDir, 'supported_formats.json'));
    const parserUsed = typeof supported?.parser_used === 'string' ? supported.parser_used : 'ls';
    const list = supported?.[parserUsed];
    const tasksFile = join(caseDir, 'tasks.json');
    const configFile = join(caseDir, 'config.xml');
    const importSpec = readJson<ImportSpec>(join(caseDir, 'import.json'));
    cases.push({
      name,
      dir: caseDir,
      tasksFile: existsSync(tasksFile) ? tasksFile : undefined,
      configFile: existsSync(configFile) ? configFile : undefined,
      info,
      exportArgs: isRecord(info.export_args) ? info.export_args : {},
      importSpec: importSpec
        ? { importer: importSpec.importer, input: importSpec.input, args: importSpec.args ?? {} }
        : undefined,
      expectedDir,
      outputs,
      errors,
      supportedFormats: Array.isArray(list)
        ? list.filter((x): x is string => typeof x === 'string')
        : undefined,
    });
  }
  return cases;
}

function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new Error(`@lsconv/testkit: ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
