import { describeFormatSuite } from '@lsconv/testkit';
import { brushToCoco, brushToNumpy, brushToPng } from './index.js';

describeFormatSuite([brushToNumpy, brushToPng]);
// result_coco.json carries its creation time, as the reference's does.
describeFormatSuite(brushToCoco, { compareRuns: 'normalised' });
