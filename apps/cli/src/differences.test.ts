import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.js';
import { fakeIo, tempDir } from './test-helpers.js';

const root = tempDir('lsconv-differences-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CONFIG = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Car"/></RectangleLabels>
</View>`;
const box = (id: string) => ({
  id,
  from_name: 'box',
  to_name: 'image',
  type: 'rectanglelabels',
  original_width: 100,
  original_height: 100,
  value: { x: 10, y: 10, width: 5, height: 5, rectanglelabels: ['Car'] },
});
// Two tasks with three annotations each: the default keeps the latest of each.
const TASKS = [1, 2].map((id) => ({
  id,
  data: { image: `/data/upload/1/${id}.jpg` },
  annotations: [1, 2, 3].map((a) => ({
    id: id * 10 + a,
    created_at: `2024-01-0${a}T00:00:00Z`,
    result: [box(`r${a}`)],
  })),
}));
writeFileSync(join(root, 'tasks.json'), JSON.stringify(TASKS));
writeFileSync(join(root, 'config.xml'), CONFIG);

async function run(out: string, extra: string[], env: Record<string, string>) {
  const io = fakeIo({ env });
  const args = ['export', '-i', join(root, 'tasks.json'), '-c', join(root, 'config.xml'), '-f', 'YOLO'];
  expect(await main([...args, '-o', join(root, out), ...extra], io)).toBe(0);
  return io.err();
}

describe('the default mode says when it differs from the Python converter', () => {
  it('says so on the first run of a format, with how to get its behaviour, then no more', async () => {
    const env = { XDG_STATE_HOME: join(root, 'state') };
    const first = await run('a', [], env);
    expect(first).toMatch(/skipped 4 annotation\(s\) of 2 tasks: left out by --annotation latest/);
    expect(first).toMatch(
      /differs from the Python converter \(said once per format; --compat python gives its output\)/,
    );
    expect(first).toMatch(
      /it exports every annotation of a task; here 4 were left out on 2 tasks \(--annotation all keeps every one\)/,
    );
    expect(
      JSON.parse(readFileSync(join(root, 'state', 'lsconv', 'python-differences.json'), 'utf8')),
    ).toEqual({
      YOLO: true,
    });
    expect(await run('b', [], env)).not.toMatch(/differs from the Python converter/);
  });

  it('says nothing where it does not differ: --annotation all, or --compat python', async () => {
    const env = { XDG_STATE_HOME: join(root, 'state2') };
    expect(await run('c', ['--annotation', 'all'], env)).not.toMatch(/differs/);
    expect(await run('d', ['--compat', 'python'], env)).not.toMatch(/differs/);
    expect(existsSync(join(root, 'state2', 'lsconv', 'python-differences.json'))).toBe(false);
  });
});

describe('VOC rounding and CoNLL token cuts are said too', () => {
  const input = (name: string, tasks: unknown, config: string) => {
    writeFileSync(join(root, `${name}.json`), JSON.stringify(tasks));
    writeFileSync(join(root, `${name}.xml`), config);
    return ['-i', join(root, `${name}.json`), '-c', join(root, `${name}.xml`)];
  };
  async function exportWith(format: string, files: string[], out: string, compat: string[] = []) {
    const io = fakeIo({ env: { XDG_STATE_HOME: join(root, `state-${out}`) } });
    expect(await main(['export', ...files, '-f', format, '-o', join(root, out), ...compat], io)).toBe(0);
    return io.err();
  }

  it('VOC: boxes whose corners the Python converter would cut down are counted', async () => {
    const shifted = { ...box('r1'), value: { ...box('r1').value, x: 10.6, y: 20 } };
    const files = input(
      'voc',
      [
        {
          id: 1,
          data: { image: '/data/upload/1/a.jpg' },
          annotations: [{ id: 1, result: [shifted, box('r2')] }],
        },
      ],
      CONFIG,
    );
    const said = await exportWith('VOC', files, 'voc-a');
    expect(said).toMatch(/it cuts VOC box corners down to whole pixels .*these boxes differ: 1 here/);
    expect(await exportWith('VOC', files, 'voc-b', ['--compat', 'python'])).not.toMatch(/differs/);
  });

  it('CoNLL: tokens cut at a span edge are counted', async () => {
    const text = 'Visit NewYork today';
    // "York" alone is the span: it starts inside the token "NewYork".
    const span = {
      id: 's1',
      from_name: 'label',
      to_name: 'text',
      type: 'labels',
      value: { start: 9, end: 13, text: 'York', labels: ['LOC'] },
    };
    const config =
      '<View><Text name="text" value="$text"/><Labels name="label" toName="text"><Label value="LOC"/></Labels></View>';
    const files = input(
      'conll',
      [{ id: 1, data: { text }, annotations: [{ id: 1, result: [span] }] }],
      config,
    );
    const said = await exportWith('CONLL2003', files, 'conll-a');
    expect(said).toMatch(/it tags whole tokens.*these tokens were split: 1 here/);
    expect(readFileSync(join(root, 'conll-a', 'result.conll'), 'utf8')).toMatch(
      /^New -X- _ O\nYork -X- _ B-LOC$/m,
    );
    expect(await exportWith('CONLL2003', files, 'conll-b', ['--compat', 'python'])).not.toMatch(/differs/);
  });
});
