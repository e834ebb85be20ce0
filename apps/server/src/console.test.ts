import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportCommand } from './cli.js';
import { BOX_CONFIG, box, removeDir, startTestServer, storeArgs, testRegistry } from './test-helpers.js';

let dataDir: string;
let pid: number;
const out = mkdtempSync(join(tmpdir(), 'lsconv-console-out-'));

beforeAll(async () => {
  const t = await startTestServer();
  dataDir = t.dataDir;
  pid = (
    (await (
      await t.api('/api/projects', { method: 'POST', json: { title: 'Console', label_config: BOX_CONFIG } })
    ).json()) as { id: number }
  ).id;
  await t.api(`/api/projects/${pid}/import`, {
    method: 'POST',
    json: [
      {
        data: { image: 'a.jpg' },
        annotations: [
          {
            completed_by: { id: 3, email: 'c@example.com', first_name: 'C', last_name: 'D' },
            result: [box('Car')],
          },
        ],
      },
      { data: { image: 'b.jpg' } },
    ],
  });
  await t.stop();
});
afterAll(() => {
  removeDir(dataDir);
  removeDir(out);
});

describe('lsconv-server export', () => {
  it('writes every task as JSON with completed_by expanded, named like Label Studio', async () => {
    const log = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const dir = join(out, 'json');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    const code = await exportCommand(
      [String(pid), 'json', '--export-path', dir, '--data-dir', dataDir, ...storeArgs(dataDir)],
      testRegistry(),
    );
    log.mockRestore();
    expect(code).toBe(0);
    const [name] = readdirSync(dir);
    expect(name).toMatch(new RegExp(`^project-${pid}-at-.*-[0-9a-f]{8}\\.json$`));
    const tasks = JSON.parse(readFileSync(join(dir, name!), 'utf8')) as Record<string, any>[];
    expect(tasks).toHaveLength(2);
    expect(tasks[0]!.annotations[0].completed_by).toEqual({
      id: 3,
      email: 'c@example.com',
      first_name: 'C',
      last_name: 'D',
    });
  });

  it('zips a multi-file format to the given file path', async () => {
    const target = join(out, 'boxes.zip');
    const log = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const code = await exportCommand(
      [String(pid), 'TEST_BOXES', '--export-path', target, '--data-dir', dataDir, ...storeArgs(dataDir)],
      testRegistry(),
    );
    log.mockRestore();
    expect(code).toBe(0);
    expect(Object.keys(unzipSync(readFileSync(target)))).toContain('classes.txt');
  });

  it('fails with a message for an unknown project or format', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(
      await exportCommand(['999', 'JSON', '--data-dir', dataDir, ...storeArgs(dataDir)], testRegistry()),
    ).toBe(1);
    expect(
      await exportCommand(
        [String(pid), 'NOPE', '--data-dir', dataDir, ...storeArgs(dataDir)],
        testRegistry(),
      ),
    ).toBe(1);
    const messages = err.mock.calls.map((c) => String(c[0])).join('');
    err.mockRestore();
    expect(messages).toMatch(/project 999 does not exist/);
    expect(messages).toMatch(/unknown format "NOPE"/);
  });
});

describe('lsconv-server key', () => {
  it('prints a new key, stores only its hash, and refuses a folder without data', async () => {
    const { runCli } = await import('./cli.js');
    const printed: string[] = [];
    const log = vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
      printed.push(String(text));
      return true;
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runCli(['key', '--data-dir', dataDir, ...storeArgs(dataDir)])).toBe(0);
      const key = printed.join('').trim();
      expect(key).toMatch(/^[0-9a-f]{40}$/);
      for (const f of readdirSync(dataDir).filter((name) => name.startsWith('lsconv.db')))
        expect(readFileSync(join(dataDir, f)).includes(key), f).toBe(false);
      const t = await startTestServer({ apiKey: undefined }, dataDir);
      try {
        const res = await fetch(`${t.base}/api/projects`, { headers: { authorization: `Token ${key}` } });
        expect(res.status).toBe(200);
      } finally {
        await t.app.close();
      }
      // A folder without data, or (on PostgreSQL) a database that does not answer.
      const elsewhere = storeArgs(dataDir).length ? ['--database', 'postgres://lsconv@127.0.0.1:1/none'] : [];
      expect(await runCli(['key', '--data-dir', join(out, 'nothing-here'), ...elsewhere])).toBe(1);
      if (elsewhere.length)
        expect(err.mock.calls.flat().join('')).toMatch(
          /lsconv-server key: the database postgres:.*ECONNREFUSED/,
        );
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });
});
