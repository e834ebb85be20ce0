// No request waits on a conversion: while the server converts a project (one task with a
// 50 KB image URL among thousands of others), every /health answer comes within 100 ms.
// The server runs as its own process, as users run it, so the probing client does not
// share its event loop. Needs the packages built (pnpm build).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOX_CONFIG, box, listeningBase, removeDir } from './test-helpers.js';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'lsconv-health-'));
let child: ChildProcess;
let base = '';

const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
  fetch(`${base}${path}`, {
    ...init,
    headers: { authorization: 'Token health-key', 'content-type': 'application/json' },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });

beforeAll(async () => {
  const bin = resolve(import.meta.dirname, '../dist/bin.js');
  child = spawn(process.execPath, [bin, '--port', '0', '--data-dir', dataDir, '--api-key', 'health-key'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  base = await listeningBase(child);
});
afterAll(async () => {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  removeDir(dataDir);
});

describe('requests during a conversion', () => {
  it('/health answers every probe within 100 ms while a task with a 50 KB image URL converts', async () => {
    const created = (await (
      await api('/api/projects', { method: 'POST', json: { label_config: BOX_CONFIG } })
    ).json()) as { id: number };
    const long = { data: { image: `https://example.com/${'a'.repeat(50 * 1024)}.jpg` } };
    // Enough tasks that the conversion lasts well beyond the probes' first answers.
    const tasks = [
      long,
      ...Array.from({ length: 40_000 }, (_, i) => ({ data: { image: `https://example.com/${i}.jpg` } })),
    ].map((task) => ({ ...task, annotations: [{ result: [box('Car'), box('Plane', 'r2')] }] }));
    const imported = await api(`/api/projects/${created.id}/import`, { method: 'POST', json: tasks });
    expect(imported.status).toBe(201);

    // A conversion held on the server's main thread would hold every probe for seconds. A
    // probe can also be late because another process had the two cores at that moment: a
    // run with one such answer is repeated (up to three runs), never an answer of a second.
    const runs: number[][] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const times = await probeDuringExport(created.id);
      runs.push(times);
      const shown = times.map((x) => x.toFixed(0)).join(' ');
      // The conversion ran long enough to be probed many times.
      expect(times.length, shown).toBeGreaterThanOrEqual(20);
      expect(Math.max(...times), shown).toBeLessThan(1000);
      if (Math.max(...times) < 100) break;
    }
    const best = runs.map((times) => Math.max(...times));
    expect(
      Math.min(...best),
      `slowest answer of each run: ${best.map((x) => x.toFixed(0)).join(', ')} ms`,
    ).toBeLessThan(100);
  }, 120_000);
});

/**
 * Starts an easy export of the project and probes /health every 10 ms until it is
 * answered; returns the time of each probe answered while the conversion ran.
 */
async function probeDuringExport(projectId: number): Promise<number[]> {
  let converting = true;
  const exporting = api(`/api/projects/${projectId}/export?exportType=COCO`).then(async (res) => {
    converting = false;
    return { status: res.status, files: unzipSync(new Uint8Array(await res.arrayBuffer())) };
  });
  const times: number[] = [];
  while (converting) {
    const started = performance.now();
    const res = await fetch(`${base}/health`);
    expect(await res.json()).toEqual({ status: 'UP' });
    // Only answers given while the conversion still ran count.
    if (converting) times.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 10));
  }
  const done = await exporting;
  expect(done.status).toBe(200);
  const coco = JSON.parse(new TextDecoder().decode(done.files['result.json'])) as { annotations: unknown[] };
  expect(coco.annotations).toHaveLength(2 * 40_001);
  return times;
}
