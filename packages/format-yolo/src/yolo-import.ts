import { relative } from 'node:path';
import {
  type CompatMode,
  createResourceResolver,
  defineImporter,
  type ImageInfo,
  LsconvError,
  type Task,
} from '@lsconv/core';
import {
  type ImportControl,
  imageImportOptions,
  importLabelConfig,
  joinImageUrl,
  LOCAL_FILES_ROOT,
} from '@lsconv/format-kit';
import { type Dataset, keypointNames, parseKptShape, readDataset, readOptional } from './yolo-dataset.js';
import { labelResults } from './yolo-results.js';

export { type ObbMode, obbToRectangle, parseYoloLine, type YoloLine } from './yolo-line.js';

/** The image root the Python converter uses for a flat YOLO folder. */
const PYTHON_IMAGE_ROOT = '/data/local-files/?d=images';

const IMAGE_DIMS = /^\s*(\d+)\s*[,x× ]\s*(\d+)\s*$/i;

/** `lsconv import yolo`: YOLO / Ultralytics datasets → Label Studio tasks. */
export const yoloImporter = defineImporter({
  id: 'yolo',
  title: 'YOLO / Ultralytics dataset',
  description:
    'Reads a YOLO folder (images/, labels/, classes.txt) or an Ultralytics dataset (data.yaml with train/val/test splits): boxes, polygons, oriented boxes and pose lines, told apart per line; a score column becomes the region score.',
  options: {
    ...imageImportOptions({
      fromName:
        'Name of the RectangleLabels tag (from_name); polygons use <name>_polygons, keypoints <name>_keypoints',
      imageRootUrl:
        'Root URL of the images (flat layout: of images/; data.yaml layout: of the dataset folder). Default: Label Studio local files, /data/local-files/?d=<path under the input folder>',
      imageRootDefault: '',
    }),
    imageExt: {
      type: 'string',
      default: '.jpg,.jpeg,.png',
      description: 'Image extensions to look for, comma separated',
    },
    imageDims: {
      type: 'string',
      default: '',
      description: 'Width and height of every image (e.g. 640x480), instead of reading each image header',
    },
    obb: {
      type: 'enum',
      choices: ['auto', 'always', 'never'],
      default: 'auto',
      description:
        'Lines of 8 coordinates: auto = oriented box when the corners form a rectangle in pixels, else polygon',
    },
    kptShape: {
      type: 'string',
      default: '',
      description: 'Keypoints per pose line and values per keypoint (e.g. 17,3), when data.yaml does not say',
    },
    allowOutside: {
      type: 'boolean',
      default: false,
      description:
        'Read files outside the dataset folder: absolute or ../ paths in data.yaml, and links that lead out (by default they are refused)',
    },
  },
  async run(ctx) {
    const o = ctx.options;
    const dims = parseDims(o.imageDims);
    const exts = o.imageExt
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '')
      .map((e) => (e.startsWith('.') ? e : `.${e}`));
    const dataset = await readDataset(ctx.input, exts, ctx.compat, { allowOutside: o.allowOutside });
    for (const path of dataset.outside) {
      ctx.report.skip({
        kind: 'resource',
        code: 'outside-dataset',
        reason:
          'the image or its label file is a link that leads outside the dataset folder (--allow-outside reads it)',
        file: path,
      });
    }
    if (o.kptShape.trim() !== '') dataset.kptShape = parseKptShape(o.kptShape, 'the kpt-shape option');
    const resolver = createResourceResolver({}, ctx.report);
    const used = { box: false, polygon: false, keypoints: false };
    const tasks: Task[] = [];
    for (const image of dataset.images) {
      if (ctx.signal.aborted) throw new LsconvError('ABORTED', 'the import was cancelled');
      const root =
        o.imageRootUrl || (dataset.flat && ctx.compat === 'python' ? PYTHON_IMAGE_ROOT : LOCAL_FILES_ROOT);
      const urlPath =
        o.imageRootUrl || ctx.compat === 'python' ? image.urlPath : relative(dataset.root, image.path);
      const task: Task = { data: { image: joinImageUrl(root, urlPath) } };
      if (image.split !== undefined && ctx.compat !== 'python') task.meta = { split: image.split };
      const text = await readOptional(image.labelPath);
      if (text !== undefined) {
        const size: ImageInfo | undefined = dims ?? (await resolver.imageInfo(image.path));
        if (!size) {
          ctx.report.skip({
            kind: 'resource',
            code: 'image-size-unknown',
            reason:
              'the image size could not be read; regions have no original_width/height and oriented boxes are left out',
            file: image.path,
          });
        }
        const result = labelResults(text, {
          ...ctx,
          dataset,
          size,
          file: relative(dataset.root, image.labelPath),
          used,
        });
        task[o.outType] = [{ result, ground_truth: false }];
        ctx.report.regionsWritten += result.length;
      }
      tasks.push(task);
    }
    if (tasks.length === 0)
      ctx.report.warn(`no images with the extensions ${exts.join(', ')} were found in ${ctx.input}`);
    return { tasks, labelConfig: yoloLabelConfig(dataset, o, used, ctx.compat) };
  },
});

function parseDims(text: string): ImageInfo | undefined {
  if (text.trim() === '') return undefined;
  const m = IMAGE_DIMS.exec(text);
  const width = Number(m?.[1]);
  const height = Number(m?.[2]);
  if (!m || !(width > 0) || !(height > 0)) {
    throw new LsconvError(
      'INVALID_OPTION',
      `image-dims must be WIDTHxHEIGHT (e.g. 640x480), got ${JSON.stringify(text)}`,
    );
  }
  return { width, height };
}

function yoloLabelConfig(
  dataset: Dataset,
  o: { toName: string; fromName: string },
  used: { box: boolean; polygon: boolean; keypoints: boolean },
  compat: CompatMode,
): string {
  // `category` keeps the class ids when the tasks are exported again (Label Studio honours it).
  const labels = dataset.classes.map((value, i) => ({
    value,
    colorIndex: i,
    ...(compat === 'python' ? {} : { attrs: { category: String(i) } }),
  }));
  const controls: ImportControl[] = [];
  // The Python converter always writes the RectangleLabels tag, whatever the lines hold.
  if (used.box || !used.polygon || compat === 'python')
    controls.push({ tag: 'RectangleLabels', name: o.fromName, labels });
  if (used.polygon) controls.push({ tag: 'PolygonLabels', name: `${o.fromName}_polygons`, labels });
  if (dataset.kptShape && (used.keypoints || used.box)) {
    controls.push({
      tag: 'KeyPointLabels',
      name: `${o.fromName}_keypoints`,
      labels: keypointNames(dataset).map((value, i) => ({
        value,
        colorIndex: i,
        attrs: { model_index: String(i) },
      })),
    });
  }
  return importLabelConfig({ toName: o.toName, controls, compat });
}
