// Everything the server knows about particular format ids and about finding format
// plugins, in one place: the HTTP routes, the job runner and the console command ask
// here. (To be replaced by metadata on the format definitions and one shared loader.)
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverPlugins, type FormatDefinition, type Registry } from '@lsconv/core';

/** The export type of a snapshot's own JSON file, and of an easy export without `exportType`. */
export const JSON_EXPORT_TYPE = 'JSON';

/** Label Studio's converter order; formats it does not know come after, in discovery order. */
const LS_FORMAT_ORDER = [
  'JSON',
  'JSON_MIN',
  'CSV',
  'TSV',
  'CONLL2003',
  'COCO',
  'COCO_WITH_IMAGES',
  'VOC',
  'YOLO',
  'YOLO_WITH_IMAGES',
  'YOLO_OBB',
  'YOLO_OBB_WITH_IMAGES',
  'BRUSH_TO_NUMPY',
  'BRUSH_TO_PNG',
  'ASR_MANIFEST',
  'BRUSH_TO_COCO',
  'DOCLANG',
];

/** Position of a format in Label Studio's list (unknown ids last). */
export function formatRank(id: string): number {
  const i = LS_FORMAT_ORDER.indexOf(id);
  return i === -1 ? LS_FORMAT_ORDER.length : i;
}

/** True when a download's `exportType` names the snapshot's own JSON file. */
export function isSnapshotJson(typeName: string | null | undefined): boolean {
  return !typeName || typeName.toUpperCase() === JSON_EXPORT_TYPE;
}

/** The formats the server serves: the current folder's workspace and this package's dependencies. */
export async function discoverServerFormats(log: (line: string) => void): Promise<Registry> {
  const registry = await discoverPlugins({
    cwd: process.cwd(),
    hosts: [dirname(dirname(fileURLToPath(import.meta.url)))],
  });
  for (const problem of registry.problems)
    log(`lsconv-server: plugin ${problem.package} skipped: ${problem.reason}`);
  return registry;
}

/** The formats of the `lsconv-server export` console command. */
export function discoverConsoleFormats(): Promise<Registry> {
  return discoverPlugins({ cwd: process.cwd() });
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
  if (!entry || entry.format !== format) return undefined;
  if (entry.origin.entry) return entry.origin.entry;
  return entry.origin.package === '@lsconv/core' ? '@lsconv/core' : undefined;
}
