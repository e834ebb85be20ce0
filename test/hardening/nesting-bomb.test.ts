// A deep-nesting bomb in a task file: a million `[` or `{"a":` levels. JSON.parse itself
// copes (it is iterative), but everything that walks a task afterwards recurses; the
// input must be refused with a clear error before that, and never by a stack overflow.
import { createWriteStream, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directorySink, isLsconvError, json, openTaskSource, runExport } from '@lsconv/core';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

const LEVELS = 1_000_000;
const root = mkdtempSync(join(tmpdir(), 'lsconv-bomb-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function writeBomb(name: string, parts: readonly string[]): Promise<string> {
  const file = join(root, name);
  const out = createWriteStream(file);
  for (const part of parts) if (!out.write(part)) await new Promise((r) => out.once('drain', r));
  await new Promise((r) => out.end(r));
  return file;
}

const BOMBS: Record<string, () => string[]> = {
  'brackets in a task list': () => ['[{"data":{"x":', '['.repeat(LEVELS), ']'.repeat(LEVELS), '}}]'],
  'a bare bracket bomb': () => ['['.repeat(LEVELS), ']'.repeat(LEVELS)],
  'objects in a lone task': () => ['{"data":', '{"a":'.repeat(LEVELS), '1', '}'.repeat(LEVELS), '}'],
  'an unclosed bomb in JSON Lines': () => ['{"data":{}}\n{"data":', '{"a":['.repeat(LEVELS)],
};

describe('deep-nesting bomb in a task file', () => {
  for (const [name, parts] of Object.entries(BOMBS)) {
    it(`${name}: refused with an INPUT_PARSE error naming the file and the task`, async () => {
      const file = await writeBomb(`${name.replace(/ /g, '-')}.json`, parts());
      const out = join(root, `out-${name.replace(/ /g, '-')}`);
      const error = await runExport({
        format: json,
        tasks: openTaskSource(file),
        sink: directorySink(out),
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isLsconvError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'INPUT_PARSE', location: { file } });
      expect((error as Error).message).toMatch(/nest/i);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(root).filter((n) => n.includes('lsconv-tmp'))).toEqual([]);
    });
  }

  it('through the CLI: exit 1 with one line, no stack overflow', async () => {
    const file = await writeBomb('cli-bomb.json', BOMBS['brackets in a task list']!());
    const { code, err } = await runCli([
      'export',
      '-i',
      file,
      '-o',
      join(root, 'cli-out'),
      '-f',
      'JSON',
      '-q',
    ]);
    expect(code).toBe(1);
    expect(err).toMatch(/^lsconv: .*nest.*cli-bomb\.json.*\n$/);
    expect(err).not.toMatch(/internal error|call stack/i);
  });
});
