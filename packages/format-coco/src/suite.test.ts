import {
  annotationOptionPromises,
  describeFormatSuite,
  type FormatSuiteOptions,
  visionPrepareSample,
} from '@lsconv/testkit';
import { coco, cocoWithImages } from './index.js';

const options: FormatSuiteOptions = {
  // COCO writes info.date_created, a timestamp the reference also writes.
  compareRuns: 'normalised',
  // Images and annotations are numbered from 0: task and annotation ids are not written.
  // --annotation latest by default; --compat python exports every annotation, as the Python converter.
  promises: { taskIds: false, annotationIds: false, ...annotationOptionPromises('all') },
  prepareSamples: [visionPrepareSample({ keypoints: true })],
};

describeFormatSuite(coco, options);
// The reference corpus has no COCO_WITH_IMAGES output (it needs downloads); coco.test.ts
// covers it (its COCO_WITH_IMAGES tests, from disk and from a web server).
describeFormatSuite(cocoWithImages, { ...options, conformance: false });
