import { mkdtempSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFORMANCE_DIR_ENV, findConformanceDir, findWorkspaceRoot, loadConformanceCases } from './cases.js';
import { compareOutputs, formatDifferences, listFiles, readFolder } from './compare.js';

const here = dirname(fileURLToPath(import.meta.url));
const cases = loadConformanceCases();

describe('loadConformanceCases', () => {
  afterEach(() => {
    delete process.env[CONFORMANCE_DIR_ENV];
  });

  it('finds the shared cases beside the repository', () => {
    const root = findWorkspaceRoot(here);
    expect(root).toBeDefined();
    expect(findConformanceDir()).toBe(join(root!, '..', 'shared', 'fixtures', 'conformance'));
    expect(cases.length).toBeGreaterThan(10);
  });

  it('reads a case: files, export args, outputs and supported formats', () => {
    const asr = cases.find((c) => c.name === 'tpl-asr');
    expect(asr).toBeDefined();
    expect(asr!.tasksFile).toBe(join(asr!.dir, 'tasks.json'));
    expect(asr!.configFile).toBe(join(asr!.dir, 'config.xml'));
    expect(asr!.exportArgs).toEqual({ upload_dir: 'upload', download_resources: true });
    expect(Object.keys(asr!.outputs).sort()).toEqual(['ASR_MANIFEST', 'CSV', 'JSON', 'JSON_MIN', 'TSV']);
    expect(asr!.supportedFormats).toContain('ASR_MANIFEST');
    expect(asr!.supportedFormats).not.toContain('COCO');
  });

  it('reads import cases without a config', () => {
    const coco = cases.find((c) => c.name === 'import-coco-sdk');
    expect(coco?.configFile).toBeUndefined();
    expect(coco?.tasksFile).toBeUndefined();
    expect(coco?.importSpec).toEqual({ importer: 'coco', input: 'input.json', args: {} });
    expect(Object.keys(coco!.outputs)).toEqual(['IMPORT_COCO']);
  });

  it('finds error files and honours the environment variable', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lsconv-testkit-cases-'));
    try {
      await mkdir(join(root, 'broken', 'expected', 'CSV'), { recursive: true });
      await writeFile(join(root, 'broken', 'expected', 'COCO.error.txt'), 'KeyError: x\n');
      await writeFile(join(root, 'broken', 'tasks.json'), '[]');
      await mkdir(join(root, 'not-a-case'));
      process.env[CONFORMANCE_DIR_ENV] = root;
      expect(findConformanceDir()).toBe(root);
      const found = loadConformanceCases();
      expect(found.map((c) => c.name)).toEqual(['broken']);
      expect(found[0]!.errors).toEqual({ COCO: join(root, 'broken', 'expected', 'COCO.error.txt') });
      expect(Object.keys(found[0]!.outputs)).toEqual(['CSV']);
      expect(found[0]!.configFile).toBeUndefined();
      expect(found[0]!.supportedFormats).toBeUndefined();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('says how to point at the cases when they are missing', () => {
    expect(() => loadConformanceCases(join(tmpdir(), 'lsconv-testkit-no-such-folder'))).toThrow(
      /LSCONV_CONFORMANCE_DIR/,
    );
  });
});

describe('comparer self-check on the reference outputs', () => {
  const folders = cases.flatMap((c) =>
    Object.entries(c.outputs).map(([format, dir]) => ({ name: `${c.name}/${format}`, dir })),
  );

  it('covers every kind of reference output', () => {
    expect(folders.length).toBeGreaterThan(100);
  });

  // One test for all folders: a folder equal to itself proves only that the comparer
  // raises no false alarm (the checks below show it notices real differences).
  it('finds no difference between a reference folder and itself, on disk or read into memory', async () => {
    for (const { name, dir } of folders) {
      const differences = await compareOutputs(dir, dir);
      expect(differences, `${name}\n${formatDifferences(differences)}`).toEqual([]);
      // The same output read into memory, as a sink holds it, must agree too.
      expect(await compareOutputs(dir, await readFolder(dir)), name).toEqual([]);
    }
  });

  it('notices a missing reference file in every folder', async () => {
    for (const { name, dir } of folders) {
      const files = await readFolder(dir);
      const [first] = await listFiles(dir);
      if (!first) continue;
      files.delete(first);
      const differences = await compareOutputs(dir, files);
      expect(differences, name).toEqual([
        { path: first, kind: 'MISSING', detail: `${first} was not written` },
      ]);
    }
  });

  it('notices one changed byte in every file that is compared by content', async () => {
    for (const { name, dir } of folders) {
      const original = await readFolder(dir);
      for (const path of original.keys()) {
        const files = new Map(original);
        const bytes = new Uint8Array(files.get(path)!);
        const at = lastSignificantByte(bytes);
        if (at < 0) continue;
        bytes[at] = bytes[at] === 0x31 ? 0x32 : 0x31;
        files.set(path, bytes);
        const differences = await compareOutputs(dir, files);
        expect(differences.length, `${name}/${path}: a changed byte went unnoticed`).toBeGreaterThan(0);
      }
    }
  });
});

/**
 * A byte that carries content: for text, the first letter or digit outside an XML
 * declaration; for binary files, the last byte. Changing it must change what the
 * comparer sees.
 */
function lastSignificantByte(bytes: Uint8Array): number {
  const text = new TextDecoder().decode(bytes);
  const binary = text.includes('\uFFFD') || bytes.includes(0);
  if (binary) return bytes.length - 1;
  // The first letter or digit: ignored values (dates, years, colours) come later in
  // their files; an XML declaration is skipped because declarations are not compared.
  const start = text.startsWith('<?xml') ? text.indexOf('?>') + 2 : 0;
  for (let i = start; i < bytes.length; i++) {
    const c = bytes[i]!;
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return i;
  }
  return -1;
}
