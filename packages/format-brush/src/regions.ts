import {
  type ConversionReport,
  type Item,
  type LabelConfig,
  type OutputValue,
  safeBaseName,
  shortHash,
  truncateBytes,
} from '@lsconv/core';
import { BrushRleError, decodeBrushMask, MAX_MASK_PIXELS, pyStrAt, pyStrOrJson } from '@lsconv/format-kit';

/** One brush region of an item, as the Python converter's `decode_from_annotation` sees it. */
export interface BrushRegion {
  /** The control (`from_name`). */
  fromName: string;
  /** The labels the region carries (`["no_label"]` when it has none). */
  labels: string[];
  /** `<from_name>-<label1-label2…>-<n>`: the reference's per-item layer name. */
  name: string;
  /** The output value (result value plus `type` and size). */
  value: OutputValue;
  width: number;
  height: number;
  /** Where the region is, for report entries. */
  where: RegionLocation;
}

/** The location of a region, in report-entry form. */
export interface RegionLocation {
  taskIndex: number;
  taskId: unknown;
  field: string;
  regionId: string | undefined;
}

/** Where a value of an item sits in its task, for report entries. */
export function regionLocation(item: Item, fromName: string, index: number): RegionLocation {
  const raw = item.results[fromName]?.[index];
  const list = item.annotation?.result;
  const resultIndex = raw && Array.isArray(list) ? list.indexOf(raw) : -1;
  const annotations = (item.task.annotations ?? item.task.completions) as unknown[] | undefined;
  const annotationIndex =
    item.annotation && Array.isArray(annotations) ? annotations.indexOf(item.annotation) : -1;
  const key = 'annotations' in item.task ? 'annotations' : 'completions';
  return {
    taskIndex: item.taskIndex,
    taskId: item.id,
    field: `${key}[${annotationIndex}].result[${resultIndex}]`,
    regionId: typeof raw?.id === 'string' ? raw.id : undefined,
  };
}

/**
 * The brush regions of an item, in result order, with the reference's names: a value
 * is a brush region when its control is `BrushLabels` (labels read from
 * `brushlabels`) or `Labels` (labels read from `labels`) and it has an `rle`. Every
 * other value is recorded in the report as skipped, and so is a brush value without
 * an image size.
 */
export function brushRegions(item: Item, report: ConversionReport): BrushRegion[] {
  const regions: BrushRegion[] = [];
  for (const [fromName, values] of Object.entries(item.output)) {
    const counters = new Map<string, number>();
    values.forEach((value, index) => {
      const type = String(value.type ?? '').toLowerCase();
      const key = type === 'brushlabels' ? 'brushlabels' : type === 'labels' ? 'labels' : undefined;
      if (key === undefined || !('rle' in value)) {
        report.skip({
          ...regionLocation(item, fromName, index),
          kind: 'region',
          code: 'not-a-brush-mask',
          reason:
            key === undefined
              ? `a ${value.type} region is not a brush mask: brush formats write BrushLabels (or Labels) regions that hold an "rle"`
              : 'the region has no "rle" mask',
        });
        return;
      }
      const labels = labelList(key in value ? value[key] : ['no_label']);
      let name = `${fromName}-${labels.join('-')}`;
      const n = counters.get(name) ?? 0;
      counters.set(name, n + 1);
      name += `-${n}`;
      const width = value.original_width;
      const height = value.original_height;
      if (!isSize(width) || !isSize(height)) {
        report.skip({
          ...regionLocation(item, fromName, index),
          kind: 'region',
          code: 'missing-image-size',
          reason:
            'the brush region has no valid "original_width"/"original_height", so its mask cannot be shaped',
        });
        return;
      }
      regions.push({
        fromName,
        labels,
        name,
        value,
        width,
        height,
        where: regionLocation(item, fromName, index),
      });
    });
  }
  return regions;
}

/**
 * Decodes a region's mask (`height × width` bytes, the RLE's alpha channel), or
 * records it in the report as skipped and returns undefined. With `into` (at least
 * `height × width` bytes), the mask is a view of it, valid until the next decode into it.
 */
