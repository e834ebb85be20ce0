import {
  type ExportContext,
  type FileWriter,
  type Item,
  type LabelConfig,
  LsconvError,
  stringAt,
  type Task,
  taskItems,
  taskSplit,
} from '@lsconv/core';
import { annotatorOf, jsonNumberAt } from '@lsconv/format-kit';
import { hashColour, parseCssColour, type Rgb, toHex } from './colour.js';
import { npyHeader } from './npy.js';
import { encodeGreyPng, encodeIndexedPng } from './png.js';
import {
  type BrushRegion,
  brushRegions,
  decodeRegion,
  imageRefOf,
  imageStem,
  type RegionLocation,
  referenceFileStem,
  safeLabel,
} from './regions.js';

/** What one mask file is written as. */
export type MaskFileKind = 'numpy' | 'png';

/** Options shared by BRUSH_TO_NUMPY and BRUSH_TO_PNG. */
export const maskOptions = {
  layout: {
    type: 'enum',
    choices: ['image', 'reference'],
    default: 'image',
    description:
      'File names. `image`: one mask per image, annotation and label, named `<image-stem>__<label>` (regions with the same label merged). `reference`: one file per region named `task-<id>-annotation-<id>-by-<user>-<control>-<labels>-<n>` as the Python converter does. `--compat python` always uses `reference`.',
  },
  semantic: {
    type: 'boolean',
    default: false,
    description:
      "Write one mask per image and annotation whose pixels hold class ids (0 = background, then the labels in config order); PNGs are indexed with the labels' colours as palette. Ignored under `--compat python`.",
  },
} as const;

type MaskOptions = { readonly layout: 'image' | 'reference'; readonly semantic: boolean };

/** One entry of `masks.json`. */
interface MaskEntry {
  file: string;
  task_id: unknown;
  task_index: number;
  annotation_id: unknown;
  annotator: unknown;
  image: string | null;
  label?: string;
  from_name: string[];
  region_ids: (string | null)[];
  width: number;
  height: number;
}

/** Files whose region a `--compat python` export remembers, to name it when a later one overwrites it. */
export const RECENT_FILES = 10_000;

