// Media names from every storage form Label Studio writes: the project's own conformance
// cases (fixtures/conformance/url-*) hold one case per form, with the Python
// converter's output (renamed where it names a file after the query; see each case.json).
// The testkit suites compare the whole output under --compat python; this file checks the
// names in both compat modes, and that a Local Storage YOLO dataset keeps every file name
// through import and export. It runs the built formats (`pnpm build` first).
import { promises as fs, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  arrayTaskSource,
  type CompatMode,
  ConversionReport,
  loadRegistry,
  memorySink,
  openTaskSource,
  parseLabelConfig,
  resolveOptions,
  runExport,
  type Task,
} from '@lsconv/core';
import { findOwnConformanceDir, loadConformanceCases, tinyPng } from '@lsconv/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const registry = await loadRegistry({ cwd: join(import.meta.dirname, '..') });
const cases = loadConformanceCases(findOwnConformanceDir()).filter((c) => c.name.startsWith('url-'));
const MODES: readonly CompatMode[] = ['default', 'python'];

const tmp: string[] = [];
afterAll(async () => {
  for (const dir of tmp) await fs.rm(dir, { recursive: true, force: true });
});

function filesUnder(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory()
      ? filesUnder(root, path)
      : [relative(root, path).split('\\').join('/')];
  });
}

/** What carries an image's name in each format: file names, VOC `<filename>`, COCO `file_name`. */
function names(formatId: string, files: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [path, text] of files) {
    if (formatId === 'YOLO' && path.startsWith('labels/')) out.push(path);
    if (formatId === 'VOC' && path.startsWith('Annotations/'))
      out.push(`${path} ${/<filename>(.*)<\/filename>/.exec(text)?.[1]}`);
    if (formatId === 'COCO' && path === 'result.json')
      for (const image of JSON.parse(text).images) out.push(`${image.id} ${image.file_name}`);
  }
  return out.sort();
}

async function exportNames(
  formatId: string,
  tasks: ReturnType<typeof openTaskSource>,
  config: string,
  compat: CompatMode,
) {
  const sink = memorySink();
  await runExport({
    format: registry.formats.get(formatId)!.format,
    tasks,
    config: parseLabelConfig(config),
    sink,
    compat,
    input: 'tasks.json',
  });
  return names(formatId, new Map([...sink.files].map(([p, b]) => [p, Buffer.from(b).toString('utf8')])));
}

describe('media names from every storage form', () => {
  it('has a case for every form', () => {
    expect(cases.map((c) => c.name).sort()).toEqual([
      'url-azure-blob',
      'url-gs',
      'url-http-query-fragment',
      'url-local-files',
      'url-local-files-encoded',
      'url-presigned',
      'url-s3',
      'url-storage-proxy',
      'url-upload',
    ]);
  });
  for (const c of cases) {
    for (const formatId of ['YOLO', 'VOC', 'COCO']) {
      for (const compat of MODES) {
        it(`${c.name} ${formatId} --compat ${compat}`, async () => {
          const dir = c.outputs[formatId]!;
          const expected = new Map(filesUnder(dir).map((p) => [p, readFileSync(join(dir, p), 'utf8')]));
          const config = readFileSync(c.configFile!, 'utf8');
          expect(await exportNames(formatId, openTaskSource(c.tasksFile!), config, compat)).toEqual(
            names(formatId, expected),
          );
        });
      }
    }
  }
});

describe('a Local Storage YOLO dataset keeps its file names through import and export', () => {
  const stems = ['cat_001', 'dog 002', 'été-3', 'a+b', '100%', 'x#y'];
  for (const compat of MODES) {
    it(`--compat ${compat}`, async () => {
      const dir = await fs.mkdtemp(join(tmpdir(), 'lsconv-names-'));
      tmp.push(dir);
      await fs.mkdir(join(dir, 'images'));
      await fs.mkdir(join(dir, 'labels'));
      await fs.writeFile(join(dir, 'classes.txt'), 'cat\ndog\n');
      for (const [i, stem] of stems.entries()) {
        await fs.writeFile(join(dir, 'images', `${stem}.png`), tinyPng(64, 48));
        await fs.writeFile(join(dir, 'labels', `${stem}.txt`), `${i % 2} 0.5 0.5 0.25 0.25\n`);
      }
      const { importer } = registry.importers.get('yolo')!;
      const imported = await importer.run({
        input: dir,
        options: resolveOptions('yolo', importer.options, {}),
        report: new ConversionReport('import yolo'),
        compat,
        signal: new AbortController().signal,
      });
      const tasks = imported.tasks as Task[];
      for (const task of tasks) expect(String(task.data.image)).toMatch(/^\/data\/local-files\/\?d=/);
      for (const formatId of ['YOLO', 'VOC']) {
        const got = await exportNames(formatId, arrayTaskSource(tasks), imported.labelConfig, compat);
        const want =
          formatId === 'YOLO'
            ? stems.map((s) => `labels/${s}.txt`)
            : stems.map((s) => `Annotations/${s}.xml ${s.replace('&', '&amp;')}.png`);
        expect(got, formatId).toEqual(want.sort());
      }
    });
  }
});

describe('COCO file_name of a very long image name', () => {
  const long = 'a'.repeat(300);
  const config = readFileSync(join(cases[0]!.dir, 'config.xml'), 'utf8');
  const tasks = [
    {
      id: 1,
      data: { image: `https://example.com/p/${long}.jpg` },
      annotations: [
        {
          id: 1,
          result: [
            {
              id: 'r1',
              from_name: 'label',
              to_name: 'image',
              type: 'rectanglelabels',
              original_width: 100,
              original_height: 80,
              value: { x: 10, y: 20, width: 30, height: 40, rotation: 0, rectanglelabels: ['cat'] },
            },
          ],
        },
      ],
    },
  ] as Task[];

  it("is the Python converter's, whole, under --compat python (nothing is written under it)", async () => {
    // The Python converter's output for this task (its cache name, md5 prefix and all).
    expect(await exportNames('COCO', arrayTaskSource(tasks), config, 'python')).toEqual([
      `0 images/fd878587__${long}.jpg`,
    ]);
  });

  it('is cut to a name every file system takes by default', async () => {
    const [entry] = await exportNames('COCO', arrayTaskSource(tasks), config, 'default');
    const name = entry!.slice('0 images/'.length);
    expect(name.startsWith('fd878587__aaa')).toBe(true);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(250);
  });
});
