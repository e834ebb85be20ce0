import { json } from '@lsconv/core';
import { describeFormatSuite } from './suite/index.js';

// The built-in JSON format writes every task back as it came, so the Python
// converter's task selection (nothing for cancelled-only tasks) does not apply.
describeFormatSuite(json, { writesEveryTask: true, promises: { data: true } });