/** The export of BRUSH_TO_NUMPY and BRUSH_TO_PNG. */
export async function exportMasks(
  kind: MaskFileKind,
  tasks: AsyncIterable<Task>,
  ctx: ExportContext<MaskOptions>,
): Promise<void> {
  const ext = kind === 'numpy' ? '.npy' : '.png';
  const python = ctx.compat === 'python';
  const layout = python ? 'reference' : ctx.options.layout;
  const semantic = !python && ctx.options.semantic;
  const classes = semantic ? configClasses(ctx.config) : undefined;
  const index = python ? undefined : await MaskIndex.open(ctx);
  // Under --compat python, where the last files written came from, to report the region
  // whose file a later one overwrites (locations only: a region's RLE must not outlive its
  // task). Only the last RECENT_FILES are kept, so memory does not grow with the number of
  // masks: the sink knows every file written, so overwriting an older one is still reported,
  // at the region that did it (the oldest entry goes first). Otherwise names never repeat
  // and the sink alone suffices.
  const written = python ? new Map<string, RegionLocation>() : undefined;
  // With --split, each task's masks go to a folder of its split.
  let folder = '';
  const unique = (stem: string) => {
    let name = `${folder}${stem}${ext}`;
    for (let n = 2; ctx.sink.has(name); n++) name = `${folder}${stem}__${n}${ext}`;
    return name;
  };
  const write = async (
    path: string,
    mask: Uint8Array,
    width: number,
    height: number,
    palette?: readonly Rgb[],
  ) => {
    if (kind === 'numpy') {
      // The header, then the mask itself: no whole-file copy of each mask (writes settle
      // before the mask's buffer is decoded into again).
      if (mask.length !== height * width)
        throw new RangeError(`npy data has ${mask.length} bytes, shape needs ${height * width}`);
      const out = await ctx.sink.createFile(path);
      await out.write(npyHeader([height, width]));
      await out.write(mask);
      await out.close();
    } else {
      const bytes = palette
        ? encodeIndexedPng(mask, width, height, [[0, 0, 0], ...palette])
        : encodeGreyPng(mask, width, height);
      await ctx.sink.writeFile(path, bytes);
    }
    ctx.report.itemsWritten++;
  };

  const pool = new MaskPool();
  let taskIndex = 0;
  for await (const task of tasks) {
    const items = taskItems(task, { config: ctx.config, report: ctx.report, taskIndex });
    taskIndex++;
    const split = ctx.dataset?.split ? taskSplit(task) : undefined;
    folder = split === undefined ? '' : `${split}/`;
    for (const item of items) {
      const regions = brushRegions(item, ctx.report);
      if (regions.length === 0) continue;
      if (classes) {
        await writeSemantic(item, regions, classes, ctx, { unique, write, pool }, index);
      } else if (layout === 'reference') {
        for (const region of regions) {
          const mask = decodeRegion(region, ctx.report, pool.take(region.width * region.height));
          if (!mask) continue;
          const stem = referenceFileStem(item, region, 255 - ext.length - (python ? 0 : 8));
          // The reference overwrites a same-named file; outside compat mode a suffix keeps both.
          const path = python ? `${folder}${stem}${ext}` : unique(stem);
          const earlier = written?.get(path);
          if (earlier || (python && ctx.sink.has(path))) {
            ctx.report.skip({
              ...(earlier ?? region.where),
              kind: 'region',
              code: 'overwritten',
              reason: earlier
                ? `a later region has the same file name ${path} and replaced this one, as in the Python converter`
                : `this region has the same file name ${path} as an earlier region and replaced its mask, as in the Python converter`,
            });
            ctx.report.regionsWritten--;
            ctx.report.itemsWritten--;
          }
          if (written && !written.has(path) && written.size >= RECENT_FILES) {
            written.delete(written.keys().next().value!);
          }
          written?.set(path, region.where);
          await write(path, mask, region.width, region.height);
          pool.give(mask);
          ctx.report.regionsWritten++;
          await index?.add(entry(item, ctx.config, path, region.labels.join('-'), [region], region));
        }
      } else {
        await writeByImage(item, regions, ctx, { unique, write, pool }, index);
      }
    }
  }
  await index?.close(classes);
}

type Writer = (
  path: string,
  mask: Uint8Array,
  width: number,
  height: number,
  palette?: readonly Rgb[],
) => Promise<void>;

/** How the layouts name and write their files, and where their mask buffers come from. */
interface MaskOut {
  unique: (stem: string) => string;
  write: Writer;
  pool: MaskPool;
}

/** `image` layout: regions of one annotation with the same label merged into one mask. */
async function writeByImage(
  item: Item,
  regions: BrushRegion[],
  ctx: ExportContext<MaskOptions>,
  { unique, write, pool }: MaskOut,
  index: MaskIndex | undefined,
): Promise<void> {
  const groups = new Map<string, { mask: Uint8Array; first: BrushRegion; members: BrushRegion[] }>();
  for (const region of regions) {
    const decoded = pool.take(region.width * region.height);
    const mask = decodeRegion(region, ctx.report, decoded);
    if (!mask) {
      pool.give(decoded);
      continue;
    }
    const label = region.labels.join('-');
    const group = groups.get(label);
    if (!group) {
      groups.set(label, { mask, first: region, members: [region] });
      continue;
    }
    if (group.first.width !== region.width || group.first.height !== region.height) {
      ctx.report.skip({
        ...region.where,
        kind: 'region',
        code: 'size-mismatch',
        reason: `the region is ${region.width}x${region.height} but an earlier "${label}" region of the same annotation is ${group.first.width}x${group.first.height}`,
      });
      pool.give(mask);
      continue;
    }
    const target = group.mask;
    for (let i = 0; i < target.length; i++) if (mask[i]! > target[i]!) target[i] = mask[i]!;
    pool.give(mask);
    group.members.push(region);
  }
  const stem = imageStem(
    imageRefOf(item, ctx.config, regions[0]!.fromName),
    `task-${item.task ? stringAt(item.task, 'id') : String(item.id)}`,
  );
  for (const [label, group] of groups) {
    const path = unique(`${stem}__${safeLabel(label)}`);
    await write(path, group.mask, group.first.width, group.first.height);
    pool.give(group.mask);
    ctx.report.regionsWritten += group.members.length;
    await index?.add(entry(item, ctx.config, path, label, group.members, group.first));
  }
}

