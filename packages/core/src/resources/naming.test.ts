import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConversionReport } from '../report.js';
import { classifyReference, mediaFileName } from './classify.js';
import { createResourceResolver } from './resolver.js';

const conformance = resolve(import.meta.dirname, '../../../../../shared/fixtures/conformance');

function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe('classifyReference', () => {
  it.each([
    ['https://example.com/img/d.png?x=1', 'http', '488b056e__d.png'],
    ['HTTP://EXAMPLE.COM/a.jpg', 'http', undefined],
    ['/data/local-files/?d=dir/a.jpg', 'local-files', '1232b645__a.jpg'],
    ['/data/upload/7/3f2a9c1e-airport.jpg', 'upload', '3f2a9c1e-airport.jpg'],
    ['upload/7/x.jpg', 'upload', 'x.jpg'],
    ['/upload/7/x.jpg', 'upload', 'x.jpg'],
    ['/storage-data/uploaded/?filepath=upload/7/x.jpg', 'storage-proxy', 'x.jpg'],
    ['s3://bucket/dir/a.jpg', 'cloud', undefined],
    ['gs://bucket/a.jpg', 'cloud', undefined],
    ['azure-blob://container/a.jpg', 'cloud', undefined],
    ['test_image1.jpg', 'path', '235b37ac__test_image1.jpg'],
    ['/image1', 'path', '718f1d05__image1'],
    ['C:\\images\\a.jpg', 'path', undefined],
    ['file:///tmp/a.jpg', 'path', undefined],
    ['data:image/png;base64,AAAA', 'unknown', undefined],
    ['', 'unknown', undefined],
  ])('%s is %s', (url, kind, name) => {
    const c = classifyReference(url);
    expect(c.kind).toBe(kind);
    if (name) expect(c.localName).toBe(name);
  });

  it('hashes the reference exactly as written, not a normalised form', () => {
    expect(classifyReference('https://x.org/a.jpg').localName).not.toBe(
      classifyReference('https://x.org/a.jpg?').localName,
    );
    expect(classifyReference('https://x.org/a.jpg?').localName.endsWith('__a.jpg')).toBe(true);
  });

  it('keeps percent-encoded names as the Python converter does when they are harmless', () => {
    expect(classifyReference('https://x.org/a%20b.jpg').localName).toMatch(/^[0-9a-f]{8}__a%20b\.jpg$/);
  });
});

