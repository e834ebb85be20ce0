// End-to-end: kills the built command (SIGKILL, SIGTERM) at many moments of an export into
// a folder that already holds an output, and checks that the folder then holds the old
// content or the new one, never a mix.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_BIN, cleanEnv, runCli, tempDir } from './test-helpers.js';

const CONFIG = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image"><Label value="Car"/><Label value="Bus"/></RectangleLabels>
</View>`;

/** `count` tasks, one box each; `shift` moves the boxes so two inputs give different label files. */
function tasks(count: number, shift: number): string {
  const list = Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    data: { image: `/data/upload/1/img-${i}.jpg` },
    annotations: [
      {
        id: i + 1,
        result: [
          {
            id: `r${i}`,
            from_name: 'label',
            to_name: 'image',
            type: 'rectanglelabels',
            original_width: 640,
            original_height: 480,
            value: { x: 10 + shift, y: 10, width: 20, height: 30, rectanglelabels: ['Car'] },
          },
        ],
      },
    ],
  }));
  return JSON.stringify(list);
}

/** Every file under a folder, by relative path, with its content. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

function same(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [path, text] of a) if (b.get(path) !== text) return false;
  return true;
}

function spawnExport(args: readonly string[]) {
  const child = spawn(process.execPath, [CLI_BIN, 'export', ...args], {
    env: cleanEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const closed = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
  return { child, closed };
}

const root = tempDir('lsconv-interrupt-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('an interrupted export leaves the old output or the new one', () => {
  const COUNT = 1000;
  const config = join(root, 'config.xml');
  const oldInput = join(root, 'old.json');
  const newInput = join(root, 'new.json');
  writeFileSync(config, CONFIG);
  writeFileSync(oldInput, tasks(COUNT, 0));
  writeFileSync(newInput, tasks(COUNT, 5));
  const common = ['-c', config, '-f', 'YOLO', '--threads', '1', '-q'];

  /** Exports once into `dir` without interruption; returns the content and how long it took. */
  async function complete(input: string, dir: string, extra: string[] = []) {
    const started = Date.now();
    const run = await runCli(['export', '-i', input, '-o', dir, ...common, ...extra]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return { files: snapshot(dir), ms: Date.now() - started };
  }

  /** Kills exports into copies of `before` at spread moments; each must leave `before` or `after`. */
  async function killAt(
    before: string,
    after: Map<string, string>,
    extra: string[],
    ms: number,
  ): Promise<{ old: number; new: number }> {
    const old = snapshot(before);
    const seen = { old: 0, new: 0 };
    const moments = 10;
    // The last moments fall past the measured time, so a slower run under load still ends in some.
    const reach = 1.5;
    for (let i = 0; i < moments; i++) {
      const target = join(root, `target-${extra.join('')}-${i}`);
      cpSync(before, target, { recursive: true });
      const { child, closed } = spawnExport(['-i', newInput, '-o', target, ...common, ...extra]);
      const signal = i % 2 === 0 ? 'SIGKILL' : 'SIGTERM';
      // From just after the start to past the expected end, so the last moments hit the commit.
      await new Promise((r) => setTimeout(r, Math.round((ms * reach * (i + 1)) / moments)));
      child.kill(signal);
      await closed;
      if (!existsSync(target)) {
        // Killed between the two renames of the swap: the old folder waits beside it and
        // the next export puts it back (core's sink tests check that).
        const aside = readdirSync(root).find(
          (n) => n.startsWith(`.target-${extra.join('')}-${i}.`) && n.endsWith('-old'),
        );
        expect(aside, `moment ${i}: the output is gone and no old copy is beside it`).toBeDefined();
        expect(same(snapshot(join(root, aside!)), old)).toBe(true);
        seen.old++;
        continue;
      }
      const now = snapshot(target);
      const isOld = same(now, old);
      const isNew = same(now, after);
      expect(isOld || isNew, `moment ${i} (${signal}): a mix of old and new files`).toBe(true);
      if (isOld) seen.old++;
      else seen.new++;
      rmSync(target, { recursive: true, force: true });
    }
    return seen;
  }

  it('replacing an output lsconv wrote', async () => {
    const oldOut = join(root, 'old-out');
    const newOut = join(root, 'new-out');
    await complete(oldInput, oldOut);
    const { files: after, ms } = await complete(newInput, newOut);
    expect(after.size).toBeGreaterThan(COUNT);
    const seen = await killAt(oldOut, after, [], ms);
    // The early kills fall before the commit (the later ones before or after it, depending
    // on the machine's load): the folder was never found mixed either way.
    expect(seen.old).toBeGreaterThan(0);
    expect(seen.old + seen.new).toBe(10);
  }, 120_000);

  it('merging into a folder lsconv did not write (--merge)', async () => {
    const foreign = join(root, 'foreign');
    await complete(oldInput, foreign);
    rmSync(join(foreign, '.lsconv-output'));
    writeFileSync(join(foreign, 'labels', 'stale-from-another-project.txt'), '0 0.5 0.5 0.1 0.1\n');
    const merged = join(root, 'merged');
    cpSync(foreign, merged, { recursive: true });
    const { ms } = await complete(newInput, merged, ['--merge']);
    const after = snapshot(merged);
    expect(after.get('labels/stale-from-another-project.txt')).toBeDefined();
    expect(after.has('.lsconv-output')).toBe(false);
    await killAt(foreign, after, ['--merge'], ms);
  }, 120_000);
});