/** Semantic masks: one class-id image per annotation. */
async function writeSemantic(
  item: Item,
  regions: BrushRegion[],
  classes: ClassTable,
  ctx: ExportContext<MaskOptions>,
  { unique, write, pool }: MaskOut,
  index: MaskIndex | undefined,
): Promise<void> {
  const first = regions[0]!;
  const canvas = pool.take(first.width * first.height) ?? new Uint8Array(first.width * first.height);
  try {
    const members = paintClasses(regions, classes, ctx, pool, canvas);
    if (members.length === 0) return;
    const path = unique(
      imageStem(
        imageRefOf(item, ctx.config, first.fromName),
        `task-${item.task ? stringAt(item.task, 'id') : String(item.id)}`,
      ),
    );
    await write(path, canvas, first.width, first.height, classes.palette());
    ctx.report.regionsWritten += members.length;
    await index?.add(entry(item, ctx.config, path, undefined, members, first));
  } finally {
    pool.give(canvas);
  }
}

/** Paints each region's class id into `canvas`; returns the regions painted (the others are reported). */
function paintClasses(
  regions: BrushRegion[],
  classes: ClassTable,
  ctx: ExportContext<MaskOptions>,
  pool: MaskPool,
  canvas: Uint8Array,
): BrushRegion[] {
  const first = regions[0]!;
  const members: BrushRegion[] = [];
  for (const region of regions) {
    if (region.width !== first.width || region.height !== first.height) {
      ctx.report.skip({
        ...region.where,
        kind: 'region',
        code: 'size-mismatch',
        reason: `the region is ${region.width}x${region.height} but the annotation's first brush region is ${first.width}x${first.height}`,
      });
      continue;
    }
    const label = 'brushlabels' in region.value || 'labels' in region.value ? region.labels[0] : undefined;
    if (label === undefined) {
      ctx.report.skip({
        ...region.where,
        kind: 'region',
        code: 'no-label',
        reason: 'the region has no label, so it has no class id',
      });
      continue;
    }
    const id = classes.idOf(label, ctx);
    if (id === undefined) {
      ctx.report.skip({
        ...region.where,
        kind: 'region',
        code: 'too-many-classes',
        reason: 'a semantic mask holds at most 255 classes',
      });
      continue;
    }
    const decoded = pool.take(region.width * region.height);
    const mask = decodeRegion(region, ctx.report, decoded);
    // Label Studio's brush alpha is 0 or 255; anything at least half opaque is the class.
    if (mask) for (let i = 0; i < mask.length; i++) if (mask[i]! >= 128) canvas[i] = id;
    pool.give(decoded);
    if (mask) members.push(region);
  }
  return members;
}

function entry(
  item: Item,
  config: LabelConfig,
  file: string,
  label: string | undefined,
  members: BrushRegion[],
  first: BrushRegion,
): MaskEntry {
  const e: MaskEntry = {
    file,
    // Ids beyond 2^53 as written (numbers.ts).
    task_id: item.task ? (jsonNumberAt(item.task, 'id') ?? null) : (item.id ?? null),
    task_index: item.taskIndex,
    annotation_id: item.annotation
      ? (jsonNumberAt(item.annotation, 'id') ?? null)
      : (item.annotation_id ?? null),
    annotator: annotatorOf(item),
    image: imageRefOf(item, config, first.fromName) ?? null,
    ...(label === undefined ? {} : { label }),
    from_name: [...new Set(members.map((m) => m.fromName))],
    region_ids: members.map((m) => m.where.regionId ?? null),
    width: first.width,
    height: first.height,
  };
  return e;
}

