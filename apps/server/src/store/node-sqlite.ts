import type * as NodeSqlite from 'node:sqlite';

let loaded: typeof NodeSqlite | undefined;

/**
 * Loads Node's built-in `node:sqlite` without its experimental warning.
 *
 * Node 22 prints `ExperimentalWarning: SQLite is an experimental feature…` to stderr the
 * first time `node:sqlite` is loaded in a process or worker thread (Node 24 does not).
 * The module is therefore never imported statically here (a static import would be
 * loaded before any code runs): it is loaded on first use with
 * `process.getBuiltinModule`, while `process.emitWarning` drops that one warning. Every
 * other warning goes through, and `process.emitWarning` is restored right after the load.
 */
export function loadNodeSqlite(): typeof NodeSqlite {
  if (loaded) return loaded;
  if (typeof process.getBuiltinModule !== 'function') throw missing();
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    if (isSqliteExperimentalWarning(warning, rest[0])) return;
    return Reflect.apply(emitWarning, this, [warning, ...rest]);
  } as typeof process.emitWarning;
  try {
    loaded = process.getBuiltinModule('node:sqlite');
  } finally {
    process.emitWarning = emitWarning;
  }
  if (!loaded) throw missing();
  return loaded;
}

const missing = () =>
  new Error(`lsconv-server needs the built-in node:sqlite (Node.js >= 22.13.0; this is ${process.version})`);

/** Node's warning on loading `node:sqlite`, and nothing else. */
export function isSqliteExperimentalWarning(warning: unknown, typeOrOptions: unknown): boolean {
  const message = warning instanceof Error ? warning.message : warning;
  const type =
    warning instanceof Error
      ? warning.name
      : typeof typeOrOptions === 'string'
        ? typeOrOptions
        : typeof typeOrOptions === 'object' && typeOrOptions !== null
          ? (typeOrOptions as { type?: unknown }).type
          : undefined;
  return (
    type === 'ExperimentalWarning' &&
    typeof message === 'string' &&
    message.startsWith('SQLite is an experimental feature')
  );
}
