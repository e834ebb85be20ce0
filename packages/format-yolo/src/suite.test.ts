import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  annotationOptionPromises,
  describeFormatSuite,
  type FormatSuiteOptions,
  findConformanceDir,
  tinyPng,
  visionPrepareSample,
} from '@lsconv/testkit';
import { afterAll } from 'vitest';
import { yolo, yoloObb, yoloObbWithImages, yoloWithImages } from './index.js';

const options: FormatSuiteOptions = {
  // notes.json holds info.year (the export date), as the reference's does.
  compareRuns: 'normalised',
  // File names come from the images: task and annotation ids are not written.
  // --annotation latest by default; with --compat python the oldest annotation's label
  // file replaces the others, which the report lists.
  promises: { taskIds: false, annotationIds: false, ...annotationOptionPromises('oldest') },
  prepareSamples: [visionPrepareSample()],
};

describeFormatSuite([yolo, yoloObb], options);

// The reference corpus has no *_WITH_IMAGES output (it needs downloads); yolo.test.ts
// covers them (its YOLO_WITH_IMAGES tests). Their edge cases run on the bounding-box case
// with its image on disk: without the image, a task exports nothing outside --compat python.
const sampleDir = mkdtempSync(join(tmpdir(), 'lsconv-yolo-suite-'));
afterAll(() => rmSync(sampleDir, { recursive: true, force: true }));
const caseDir = join(findConformanceDir()!, 'sdk-coco-rect-poly-kp');
writeFileSync(join(sampleDir, 'test_image1.jpg'), tinyPng(500, 320));
describeFormatSuite([yoloWithImages, yoloObbWithImages], {
  ...options,
  conformance: false,
  sampleCase: {
    config: readFileSync(join(caseDir, 'config.xml'), 'utf8'),
    tasks: JSON.parse(readFileSync(join(caseDir, 'tasks.json'), 'utf8')) as unknown[],
    dir: sampleDir,
  },
});
