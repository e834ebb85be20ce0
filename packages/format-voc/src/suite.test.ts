import { describeFormatSuite } from '@lsconv/testkit';
import { voc } from './index.js';

describeFormatSuite(voc);