/** Class ids for semantic masks: the brush labels of the config in order, then labels met in the data. */
class ClassTable {
  readonly names: string[] = [];
  readonly colours: Rgb[] = [];
  private readonly ids = new Map<string, number>();
  add(name: string, colour: Rgb): void {
    if (this.ids.has(name)) return;
    this.names.push(name);
    this.colours.push(colour);
    this.ids.set(name, this.names.length);
  }
  idOf(name: string, ctx: ExportContext<MaskOptions>): number | undefined {
    const id = this.ids.get(name);
    if (id !== undefined) return id;
    if (this.names.length >= 255) return undefined;
    ctx.report.warn(
      `label "${name}" is not in the labeling config; it gets class id ${this.names.length + 1}`,
    );
    this.add(name, hashColour(name));
    return this.names.length;
  }
  palette(): Rgb[] {
    return this.colours;
  }
}

function configClasses(config: LabelConfig): ClassTable {
  const table = new ClassTable();
  const controls = [...config.controls.values()];
  const hasBrush = controls.some((c) => c.type === 'Brush');
  for (const control of controls) {
    if (control.type !== 'BrushLabels' && !(hasBrush && control.type === 'Labels')) continue;
    for (const label of control.labels) {
      const attrs = control.labelsAttrs[label] ?? {};
      table.add(label, parseCssColour(attrs.background) ?? hashColour(label));
    }
  }
  if (table.names.length > 255) {
    throw new LsconvError(
      'INVALID_OPTION',
      `--semantic needs at most 255 brush labels, the config has ${table.names.length}`,
      {
        hint: 'export one mask per label instead (without --semantic)',
      },
    );
  }
  return table;
}

/** `masks.json`, streamed: one entry per mask file. */
class MaskIndex {
  private count = 0;
  private constructor(private readonly file: FileWriter) {}
  static async open(ctx: ExportContext<MaskOptions>): Promise<MaskIndex> {
    const file = await ctx.sink.createFile('masks.json');
    await file.write('{\n  "masks": [');
    return new MaskIndex(file);
  }
  async add(e: MaskEntry): Promise<void> {
    await this.file.write(`${this.count++ ? ',' : ''}\n    ${JSON.stringify(e)}`);
  }
  async close(classes: ClassTable | undefined): Promise<void> {
    let tail = `${this.count ? '\n  ' : ''}]`;
    if (classes) {
      const list = [{ id: 0, name: 'background', color: '#000000' }].concat(
        classes.names.map((name, i) => ({ id: i + 1, name, color: toHex(classes.colours[i]!) })),
      );
      tail += `,\n  "classes": [\n${list.map((c) => `    ${JSON.stringify(c)}`).join(',\n')}\n  ]`;
    }
    await this.file.write(`${tail}\n}\n`);
    await this.file.close();
  }
}

/**
 * Mask buffers reused from region to region. A fresh 768 KiB per 1024 × 768 mask is memory
 * outside the JavaScript heap that only a collection frees, and an export decoding a mask
 * per region held tens of megabytes of dead ones at its peak. A buffer is taken for a
 * mask and given back once the mask is written (or merged into another).
 */
export class MaskPool {
  private readonly free: Uint8Array[] = [];
  /**
   * A zeroed view of `pixels` bytes of a pooled buffer; undefined past 16 MiB (nothing is
   * allocated: the caller checks the size first, and gets its own buffer).
   */
  take(pixels: number): Uint8Array | undefined {
    if (pixels > MAX_POOLED_PIXELS) return undefined;
    const at = this.free.findIndex((buffer) => buffer.length >= pixels);
    const buffer = at >= 0 ? this.free.splice(at, 1)[0]! : new Uint8Array(pixels);
    return buffer.subarray(0, pixels).fill(0);
  }
  /** Gives a view from {@link take} back; its bytes may be overwritten from now on. */
  give(mask: Uint8Array | undefined): void {
    if (!mask) return;
    const buffer = new Uint8Array(mask.buffer);
    if (buffer.length <= MAX_POOLED_PIXELS && this.free.length < MAX_POOLED_BUFFERS) this.free.push(buffer);
  }
}

const MAX_POOLED_PIXELS = 16 * 1024 * 1024;
const MAX_POOLED_BUFFERS = 8;
