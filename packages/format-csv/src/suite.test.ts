import { describeFormatSuite } from '@lsconv/testkit';
import { csv, tsv } from './index.js';

// Every row carries the task data, the task id and the annotation id.
describeFormatSuite([csv, tsv], { promises: { data: true } });
