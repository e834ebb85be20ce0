// Truncated and corrupted exports: every prefix of a real export, every byte flipped and
// garbage inserted at every position, fed through the core API and through the CLI entry.
// Each one must either succeed (when what is left is still a valid export) or fail with
// an LsconvError naming the file, and never leave anything under the output name.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  directorySink,
  isLsconvError,
  type LsconvError,
  memorySink,
  openTaskSource,
  parseLabelConfig,
  runExport,
} from '@lsconv/core';
import { jsonMin } from '@lsconv/format-json-min';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from './cli.js';

const CASES = resolve(REPO, '../shared/fixtures/conformance');
const SAMPLE = join(CASES, 'sdk-json-min-polygons');
const bytes = readFileSync(join(SAMPLE, 'tasks.json'));
const configXml = readFileSync(join(SAMPLE, 'config.xml'), 'utf8');
const config = parseLabelConfig(configXml);

const root = mkdtempSync(join(tmpdir(), 'lsconv-corrupt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What a parse of the whole input as one JSON document (or JSON Lines) says. */
function isValidJson(data: Buffer): boolean {
  const text = data.toString('utf8');
  if (text.trim() === '') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

type Outcome = { ok: true } | { ok: false; error: unknown };

async function exportThroughCore(input: string, out: string | undefined): Promise<Outcome> {
  try {
    await runExport({
      format: jsonMin,
      // Small reads, so values are cut across chunks too.
      tasks: openTaskSource(input, { chunkSize: 256 }),
      config,
      sink: out === undefined ? memorySink() : directorySink(out),
      input,
    });
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Checks one damaged input's outcome; returns a description of what went wrong, or undefined. */
function judge(outcome: Outcome, input: string, data: Buffer, out: string | undefined): string | undefined {
  const leftovers = readdirSync(root).filter((n) => n.includes('lsconv-tmp'));
  if (leftovers.length) return `temporary output left behind: ${leftovers.join(', ')}`;
  if (outcome.ok) {
    if (out !== undefined) rmSync(out, { recursive: true, force: true });
    return undefined;
  }
  if (out !== undefined && existsSync(out)) return 'a failed export left output under the final name';
  const error = outcome.error;
  if (!isLsconvError(error)) return `not an LsconvError: ${String((error as Error)?.stack ?? error)}`;
  if (error.code === 'INTERNAL') return `internal error: ${error.message}`;
  if ((error as LsconvError).location.file !== input) return `error does not name the file: ${error.message}`;
  if (isValidJson(data) && error.code === 'INPUT_PARSE')
    return `valid JSON refused as unparsable: ${error.message}`;
  return undefined;
}

describe('truncated export, every byte boundary', () => {
  it('through openTaskSource + runExport: succeeds or fails with an LsconvError naming the file', async () => {
    const input = join(root, 'truncated.json');
    const out = join(root, 'out-core');
    const problems: string[] = [];
    let failed = 0;
    for (let length = 0; length <= bytes.length; length++) {
      const data = bytes.subarray(0, length);
      writeFileSync(input, data);
      const outcome = await exportThroughCore(input, out);
      if (!outcome.ok) failed++;
      const problem = judge(outcome, input, data, out);
      if (problem) problems.push(`prefix of ${length} bytes: ${problem}`);
      // A whole, valid export must go through.
      if (length === bytes.length && !outcome.ok) problems.push('the complete export failed');
    }
    expect(problems.slice(0, 5)).toEqual([]);
    // Most prefixes are broken JSON: the check above really ran on failures.
    expect(failed).toBeGreaterThan(bytes.length / 2);
  });

  it('parse errors name the task index and the byte offset', async () => {
    const input = join(root, 'cut.json');
    // Cut inside the second task: the first one is complete.
    const second = bytes.indexOf('{', bytes.indexOf('}\n  },') + 1);
    const data = Buffer.concat([bytes.subarray(0, second + 20), Buffer.from(']')]);
    writeFileSync(input, data);
    const outcome = await exportThroughCore(input, join(root, 'out-cut'));
    expect(outcome.ok).toBe(false);
    const error = (outcome as { error: LsconvError }).error;
    expect(isLsconvError(error)).toBe(true);
    expect(error.location.file).toBe(input);
    expect(error.location.taskIndex ?? error.location.offset).toBeDefined();
    expect(error.message).toContain(input);
  });

  it('through the CLI entry: exit 1 and one line naming the file, or success; nothing half-written', async () => {
    const input = join(root, 'cli-truncated.json');
    const configFile = join(root, 'config.xml');
    writeFileSync(configFile, configXml);
    const out = join(root, 'out-cli');
    const problems: string[] = [];
    // Every boundary of the first 300 bytes (the header and the first task, where the
    // structure is), then every 23rd: the CLI loads its plugins per run.
    for (let length = 0; length <= bytes.length; length += length < 300 ? 1 : 23) {
      const data = bytes.subarray(0, length);
      writeFileSync(input, data);
      const { code, err } = await runCli([
        'export',
        '-i',
        input,
        '-c',
        configFile,
        '-o',
        out,
        '-f',
        'JSON_MIN',
        '--threads',
        '1',
        '-q',
      ]);
      const leftovers = readdirSync(root).filter((n) => n.includes('lsconv-tmp'));
      if (leftovers.length) problems.push(`${length}: leftovers ${leftovers.join(', ')}`);
      if (code === 0) {
        rmSync(out, { recursive: true, force: true });
        continue;
      }
      if (code !== 1) problems.push(`${length}: exit code ${code}`);
      if (existsSync(out)) problems.push(`${length}: output left under the final name`);
      const lines = err.trimEnd().split('\n');
      if (lines.length !== 1 || !lines[0]!.startsWith('lsconv: ') || !lines[0]!.includes(input))
        problems.push(`${length}: stderr ${JSON.stringify(err)}`);
      if (err.includes('internal error')) problems.push(`${length}: ${err}`);
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });
});

describe('corrupted export, every position', () => {
  // A small export: one task with one region, so every position can be tried quickly.
  const small = Buffer.from(
    `${JSON.stringify(
      [
        {
          id: 1,
          data: { image: '/data/upload/1/a.jpg' },
          annotations: [
            {
              id: 2,
              result: [
                {
                  id: 'r',
                  from_name: 'label',
                  to_name: 'image',
                  type: 'polygonlabels',
                  original_width: 10,
                  original_height: 10,
                  value: {
                    points: [
                      [1, 2],
                      [3, 4],
                      [5, 1],
                    ],
                    polygonlabels: ['Car'],
                  },
                },
              ],
            },
          ],
        },
      ],
      null,
      1,
    )}\n`,
  );
  const GARBAGE = ['\u0000', '}{', '[', ',', '"', '\\', '1e999'];

  it('a flipped byte at every position: success or an LsconvError naming the file', async () => {
    const input = join(root, 'flipped.json');
    // In memory: the truncation tests above cover what a failure leaves on disk.
    const out = undefined;
    const problems: string[] = [];
    for (let i = 0; i < small.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const data = Buffer.from(small);
        data[i] = data[i]! ^ mask;
        writeFileSync(input, data);
        const problem = judge(await exportThroughCore(input, out), input, data, out);
        if (problem) problems.push(`byte ${i} ^ ${mask}: ${problem}`);
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });

  it('garbage inserted at every position: success or an LsconvError naming the file', async () => {
    const input = join(root, 'garbage.json');
    const out = undefined;
    const problems: string[] = [];
    for (let i = 0; i <= small.length; i++) {
      for (const junk of GARBAGE) {
        const data = Buffer.concat([small.subarray(0, i), Buffer.from(junk), small.subarray(i)]);
        writeFileSync(input, data);
        const problem = judge(await exportThroughCore(input, out), input, data, out);
        if (problem) problems.push(`${JSON.stringify(junk)} at ${i}: ${problem}`);
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });
});
