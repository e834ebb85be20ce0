// Fuzz properties of the brush formats (see export-properties.ts).
import { describeExportFuzz, GROUPS } from './export-properties.js';
import { loadDefinitions } from './harness.js';

const { formats } = await loadDefinitions();
describeExportFuzz(formats.filter((f) => GROUPS.brush!.includes(f.id)));
