import { describe, expect, it } from 'vitest';
import { downloadName, exportStem, slugify } from './exporter.js';
import { defaultSnapshotTitle, snapshotPlan } from './snapshot-options.js';

describe('Label Studio file names', () => {
  it('names snapshot downloads from the title slug and the md5 suffix', () => {
    expect(downloadName('Alec is cool', 'project-1-at-2026-01-23-16-16-48a6bac9.json')).toBe(
      'alec-is-cool-48a6bac9.json',
    );
    expect(downloadName('My CSV Export', 'project-1-at-2026-01-23-16-16-deadbeef.csv')).toBe(
      'my-csv-export-deadbeef.csv',
    );
    expect(downloadName('', 'project-1-at-2026-01-23-16-16-48a6bac9.json')).toBe(
      'project-1-at-2026-01-23-16-16-48a6bac9.json',
    );
    expect(downloadName('!!!', 'project-1-at-x-1.json')).toBe('project-1-at-x-1.json');
  });

  it('slugifies like Django', () => {
    expect(slugify('  Héllo, Wörld -- 2024 ')).toBe('hello-world-2024');
  });

  it('stamps exports and default titles', () => {
    const at = new Date(2024, 4, 15, 12, 9);
    expect(exportStem(7, 'abcdef0123456789', at)).toBe('project-7-at-2024-05-15-12-09-abcdef01');
    expect(defaultSnapshotTitle('My Project', new Date(Date.UTC(2024, 4, 15, 12, 9)))).toBe(
      'My-Project-at-2024-05-15-12-09',
    );
  });

  it('plans a snapshot from its options', () => {
    const plan = snapshotPlan({
      task_filter_options: null,
      annotation_filter_options: { usual: true },
      serialization_options: null,
    });
    expect(plan.query).toEqual({});
    expect(plan.serialize).toMatchObject({
      annotationFilter: { usual: true, ground_truth: false, skipped: false },
      omitHistory: false,
      expandDrafts: false,
    });
  });
});
