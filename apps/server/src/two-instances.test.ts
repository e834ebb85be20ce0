// Two `lsconv-server` processes on one PostgreSQL database and one shared export
// folder: 20 snapshots with conversions asked of both at once, one instance killed
// (SIGKILL) while it runs some of them. Every job completes exactly once, the other
// instance takes over the dead one's jobs, and the downloads are byte for byte what a
// single SQLite instance gives for the same data.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOX_CONFIG, box, listeningBase, removeDir } from './test-helpers.js';
import { type PgCluster, startPgCluster } from './test-postgres.js';

const BIN = resolve(import.meta.dirname, '../dist/bin.js');
const KEY = 'two-instances-key';
const SNAPSHOTS = 20;
// Formats whose output has no timestamp (COCO's info.date_created differs from run to run).
const FORMATS = ['CSV', 'YOLO'];
const TASKS = Array.from({ length: 1500 }, (_, i) => ({
  data: { image: `https://example.com/img-${i}.jpg`, n: i },
  created_at: '2024-01-01T00:00:00.000000Z',
  updated_at: '2024-01-01T00:00:00.000000Z',
  annotations:
    i % 3 === 0
      ? []
      : [
          {
            id: 1000 + i,
            completed_by: 1,
            result: [box(i % 2 ? 'Car' : 'Plane', `r${i}`)],
            created_at: '2024-01-01',
          },
        ],
}));

interface Instance {
  name: string;
  child: ChildProcess;
  base: string;
  log: string[];
  exited: Promise<NodeJS.Signals | null>;
}

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
const instances: Instance[] = [];
let cluster: PgCluster;

beforeAll(async () => {
  cluster = await startPgCluster();
});
afterAll(async () => {
  for (const i of instances) i.child.kill('SIGKILL');
  await Promise.all(instances.map((i) => i.exited));
  await cluster?.stop();
  for (const d of dirs.splice(0)) removeDir(d);
});

/** Starts `lsconv-server`; resolves once it listens. Its stderr lines are kept in `log`. */
async function start(name: string, args: string[]): Promise<Instance> {
  const child = spawn(
    process.execPath,
    [BIN, '--port', '0', '--api-key', KEY, '--data-dir', tempDir(`lsconv-${name}-`), ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log: string[] = [];
  let pending = '';
  child.stderr!.on('data', (d) => {
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    log.push(...lines);
  });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, signal) => r(signal)));
  const base = await listeningBase(child).catch((error) => {
    throw new Error(`${name}: ${error.message}\n${log.join('\n')}`);
  });
  const instance = { name, child, base, log, exited };
  instances.push(instance);
  return instance;
}

