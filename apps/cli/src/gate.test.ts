import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.js';
import { CONFORMANCE, fakeIo, tempDir } from './test-helpers.js';

const root = tempDir('lsconv-gate-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const NER = join(CONFORMANCE, 'tpl-ner-conll');
const BBOX = join(CONFORMANCE, 'tpl-bbox');

// One box, two Choices and a TextArea: COCO writes the box and skips three regions for two reasons.
const CONFIG = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Car"/></RectangleLabels>
  <Choices name="quality" toName="image"><Choice value="good"/></Choices>
  <TextArea name="note" toName="image"/>
</View>`;
const region = (id: string, from: string, type: string, value: object) => ({
  id,
  from_name: from,
  to_name: 'image',
  type,
  original_width: 100,
  original_height: 100,
  value,
});
const TASKS = [
  {
    id: 1,
    data: { image: '/data/upload/1/a.jpg' },
    annotations: [
      {
        id: 1,
        result: [
          region('b1', 'box', 'rectanglelabels', {
            x: 1,
            y: 1,
            width: 5,
            height: 5,
            rectanglelabels: ['Car'],
          }),
          region('c1', 'quality', 'choices', { choices: ['good'] }),
          region('c2', 'quality', 'choices', { choices: ['good'] }),
          region('t1', 'note', 'textarea', { text: ['hi'] }),
        ],
      },
    ],
  },
];
writeFileSync(join(root, 'config.xml'), CONFIG);
writeFileSync(join(root, 'tasks.json'), JSON.stringify(TASKS));

async function exportTo(out: string, args: string[]) {
  const io = fakeIo();
  const code = await main(['export', '-o', join(root, out), ...args], io);
  return { code, err: io.err() };
}

describe('exit codes and summaries', () => {
  it('exits 3 and writes nothing when every region of the input was skipped; --allow-empty exits 0', async () => {
    const ner = ['-i', join(NER, 'tasks.json'), '-c', join(NER, 'config.xml'), '-f', 'COCO', '--force'];
    const empty = await exportTo('empty', ner);
    expect(empty.code).toBe(3);
    expect(empty.err).toMatch(/skipped 6 region\(s\)( of \d+ tasks)?: COCO cannot carry Labels results/);
    expect(empty.err).toMatch(
      /lsconv: no region was written: the input's regions were all skipped \(6 skips.*--allow-empty/,
    );
    expect(existsSync(join(root, 'empty'))).toBe(false);
    const allowed = await exportTo('allowed', [...ner, '--allow-empty', '-q']);
    expect(allowed.code).toBe(0);
    expect(existsSync(join(root, 'allowed', 'result.json'))).toBe(true);

    const image = ['-i', join(BBOX, 'tasks.json'), '-c', join(NER, 'config.xml'), '-f', 'CONLL2003'];
    expect((await exportTo('conll', [...image, '--force'])).code).toBe(3);
  });

  it('lists every skip reason with its count', async () => {
    const run = await exportTo('coco', [
      '-i',
      join(root, 'tasks.json'),
      '-c',
      join(root, 'config.xml'),
      '-f',
      'COCO',
    ]);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(
      /skipped 3 region\(s\) of 1 tasks:\n {4}2: COCO cannot carry Choices results.*\n {4}1: COCO cannot carry TextArea results/,
    );
  });

  it('--fail-on lossy exits 4 and leaves the output as it was; --strict too; a bad name is a usage error', async () => {
    const args = ['-i', join(root, 'tasks.json'), '-c', join(root, 'config.xml'), '-f', 'COCO'];
    const report = join(root, 'report.json');
    const lossy = await exportTo('lossy', [...args, '--fail-on', 'lossy', '--report', report]);
    expect(lossy.code).toBe(4);
    expect(lossy.err).toMatch(/lsconv: the export lost what --fail-on forbids: lossy 3/);
    expect(existsSync(join(root, 'lossy'))).toBe(false);
    expect(JSON.parse(readFileSync(report, 'utf8')).skipped[0].reasons).toEqual([
      { reason: expect.stringMatching(/Choices/), count: 2 },
      { reason: expect.stringMatching(/TextArea/), count: 1 },
    ]);
    expect((await exportTo('media', [...args, '--fail-on', 'media,clipped', '-q'])).code).toBe(0);
    expect((await exportTo('strict', [...args, '--strict', '-q'])).code).toBe(4);
    expect((await exportTo('bad', [...args, '--fail-on', 'lossy,everything'])).code).toBe(2);
  });
});

describe('skipped resources', () => {
  it('VOC reports no skipped resource for an image it only reads for its channel count', async () => {
    const run = await exportTo('voc', [
      '-i',
      join(BBOX, 'tasks.json'),
      '-c',
      join(BBOX, 'config.xml'),
      '-f',
      'VOC',
    ]);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/^VOC: 3 tasks read/);
    expect(run.err).not.toMatch(/resource/);
  });

  it('counts missing images under one reason, whatever their names', async () => {
    const three = TASKS[0]!.annotations[0]!.result[0]!;
    const tasks = [0, 1, 2].map((i) => ({
      id: i + 1,
      data: { image: `/data/upload/1/missing-${i}.jpg` },
      annotations: [{ id: i + 1, result: [three] }],
    }));
    writeFileSync(join(root, 'three.json'), JSON.stringify(tasks));
    const run = await exportTo('coco-images', [
      '-i',
      join(root, 'three.json'),
      '-c',
      join(root, 'config.xml'),
      '-f',
      'COCO_WITH_IMAGES',
    ]);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/skipped 3 resource\(s\): "[^"]+": /);
    expect(run.err).not.toMatch(/ {4}1: /);
  });
});
