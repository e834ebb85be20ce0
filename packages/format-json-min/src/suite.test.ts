import { describeFormatSuite } from '@lsconv/testkit';
import { jsonMin } from './index.js';

// Every record carries the task data, the task id and the annotation id.
describeFormatSuite(jsonMin, { promises: { data: true } });
