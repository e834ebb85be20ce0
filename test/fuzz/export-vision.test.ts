// Fuzz properties of the vision formats (see export-properties.ts).
import { describeExportFuzz, GROUPS } from './export-properties.js';
import { loadDefinitions } from './harness.js';

const { formats } = await loadDefinitions();
describeExportFuzz(formats.filter((f) => GROUPS.vision!.includes(f.id)));
