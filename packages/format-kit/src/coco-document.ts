import { JsonArraySpill, type Sink } from '@lsconv/core';
import { exportDate, pyDateTime } from './python.js';

/**
 * One writer for COCO documents (`images`, `annotations`, `categories`, `info`): images
 * and annotations go to temporary files as the tasks are read, so memory does not grow
 * with the export, and the document is assembled from them at the end in the order and
 * spelling of its layout.
 */

/** How a COCO document is spelled. */
export interface CocoLayout {
  /** Before each top-level key. */
  readonly keyIndent: string;
  /** Between two rows of a list. */
  readonly rowSeparator: string;
  /** After `[` and before `]` of a list with rows. */
  readonly listOpen: string;
  readonly listClose: string;
  /** Whether a list without rows is written `[]` (else with `listOpen` and `listClose` too). */
  readonly tightEmpty: boolean;
  /** `JSON.stringify`'s indent for a value written whole (undefined: compact). */
  readonly valueIndent?: number;
}

/** COCO's `result.json`: one row a line, values indented by two spaces. */
export const COCO_LAYOUT: CocoLayout = {
  keyIndent: '',
  rowSeparator: ',\n',
  listOpen: '\n',
  listClose: '\n',
  tightEmpty: false,
  valueIndent: 2,
};

/** BRUSH_TO_COCO's `result_coco.json`: keys indented by two spaces, compact rows by four. */
export const BRUSH_COCO_LAYOUT: CocoLayout = {
  keyIndent: '  ',
  rowSeparator: ',\n    ',
  listOpen: '\n    ',
  listClose: '\n  ',
  tightEmpty: true,
};

/**
 * A top-level entry of the document: a spilled list, a list whose rows are given whole
 * (each written as compact JSON), or a value.
 */
export type CocoSection = readonly [
  key: string,
  content: JsonArraySpill | { readonly rows: readonly unknown[] } | { readonly value: unknown },
];

/** The images and annotations of one COCO document, spilled as they come, and the document's writing. */
export class CocoDocumentWriter {
  private constructor(
    readonly layout: CocoLayout,
    readonly images: JsonArraySpill,
    readonly annotations: JsonArraySpill,
  ) {}

  /** Creates the two spills (`<prefix>-images`, `<prefix>-annotations`); call {@link dispose} when done. */
  static async create(prefix: string, layout: CocoLayout): Promise<CocoDocumentWriter> {
    const images = await JsonArraySpill.create(`${prefix}-images`, layout.rowSeparator);
    const annotations = await JsonArraySpill.create(`${prefix}-annotations`, layout.rowSeparator).catch(
      async (error: unknown) => {
        await images.dispose();
        throw error;
      },
    );
    return new CocoDocumentWriter(layout, images, annotations);
  }

  /** Writes the document into `path` of the sink, its sections in the order given. */
  async write(sink: Sink, path: string, sections: readonly CocoSection[]): Promise<void> {
    const { layout } = this;
    const out = await sink.createFile(path);
    await out.write('{\n');
    for (const [i, [key, content]] of sections.entries()) {
      await out.write(`${i ? ',\n' : ''}${layout.keyIndent}${JSON.stringify(key)}: `);
      if ('value' in content) {
        await out.write(JSON.stringify(content.value, null, layout.valueIndent));
        continue;
      }
      const spill = 'pipeTo' in content ? content : undefined;
      const count = spill ? spill.count : (content as { rows: readonly unknown[] }).rows.length;
      const open = count || !layout.tightEmpty;
      await out.write(open ? `[${layout.listOpen}` : '[');
      if (spill) await spill.pipeTo(out);
      else
        await out.write(
          (content as { rows: readonly unknown[] }).rows
            .map((row) => JSON.stringify(row))
            .join(layout.rowSeparator),
        );
      await out.write(open ? `${layout.listClose}]` : ']');
    }
    await out.write('\n}\n');
    await out.close();
  }

  /** Deletes the spills. Safe to call twice. */
  async dispose(): Promise<void> {
    await this.images.dispose();
    await this.annotations.dispose();
  }
}

/**
 * A COCO `info` block: `year`, `version`, the given fields, `date_created` (Python's
 * `str(datetime)`) in UTC or local time (see {@link pyDateTime}). `SOURCE_DATE_EPOCH`
 * pins the date for reproducible builds.
 */
export function cocoInfoBlock(
  fields: { readonly description: string; readonly contributor: string; readonly url?: string },
  zone: 'utc' | 'local',
  now: Date = exportDate(),
): Record<string, unknown> {
  return {
    year: zone === 'utc' ? now.getUTCFullYear() : now.getFullYear(),
    version: '1.0',
    ...fields,
    date_created: pyDateTime(now, zone),
  };
}