export function decodeRegion(
  region: BrushRegion,
  report: ConversionReport,
  into?: Uint8Array,
): Uint8Array | undefined {
  if (region.width * region.height > MAX_MASK_PIXELS) {
    report.skip({
      ...region.where,
      kind: 'region',
      code: 'mask-too-large',
      reason: `the brush mask is ${region.width}x${region.height} pixels, more than the ${MAX_MASK_PIXELS.toLocaleString('en-US')} (8192x8192) a mask may have; it is not decoded`,
    });
    return undefined;
  }
  try {
    return decodeBrushMask(region.value.rle as Uint8Array, region.width, region.height, 3, into);
  } catch (error) {
    if (!(error instanceof BrushRleError)) throw error;
    report.skip({
      ...region.where,
      field: `${region.where.field}.value.rle`,
      kind: 'region',
      code: 'invalid-rle',
      reason: `the brush mask cannot be decoded: ${error.message}`,
    });
    return undefined;
  }
}

function labelList(labels: unknown): string[] {
  if (Array.isArray(labels)) return labels.map((l) => pyStrOrJson(l));
  if (typeof labels === 'string') return [...labels];
  return [pyStrOrJson(labels)];
}

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n > 0;
}

/**
 * The annotator part of the reference's file names: the email of an expanded user,
 * else the id as text, keeping only letters, digits, `@` and `.`.
 */
export function annotatorForName(completedBy: unknown): string {
  let text: string;
  if (typeof completedBy === 'object' && completedBy !== null && !Array.isArray(completedBy)) {
    const email = (completedBy as { email?: unknown }).email;
    text = typeof email === 'string' ? email : '';
  } else text = pyStrOrJson(completedBy);
  let out = '';
  for (const ch of text) if (/^[\p{L}\p{N}@.]$/u.test(ch)) out += ch;
  return out;
}

/**
 * The reference's file name of a region, without extension:
 * `task-<id>-annotation-<id>-by-<annotator>-<layer name>` with `/` and `\` turned
 * into `-` (in the ids too, which the reference would have written as folders). Control characters are dropped and an over-long name is cut (keeping a
 * hash so it stays unique), which the reference would have failed to write anyway.
 */
export function referenceFileStem(item: Item, region: BrushRegion, maxBytes: number): string {
  const layer = region.name.replace(/[/\\]/g, '-');
  // An id beyond 2^53 keeps the digits it was written with (numbers.ts).
  const at = (holder: object | undefined, key: string, value: unknown) =>
    holder && typeof value === 'number' ? pyStrAt(holder, key) : pyStrOrJson(value);
  const by =
    typeof item.completed_by === 'number'
      ? at(item.annotation, 'completed_by', item.completed_by)
      : item.completed_by;
  let stem = `task-${at(item.task, 'id', item.id)}-annotation-${at(item.annotation, 'id', item.annotation_id)}-by-${annotatorForName(by)}-${layer}`;
  // Ids are text in task data: a `/` in one would name a folder (`../` one outside the output).
  stem = stem.replace(/[/\\]/g, '-').replace(/[\u0000-\u001f\u007f]/g, '');
  if (Buffer.byteLength(stem) > maxBytes) stem = `${truncateBytes(stem, maxBytes - 9)}-${shortHash(stem)}`;
  return stem;
}

/** The task data value an item's control points at (the image URL of a brush region). */
export function imageRefOf(item: Item, config: LabelConfig, fromName: string): string | undefined {
  const control = config.matchControl(fromName);
  for (const input of control?.inputs ?? []) {
    const key = input.value;
    const v = key ? item.input?.[key] : undefined;
    if (typeof v === 'string' && v !== '') return v;
  }
  for (const v of Object.values(item.input ?? {})) if (typeof v === 'string' && v !== '') return v;
  return undefined;
}

/** A safe file-name stem from an image reference: its base name without extension. */
export function imageStem(ref: string | undefined, fallback: string): string {
  if (ref === undefined) return safeBaseName(fallback.replace(/[/\\]/g, '-'), 150);
  let base = ref;
  const q = base.search(/[?#]/);
  if (q > 0 && /^[a-z][a-z0-9+.-]*:/i.test(base)) base = base.slice(0, q);
  base = safeBaseName(base, 150);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** A label made safe for a file name. */
export function safeLabel(label: string): string {
  return safeBaseName(label.replace(/[/\\]/g, '-'), 80);
}
