import { defineFormat, type PrepareContext, type Task } from '@lsconv/core';
import { referenceSupports, visionOptions } from '@lsconv/format-kit';
import { exportYolo } from './yolo.js';
import { flipIdxOption } from './yolo-layout.js';
import { type PreparedYolo, prepareYolo } from './yolo-prepare.js';
import type { Variant } from './yolo-shared.js';

const options = { ...visionOptions(), flipIdx: flipIdxOption };

function yoloFormat(id: string, title: string, description: string, variant: Variant, menuPosition: number) {
  const prepare = (task: Task, pctx: PrepareContext): PreparedYolo => prepareYolo(task, pctx, variant);
  return defineFormat({
    id,
    menuPosition,
    title,
    description,
    link: 'https://labelstud.io/guide/export.html#YOLO',
    tags: ['image segmentation', 'object detection'],
    output: 'folder',
    splitLayout: true,
    options,
    supports: referenceSupports(id),
    prepare,
    export: (tasks, ctx) => exportYolo(tasks, ctx, variant),
  });
}

/** YOLO: `classes.txt`, `notes.json`, `labels/<image>.txt` (boxes, polygons or pose lines), `images/`. */
export const yolo = yoloFormat(
  'YOLO',
  'YOLO',
  'Popular TXT format: one text file per image with a line per object (class, centre, size, all normalised), and a classes.txt. Polygons become YOLO segmentation lines and keypoints YOLO pose lines.',
  { obb: false, withImages: false },
  8,
);

/** YOLO with the images copied or downloaded into `images/`. */
export const yoloWithImages = yoloFormat(
  'YOLO_WITH_IMAGES',
  'YOLO with Images',
  'YOLO format with the images downloaded or copied into the images/ folder of the export.',
  { obb: false, withImages: true },
  9,
);

/** YOLOv8 OBB: one line per rotated box with its four corners, normalised. */
export const yoloObb = yoloFormat(
  'YOLO_OBB',
  'YOLOv8 OBB',
  'YOLO oriented bounding boxes (Ultralytics OBB): a line per object with the class and the four corners of the rotated box, normalised.',
  { obb: true, withImages: false },
  10,
);

/** YOLOv8 OBB with the images copied or downloaded into `images/`. */
export const yoloObbWithImages = yoloFormat(
  'YOLO_OBB_WITH_IMAGES',
  'YOLOv8 OBB with Images',
  'YOLO OBB format with the images downloaded or copied into the images/ folder of the export.',
  { obb: true, withImages: true },
  11,
);
