import { describeFormatSuite, type FormatSuiteOptions, visionPrepareSample } from '@lsconv/testkit';
import { coco, cocoWithImages } from './index.js';

const options: FormatSuiteOptions = {
  // COCO writes info.date_created, a timestamp the reference also writes.
  compareRuns: 'normalised',
  // Images and annotations are numbered from 0; task and annotation ids are not written.
  // By default one annotation per task is exported (--annotation latest); --compat python
  // exports every annotation, as the Python converter does.
  promises: {
    taskIds: false,
    annotationIds: false,
    annotators: 'latest',
    inCompat: { python: { annotators: 'all' } },
  },
  knownBugs: {
    // Bug: with --annotation latest the other annotations of a task are dropped without a report entry.
    'exports a task annotated by several annotators (the latest, the others reported) [compat default]': {
      bug: 'the annotations --annotation leaves out are not reported',
      message: /the two annotations left out are not reported/,
    },
  },
  prepareSamples: [visionPrepareSample({ keypoints: true })],
};

describeFormatSuite(coco, options);
// The reference corpus has no COCO_WITH_IMAGES output (it needs downloads); with-images.test.ts covers it.
describeFormatSuite(cocoWithImages, { ...options, conformance: false });
