// How the server hosts formats, in one place: the HTTP routes, the job runner and the
// console command ask here. It names no format: the plugins come from core's one loader
// with this package as the host, and what the server needs to know about a format (its
// place in Label Studio's menu) is declared on the format's definition.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_FORMAT_ID, type FormatDefinition, loadRegistry, type Registry } from '@lsconv/core';

/** The export type of a snapshot's own JSON file, and of an easy export without `exportType`. */
export const JSON_EXPORT_TYPE = DEFAULT_FORMAT_ID;

/** This package's folder (`src/` and `dist/` sit one level below it): the host whose package.json names the plugins. */
const SERVER_PACKAGE_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

/** Where a format stands in Label Studio's list: its declared menuPosition; formats without one last. */
export function formatRank(format: FormatDefinition<any>): number {
  return format.menuPosition ?? 1_000_000;
}

/** True when a download's `exportType` names the snapshot's own JSON file. */
export function isSnapshotJson(typeName: string | null | undefined): boolean {
  return !typeName || typeName.toUpperCase() === JSON_EXPORT_TYPE;
}

/**
 * The formats the server and its `export` console command serve: core's `loadRegistry`
 * with this package as the host (its package.json `lsconv.pluginPatterns`), so packages
 * installed beside it (`npm install -g @lsconv/server @lsconv/format-coco`), in its
 * project, or in the current folder's project and workspace are found. Plugins that
 * could not be loaded are passed to `log`.
 */
export async function loadServerFormats(log: (line: string) => void = () => undefined): Promise<Registry> {
  const registry = await loadRegistry({ host: SERVER_PACKAGE_DIR, cwd: process.cwd() });
  for (const problem of registry.problems)
    log(`lsconv-server: plugin ${problem.package} skipped: ${problem.reason}`);
  return registry;
}

/** A format by id (case-insensitive as the registry allows), or undefined. */
export function findFormat(registry: Registry, name: string): FormatDefinition<any> | undefined {
  try {
    return registry.format(name);
  } catch {
    return undefined;
  }
}

/** The module a worker thread imports a format from, when there is one. */
export function formatModuleOf(registry: Registry, format: FormatDefinition<any>): string | undefined {
  const entry = registry.formats.get(format.id);
  return entry && entry.format === format ? entry.origin.entry : undefined;
}