describe('names match the Python converter on the conformance corpus', () => {
  const cases = readdirSync(conformance).filter((name) => {
    try {
      readFileSync(resolve(conformance, name, 'expected', 'COCO', 'result.json'));
      return true;
    } catch {
      return false;
    }
  });

  it('has COCO cases to check', () => {
    expect(cases).toEqual(expect.arrayContaining(['tpl-bbox', 'tpl-polygons', 'sdk-coco-rect-poly-kp']));
  });

  it.each(cases)('%s: COCO images[].file_name', async (name) => {
    const dir = resolve(conformance, name);
    const tasks = readJson(resolve(dir, 'tasks.json'));
    const expected = readJson(resolve(dir, 'expected', 'COCO', 'result.json'));
    const config = readFileSync(resolve(dir, 'config.xml'), 'utf8');
    const key = /<Image[^>]*value="\$(\w+)"/.exec(config)?.[1] ?? 'image';
    const report = new ConversionReport('COCO');
    // The reference ran from the case folder with no upload dir, no network, downloads off.
    const resolver = createResourceResolver({ baseDir: dir }, report);
    const names: string[] = [];
    for (const task of tasks) {
      const url = task.data[key];
      const resolved = await resolver.resolve(url, { taskId: task.id });
      // What the COCO format will do: a reference that cannot be resolved keeps its raw value.
      names.push(resolved.error ? url : `images/${resolved.localName}`);
    }
    const expectedNames = expected.images.map((image: { file_name: string }) => image.file_name);
    // COCO has one images[] entry per exported annotation; compare the distinct names in order.
    expect(unique(names).filter((n) => expectedNames.includes(n))).toEqual(unique(expectedNames));
  });

  it('tpl-polygons: unresolvable upload references keep their raw value and are reported', async () => {
    const report = new ConversionReport('COCO');
    const resolver = createResourceResolver({}, report);
    const resolved = await resolver.resolve('/data/upload/7/3f2a9c1e-airport.jpg', {
      taskId: 1,
      taskIndex: 0,
    });
    expect(resolved.error).toMatch(/no upload folder/);
    expect(resolved.path).toBeUndefined();
    expect(report.countsByCode()).toEqual({ 'resource-not-found': 1 });
    expect(report.entries()[0]).toMatchObject({ kind: 'resource', taskId: 1, taskIndex: 0 });
    expect(report.entries()[0]?.reason).toContain('/data/upload/7/3f2a9c1e-airport.jpg');
  });

  it('tpl-asr: upload-folder audio keeps its basename, is found, and has the WAV duration', async () => {
    const dir = resolve(conformance, 'tpl-asr');
    const tasks = readJson(resolve(dir, 'tasks.json'));
    const manifest = readFileSync(resolve(dir, 'expected', 'ASR_MANIFEST', 'manifest.json'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    const report = new ConversionReport('ASR_MANIFEST');
    const resolver = createResourceResolver({ uploadDir: resolve(dir, 'upload'), download: true }, report);
    for (const task of tasks) {
      const url: string = task.data.audio;
      const resolved = await resolver.resolve(url);
      expect(resolved.kind).toBe('upload');
      expect(resolved.source).toBe('local');
      expect(resolved.path).toBe(resolve(dir, 'upload', url.replace('/data/upload/', '')));
      const line = manifest.find((m) => m.audio_filepath === `audio/${resolved.localName}`);
      expect(line, resolved.localName).toBeDefined();
      expect(await resolver.audioDuration(url)).toBeCloseTo(line.duration, 9);
    }
    expect(report.skippedCount).toBe(0);
  });
});

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

describe("mediaFileName: the media file's own name, from every storage form", () => {
  it.each([
    ['/data/upload/3/5b6a1c2d-cat_001.jpg', '5b6a1c2d-cat_001.jpg'],
    ['upload/3/dog%20002.jpg', 'dog 002.jpg'],
    ['/data/local-files/?d=dataset/images/cat_001.jpg', 'cat_001.jpg'],
    ['/data/local-files/?d=dataset%2Fnested%20folder%2Fcat%20002.jpg', 'cat 002.jpg'],
    ['/data/local-files/?d=cat.jpg', 'cat.jpg'],
    ['/data/local-files/?d=a%2Fb%26c.jpg&extra=1', 'b&c.jpg'],
    ['/storage-data/uploaded/?filepath=upload/7/dog_003.png', 'dog_003.png'],
    ['/storage-data/uploaded/?filepath=upload%2F7%2Fdog_003.png', 'dog_003.png'],
    ['s3://bucket/train/images/bird_004.jpg', 'bird_004.jpg'],
    ['gs://bucket/fish_005.jpeg', 'fish_005.jpeg'],
    ['azure-blob://container/path/to/frog_006.png', 'frog_006.png'],
    ['https://b.s3.example.com/imgs/owl_007.jpg?X-Amz-Signature=a%2Fb&X-Amz-Date=1', 'owl_007.jpg'],
    ['http://example.com/photos/ant_008.jpg?size=large#frag', 'ant_008.jpg'],
    ['https://example.com/media/%E7%8C%AB_009.jpg', '猫_009.jpg'],
    ['https://example.com/bad%E0.jpg', 'bad%E0.jpg'],
    ['/home/me/images/100%25.png', '100%25.png'],
    ['/data/local-files/?d=', ''],
  ])('%s → %s', (url, name) => {
    expect(mediaFileName(url)).toBe(name);
  });

  it('names Local Storage cache copies after the file, not the query', () => {
    expect(classifyReference('/data/local-files/?d=dataset%2Fnested%2Fcat%20002.jpg').rawName).toBe(
      'cat 002.jpg',
    );
    expect(classifyReference('/data/local-files/?d=dataset/images/cat_001.jpg').rawName).toBe('cat_001.jpg');
  });
});
