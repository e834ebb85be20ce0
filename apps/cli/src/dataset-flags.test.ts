// The dataset flags of `lsconv export`: a split layout, a class map read from a file, the
// annotation choice, and clear errors for a class map that cannot be read or does not fit.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.js';
import { fakeIo, tempDir } from './test-helpers.js';

const root = tempDir('lsconv-dataset-flags-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CONFIG = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Car"/><Label value="Bus"/></RectangleLabels>
</View>`;
const TASKS = Array.from({ length: 20 }, (_, i) => ({
  id: i + 1,
  data: { image: `/data/upload/1/${i}.jpg` },
  annotations: [1, 2].map((a) => ({
    id: i * 10 + a,
    completed_by: a,
    created_at: `2024-01-0${a}T00:00:00Z`,
    result: [
      {
        id: `r${a}`,
        from_name: 'box',
        to_name: 'image',
        type: 'rectanglelabels',
        original_width: 100,
        original_height: 100,
        value: { x: 10, y: 10, width: 5, height: 5, rectanglelabels: [a === 1 ? 'Car' : 'Bus'] },
      },
    ],
  })),
}));
writeFileSync(join(root, 'tasks.json'), JSON.stringify(TASKS));
writeFileSync(join(root, 'config.xml'), CONFIG);
writeFileSync(join(root, 'classes.txt'), 'Bus\nCar\nTruck\n');

async function run(out: string, extra: string[]) {
  const io = fakeIo({ env: { XDG_STATE_HOME: join(root, 'state') } });
  const args = ['export', '-i', join(root, 'tasks.json'), '-c', join(root, 'config.xml'), '-f', 'YOLO', '-q'];
  const code = await main([...args, '-o', join(root, out), ...extra], io);
  return { code, err: io.err() };
}

describe('lsconv export dataset flags', () => {
  it('writes the split layout with the class map and the chosen annotator', async () => {
    const { code } = await run('split', [
      '--split',
      'train=0.75,val=0.25',
      '--split-seed',
      '9',
      '--class-map',
      join(root, 'classes.txt'),
      '--annotation',
      'by-annotator=1',
    ]);
    expect(code).toBe(0);
    const out = join(root, 'split');
    expect(readFileSync(join(out, 'classes.txt'), 'utf8')).toBe('Bus\nCar\nTruck\n');
    const train = readdirSync(join(out, 'labels', 'train'));
    const val = readdirSync(join(out, 'labels', 'val'));
    expect(train.length + val.length).toBe(20);
    expect(val.length).toBeGreaterThan(0);
    // Annotator 1 labelled Car, class 1 in the map.
    for (const file of train) expect(readFileSync(join(out, 'labels', 'train', file), 'utf8')).toMatch(/^1 /);
  });

  it('names a class map it cannot read, and lists the labels a class map lacks', async () => {
    const missing = await run('missing', ['--class-map', join(root, 'nope.yaml')]);
    expect(missing.code).not.toBe(0);
    expect(missing.err).toMatch(/cannot read the class map.*nope\.yaml/s);
    writeFileSync(join(root, 'short.txt'), 'Car\n');
    const short = await run('short', ['--class-map', join(root, 'short.txt')]);
    expect(short.code).not.toBe(0);
    expect(short.err).toContain('not in the class map');
    expect(short.err).toContain('"Bus"');
    const extended = await run('extended', ['--class-map', join(root, 'short.txt'), '--class-map-extend']);
    expect(extended.code).toBe(0);
    expect(readFileSync(join(root, 'extended', 'classes.txt'), 'utf8')).toBe('Car\nBus\n');
  });

  it('says in the summary how many regions each --map rule renamed', async () => {
    const io = fakeIo({ env: { XDG_STATE_HOME: join(root, 'state') } });
    const args = ['export', '-i', join(root, 'tasks.json'), '-c', join(root, 'config.xml'), '-f', 'YOLO'];
    const code = await main(
      [...args, '-o', join(root, 'mapped'), '--map', 'Bus=Car', '--annotation', 'all'],
      io,
    );
    expect(code).toBe(0);
    expect(io.err()).toContain('--map Bus=Car: 20 region(s)');
    expect(readFileSync(join(root, 'mapped', 'classes.txt'), 'utf8')).toBe('Car\n');
  });

  it('refuses a split it cannot read', async () => {
    const bad = await run('bad', ['--split', 'train=0.8,train=0.2']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--split must be split names used once');
  });
});
