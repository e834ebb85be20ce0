import { describeFormatSuite } from '@lsconv/testkit';
import { yolo, yoloObb, yoloObbWithImages, yoloWithImages } from './index.js';

// notes.json holds info.year (the export date), as the reference's does.
describeFormatSuite([yolo, yoloObb], { compareRuns: 'normalised' });
// The reference corpus has no *_WITH_IMAGES output (it needs downloads); with-images.test.ts covers them.
describeFormatSuite([yoloWithImages, yoloObbWithImages], { compareRuns: 'normalised', conformance: false });
