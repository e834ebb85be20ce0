import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  builtinFormats,
  controlTypes,
  defineFormat,
  type FormatDefinition,
  inputTypes,
  LsconvError,
  type Registry,
} from '@lsconv/core';
import { createLsconvServer, type LsconvServer, type ServerOptions } from './server.js';
import type { NewTask } from './store/types.js';
import { activePgCluster } from './test-postgres.js';

/** The database of each test data folder while a file runs on PostgreSQL (a restart reopens the same one). */
const databases = new Map<string, string>();

/** A registry over given formats (tests do not depend on which format packages are built). */
export function registryOf(formats: readonly FormatDefinition<any>[]): Registry {
  const map = new Map(
    formats.map((format) => [format.id, { format, origin: { package: 'test', version: '0.0.0' } }]),
  );
  return {
    formats: map,
    importers: new Map(),
    problems: [],
    format(id) {
      const entry =
        map.get(id) ?? [...map.values()].find((f) => f.format.id.toLowerCase() === id.toLowerCase());
      if (!entry) throw new LsconvError('UNKNOWN_FORMAT', `unknown format "${id}"`);
      return entry.format;
    },
    importer(id) {
      throw new LsconvError('UNKNOWN_FORMAT', `unknown importer "${id}"`);
    },
  };
}

/** A folder format for tests: one label file per annotated task plus `classes.txt`; needs an Image and RectangleLabels. */
export const boxesFormat = defineFormat({
  id: 'TEST_BOXES',
  title: 'Test boxes',
  description: 'One text file per task listing its rectangle labels.',
  tags: ['object detection'],
  output: 'folder',
  options: { prefix: { type: 'string', description: 'Prefix of each line.', default: '' } },
  supports(config) {
    if (!inputTypes(config).has('Image') || !controlTypes(config).has('RectangleLabels')) {
      return { ok: false, reason: 'needs an Image and RectangleLabels' };
    }
    return { ok: true };
  },
  async export(tasks, ctx) {
    const labels = new Set<string>();
    await ctx.sink.mkdir('labels');
    for await (const task of tasks) {
      const lines: string[] = [];
      for (const a of task.annotations ?? []) {
        for (const r of a.result ?? []) {
          for (const l of (r.value as { rectanglelabels?: string[] })?.rectanglelabels ?? []) {
            labels.add(l);
            lines.push(`${ctx.options.prefix}${l}`);
          }
        }
      }
      await ctx.sink.writeFile(`labels/task-${task.id}.txt`, lines.join('\n'));
      ctx.report.itemsWritten++;
    }
    await ctx.sink.writeFile('classes.txt', [...labels].sort().join('\n'));
  },
});

/** A single-file format for tests: the task ids, one a line. */
export const idsFormat = defineFormat({
  id: 'TEST_IDS',
  title: 'Test ids',
  description: 'Task ids, one a line.',
  output: 'file',
  async export(tasks, ctx) {
    const out = await ctx.sink.createFile('result.txt');
    for await (const task of tasks) await out.write(`${task.id}\n`);
    await out.close();
  },
});

/** A format that writes nothing (a conversion with no output fails, as in Label Studio). */
export const emptyFormat = defineFormat({
  id: 'TEST_EMPTY',
  title: 'Test empty',
  description: 'Writes nothing.',
  output: 'folder',
  async export(tasks) {
    for await (const _ of tasks) void _;
  },
});

/** A format that resolves each task's `data.image` through the resource layer and writes what happened. */
export const fetchFormat = defineFormat({
  id: 'TEST_FETCH',
  title: 'Test fetch',
  description: 'Resolves each image and writes whether it was had.',
  output: 'file',
  async export(tasks, ctx) {
    const out = await ctx.sink.createFile('result.txt');
    for await (const task of tasks) {
      const r = await ctx.resources.resolve(String(task.data.image), { taskId: task.id });
      await out.write(`${r.path ? 'ok' : `missing: ${r.error ?? 'not fetched'}`}\n`);
    }
    await out.close();
  },
});

/** Builtins plus the test formats. */
export const testRegistry = (): Registry =>
  registryOf([...builtinFormats, boxesFormat, idsFormat, emptyFormat, fetchFormat]);

/** A started test server with a client. */
export interface TestServer {
  app: LsconvServer;
  base: string;
  dataDir: string;
  key: string;
  /** fetch with the API key. */
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

/** Starts the real server on a loopback port with a temporary data folder. */
export async function startTestServer(
  options: Partial<ServerOptions> = {},
  dataDir?: string,
): Promise<TestServer> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'lsconv-server-test-'));
  const key = options.apiKey ?? 'test-key';
  const cluster = activePgCluster();
  let database = options.database ?? databases.get(dir);
  if (cluster && !database) {
    database = await cluster.createDatabase();
    databases.set(dir, database);
  }
  const app = await createLsconvServer({
    dataDir: dir,
    ...(database ? { database } : {}),
    apiKey: key,
    registry: testRegistry(),
    log: () => undefined,
    ...options,
  });
  const port = await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  return {
    app,
    base,
    dataDir: dir,
    key,
    api(path, init = {}) {
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Token ${key}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${base}${path}`, {
        ...rest,
        headers,
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      });
    },
    async stop() {
      await app.close();
    },
  };
}

/** Removes a test data folder. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Polls a snapshot until it is completed or failed (and its conversions too). */
export async function waitForSnapshot(
  t: TestServer,
  projectId: number,
  id: number,
): Promise<Record<string, any>> {
  for (;;) {
    const s = (await (await t.api(`/api/projects/${projectId}/exports/${id}`)).json()) as Record<string, any>;
    const convDone = (s.converted_formats as { status: string }[]).every(
      (c) => c.status === 'completed' || c.status === 'failed',
    );
    if ((s.status === 'completed' && convDone) || s.status === 'failed') return s;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The image + rectangles config used by the tests. */
export const BOX_CONFIG =
  '<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image"><Label value="Car"/><Label value="Plane"/></RectangleLabels></View>';

/** A text classification config (the box format is disabled for it). */
export const TEXT_CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>';

/** A rectangle result. */
export function box(label: string, id = 'r1'): Record<string, unknown> {
  return {
    id,
    from_name: 'label',
    to_name: 'image',
    type: 'rectanglelabels',
    original_width: 640,
    original_height: 480,
    value: { x: 10, y: 20, width: 30, height: 40, rotation: 0, rectanglelabels: [label] },
  };
}

/** A stored task for store tests: even numbers are annotated. */
export const storedTestTask = (n: number): NewTask => ({
  json: JSON.stringify({ data: { n } }),
  hasAnnotations: n % 2 === 0,
  hasSkipped: false,
  hasCompleted: n % 2 === 0,
  isLabeled: n % 2 === 0,
  annotations: n % 2 === 0 ? 1 : 0,
  skipped: 0,
  predictions: 0,
});

/** The base URL a started `lsconv-server` process prints once it listens. */
export function listeningBase(child: ChildProcess): Promise<string> {
  return new Promise<string>((done, fail) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) done(m[1]!);
    });
    child.on('exit', () => fail(new Error(`the server exited: ${out}`)));
  });
}

/** The command-line flags that name a test data folder's store: its PostgreSQL database, when a file runs on one. */
export function storeArgs(dataDir: string): string[] {
  const database = databases.get(dataDir);
  return database ? ['--database', database] : [];
}
