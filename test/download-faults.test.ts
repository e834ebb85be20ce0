// A 1,000-image export from a server where one image in twenty closes early, one resets,
// one drips a byte a second and one never answers: the export finishes within a few
// deadlines, writes every other image with its labels, and reports exactly the failed
// ones, each with its task and URL. It runs the built formats (`pnpm build` first).
import { join } from 'node:path';
import {
  arrayTaskSource,
  loadRegistry,
  memorySink,
  parseLabelConfig,
  runExport,
  type Task,
} from '@lsconv/core';
import { tinyPng } from '@lsconv/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Fault,
  type FaultServer,
  startFaultServer,
} from '../packages/core/src/resources/test-fault-server.js';

const registry = await loadRegistry({ cwd: join(import.meta.dirname, '..') });
const COUNT = 1000;
const FAULTY: readonly Fault[] = ['close-early', 'reset', 'drip', 'silent'];
const CONFIG = `<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image"><Label value="cat"/></RectangleLabels></View>`;

let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer(tinyPng(8, 6), 1000);
});
afterAll(() => server.close());

/** Image `i` is served faulty for `i % 20` in 0..3 (5% each), well otherwise. */
function faultOf(i: number): Fault {
  return FAULTY[i % 20] ?? 'ok';
}

describe('downloads that fail never stop or hang an export', () => {
  it(`exports ${COUNT} images, 5% each closing early, resetting, dripping and silent`, async () => {
    const tasks: Task[] = Array.from({ length: COUNT }, (_, i) => ({
      id: i + 1,
      data: { image: `${server.url}/${faultOf(i)}/img-${i}.png` },
      annotations: [
        {
          id: i + 1,
          result: [
            {
              id: `r${i}`,
              from_name: 'label',
              to_name: 'image',
              type: 'rectanglelabels',
              original_width: 8,
              original_height: 6,
              value: { x: 10, y: 10, width: 50, height: 50, rectanglelabels: ['cat'] },
            },
          ],
        },
      ],
    }));
    const deadlineMs = 1000;
    const sink = memorySink();
    const started = Date.now();
    const report = await runExport({
      format: registry.formats.get('YOLO_WITH_IMAGES')!.format,
      tasks: arrayTaskSource(tasks),
      config: parseLabelConfig(CONFIG),
      sink,
      compat: 'default',
      resources: {
        download: true,
        deadlineMs,
        timeoutMs: 5000,
        retries: 1,
        retryDelayMs: 10,
        concurrency: 32,
      },
    });
    const took = Date.now() - started;
    const bad = tasks.filter((_, i) => faultOf(i) !== 'ok');
    expect(bad.length).toBe(200);
    // Each slow one is given up at its deadline (downloads run a window of tasks ahead of
    // the writer, so a few deadlines pass in a row); a hang would never end.
    expect(took).toBeLessThan(30 * deadlineMs);
    expect(report.countsByCode()['resource-download-failed']).toBe(200);
    const failed = report.entries().filter((e) => e.code === 'resource-download-failed');
    for (const entry of failed) {
      const task = tasks[entry.taskIndex!]!;
      expect(entry.taskId).toBe(task.id);
      expect(faultOf(entry.taskIndex!)).not.toBe('ok');
      expect(entry.reason).toContain(String(task.data.image));
    }
    const images = [...sink.files.keys()].filter((p) => p.startsWith('images/'));
    const labels = [...sink.files.keys()].filter((p) => p.startsWith('labels/'));
    expect(images.length).toBe(800);
    expect(labels.length).toBe(800);
    for (const fault of FAULTY) expect(server.hits[fault]).toBeGreaterThanOrEqual(50);
  }, 60_000);
});
