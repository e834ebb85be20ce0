import { describeFormatSuite } from '@lsconv/testkit';
import { brushToCoco, brushToNumpy, brushToPng } from './index.js';

// Mask file names carry the task id, the annotation id and the label.
describeFormatSuite([brushToNumpy, brushToPng]);
// result_coco.json carries its creation time, as the reference's does; images and
// annotations are numbered from 0, so task and annotation ids are not written.
describeFormatSuite(brushToCoco, {
  compareRuns: 'normalised',
  promises: { taskIds: false, annotationIds: false },
});
