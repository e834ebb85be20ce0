import { describeFormatSuite } from '@lsconv/testkit';
import { jsonMin } from './index.js';

describeFormatSuite(jsonMin);
