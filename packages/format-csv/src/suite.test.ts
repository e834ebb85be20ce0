import { describeFormatSuite } from '@lsconv/testkit';
import { csv, tsv } from './index.js';

describeFormatSuite([csv, tsv]);