async function api(
  i: Instance,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<Response> {
  return fetch(`${i.base}${path}`, {
    ...init,
    headers: { authorization: `Token ${KEY}`, 'content-type': 'application/json' },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
}
const json = async (r: Response) => (await r.json()) as Record<string, any>;

/** Creates the project and imports the tasks; returns its id. */
async function project(i: Instance): Promise<number> {
  const p = await json(
    await api(i, '/api/projects', { method: 'POST', json: { title: 'Two', label_config: BOX_CONFIG } }),
  );
  expect((await api(i, `/api/projects/${p.id}/import`, { method: 'POST', json: TASKS })).status).toBe(201);
  return p.id;
}

/** Asks for a snapshot and its conversions; returns the snapshot id. */
async function snapshotWithConversions(i: Instance, pid: number): Promise<number> {
  const s = await json(await api(i, `/api/projects/${pid}/exports`, { method: 'POST', json: {} }));
  for (const format of FORMATS) {
    const r = await api(i, `/api/projects/${pid}/exports/${s.id}/convert`, {
      method: 'POST',
      json: { export_type: format },
    });
    expect(r.status, await r.clone().text()).toBe(200);
  }
  return s.id;
}

/** Polls until every snapshot and conversion of the project is completed (or one failed). */
async function allDone(i: Instance, pid: number, ids: number[], timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rows = await Promise.all(
      ids.map(async (id) => json(await api(i, `/api/projects/${pid}/exports/${id}`))),
    );
    const states = rows.flatMap((s) => [s.status, ...s.converted_formats.map((c: any) => c.status)]);
    if (states.every((s) => s === 'completed') || states.includes('failed')) return rows;
    if (Date.now() > until) throw new Error(`not done in time: ${JSON.stringify(states)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The downloads of a snapshot: its JSON and each conversion, as bytes. */
async function downloads(i: Instance, pid: number, id: number): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const type of ['JSON', ...FORMATS]) {
    const r = await api(i, `/api/projects/${pid}/exports/${id}/download?exportType=${type}`);
    expect(r.status, `${type} of snapshot ${id}`).toBe(200);
    out[type] = Buffer.from(await r.arrayBuffer());
  }
  return out;
}

/** Jobs an instance started or finished, from its log lines (`snapshot 3 finished on host:pid`). */
const jobsLogged = (i: Instance, what: 'started' | 'finished') =>
  i.log
    .map((l) => new RegExp(`: ((?:snapshot|conversion) \\d+) ${what} on `).exec(l)?.[1])
    .filter((j): j is string => !!j);
const finished = (i: Instance) => jobsLogged(i, 'finished');

describe('two instances on one PostgreSQL database', () => {
  it('share 20 snapshots with conversions; one is killed and the other finishes its jobs, each exactly once', async () => {
    const database = await cluster.createDatabase();
    const shared = tempDir('lsconv-shared-');
    const common = ['--database', database, '--storage', pathToFileURL(shared).href, '--max-jobs', '2'];
    const [a, b] = [await start('a', common), await start('b', common)];
    const pid = await project(a);
    // Asked of both instances at once, alternately.
    const ids = await Promise.all(
      Array.from({ length: SNAPSHOTS }, (_, n) => snapshotWithConversions(n % 2 ? b : a, pid)),
    );
    // Kill b in the middle, while it runs jobs: once a third of the jobs are done, b did
    // some of them and has started others it has not finished.
    const jobs = SNAPSHOTS * (1 + FORMATS.length);
    const until = Date.now() + 120_000;
    const running = () => jobsLogged(b, 'started').filter((j) => !finished(b).includes(j));
    const middle = () =>
      finished(b).length > 0 && running().length > 0 && finished(a).length + finished(b).length >= jobs / 3;
    while (!middle() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    const cut = running();
    expect(
      finished(b).length,
      `b finished nothing:\n${a.log.join('\n')}\n--- b:\n${b.log.join('\n')}`,
    ).toBeGreaterThan(0);
    b.child.kill('SIGKILL');
    expect(await b.exited).toBe('SIGKILL');
    const doneAtKill = finished(a).length + finished(b).length;

    const rows = await allDone(a, pid, ids, 120_000).catch((error) => {
      throw new Error(`${error.message}\n--- a:\n${a.log.join('\n')}\n--- b:\n${b.log.join('\n')}`);
    });
    const states = rows.flatMap((s) => [s.status, ...s.converted_formats.map((c: any) => c.status)]);
    expect(states).toEqual(Array(SNAPSHOTS * (1 + FORMATS.length)).fill('completed'));
    const split = { a: finished(a).length, b: finished(b).length };
    const takenOver = cut.filter((j) => finished(a).includes(j));
    console.log(
      `two instances: ${jobs} jobs, a finished ${split.a}, b finished ${split.b}; b was killed while running ${cut.join(' and ')} (${doneAtKill} jobs done then), a took ${takenOver.length === cut.length ? 'them' : takenOver.join(' and ')} over, and the rest`,
    );
    expect(split.a).toBeGreaterThan(0);
    expect(split.b).toBeGreaterThan(0);
    // b was running jobs when it died: a took them over and finished them.
    expect(takenOver.length, `b was running ${cut.join(', ')}`).toBeGreaterThan(0);
    // None done twice, none lost. Every job logs its start; a job b completed just before
    // the kill may miss its "finished" line (the states above say it completed): only one
    // b was running then can.
    const all = [...finished(a), ...finished(b)];
    expect(new Set(all).size).toBe(all.length);
    const started = new Set([...jobsLogged(a, 'started'), ...jobsLogged(b, 'started')]);
    expect(started.size).toBe(jobs);
    const unlogged = [...started].filter((j) => !all.includes(j));
    for (const j of unlogged) expect(cut, `${j} has no finished line`).toContain(j);
    expect(all.length + unlogged.length).toBe(jobs);
    // Every file is in the shared folder (a job cut by the kill may have left one more).
    expect(readdirSync(join(shared, 'export', String(pid))).length).toBeGreaterThanOrEqual(jobs);

    // The same data on one SQLite instance: the same bytes, downloaded from the survivor.
    const single = await start('single', []);
    const spid = await project(single);
    const sid = await snapshotWithConversions(single, spid);
    await allDone(single, spid, [sid], 60_000);
    const expected = await downloads(single, spid, sid);
    for (const id of ids) {
      const got = await downloads(a, pid, id);
      for (const type of Object.keys(expected))
        expect(got[type]!.equals(expected[type]!), `${type} of ${id}`).toBe(true);
    }
  }, 300_000);
});
