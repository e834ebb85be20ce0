import { describeFormatSuite } from '@lsconv/testkit';
import { coco, cocoWithImages } from './index.js';

// COCO writes info.date_created, a timestamp the reference also writes.
describeFormatSuite(coco, { compareRuns: 'normalised' });
// The reference corpus has no COCO_WITH_IMAGES output (it needs downloads); with-images.test.ts covers it.
describeFormatSuite(cocoWithImages, { compareRuns: 'normalised', conformance: false });
