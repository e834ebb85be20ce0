// A full disk in the middle of an export: file writes start failing with ENOSPC after a
// few kilobytes. The export must stop with one clear line naming the output, and leave
// nothing half-written: no output under the final name, no temporary files.
import { existsSync, mkdtempSync, promises, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  arrayTaskSource,
  directorySink,
  isLsconvError,
  json,
  openTaskSource,
  runExport,
  zipStreamSink,
} from '@lsconv/core';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './cli.js';

const root = mkdtempSync(join(tmpdir(), 'lsconv-disk-full-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const TASKS = Array.from({ length: 3000 }, (_, i) => ({
  id: i + 1,
  data: { text: `task ${i} ${'x'.repeat(100)}` },
  annotations: [],
}));
const inputFile = join(root, 'tasks.json');
writeFileSync(inputFile, JSON.stringify(TASKS));

function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
}

/**
 * Makes every file opened or written under `dir` fail with ENOSPC once `budget` bytes
 * have been written there in total, as a disk that fills up does.
 */
function fillDiskAfter(dir: string, budget: number): void {
  let used = 0;
  const spend = (n: number) => {
    used += n;
    if (used > budget) throw enospc();
  };
  const realOpen = promises.open.bind(promises);
  vi.spyOn(promises, 'open').mockImplementation(async (...args: Parameters<typeof promises.open>) => {
    const handle = await realOpen(...args);
    if (!String(args[0]).startsWith(dir)) return handle;
    const realWrite = handle.write.bind(handle);
    (handle as any).write = async (data: Uint8Array | string, ...rest: any[]) => {
      spend(typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength);
      return realWrite(data as Uint8Array, ...rest);
    };
    return handle;
  });
  const realWriteFile = promises.writeFile.bind(promises);
  vi.spyOn(promises, 'writeFile').mockImplementation(
    async (...args: Parameters<typeof promises.writeFile>) => {
      const [path, data] = args;
      if (String(path).startsWith(dir))
        spend(typeof data === 'string' ? Buffer.byteLength(data) : (data as Uint8Array).byteLength);
      return realWriteFile(...args);
    },
  );
}

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.includes('lsconv-tmp'));
}

describe('a full disk during an export', () => {
  it('runExport: one OUTPUT_WRITE line naming the output, nothing left behind', async () => {
    const parent = mkdtempSync(join(root, 'core-'));
    const out = join(parent, 'out');
    fillDiskAfter(parent, 64 * 1024);
    const error = await runExport({
      format: json,
      tasks: openTaskSource(inputFile),
      sink: directorySink(out),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isLsconvError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'OUTPUT_WRITE' });
    const message = (error as Error).message;
    expect(message).not.toMatch(/\n/);
    expect(message).toContain(out);
    expect(message).toMatch(/ENOSPC/);
    expect(message).toMatch(/disk is full/);
    expect(existsSync(out)).toBe(false);
    expect(leftovers(parent)).toEqual([]);
  });

  it('the CLI: exit 1, one line naming the output, nothing left behind', async () => {
    const parent = mkdtempSync(join(root, 'cli-'));
    const out = join(parent, 'out');
    fillDiskAfter(parent, 64 * 1024);
    const { code, err } = await runCli([
      'export',
      '-i',
      inputFile,
      '-o',
      out,
      '-f',
      'JSON',
      '--threads',
      '1',
      '-q',
    ]);
    expect(code).toBe(1);
    expect(err).toMatch(/^lsconv: cannot write .*ENOSPC.* — the disk is full\n$/);
    expect(err).toContain(out);
    expect(existsSync(out)).toBe(false);
    expect(leftovers(parent)).toEqual([]);
  });

  it('a zip stream that fails after N bytes stops the export with an error instead of waiting forever', async () => {
    let written = 0;
    const failing = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        // Asynchronous, as a file write is: the zip writer is waiting for 'drain' by then.
        setImmediate(() => callback(written > 8 * 1024 ? enospc() : null));
      },
    });
    const error = await runExport({
      format: json,
      tasks: arrayTaskSource(TASKS),
      sink: zipStreamSink(failing, { level: 0, name: 'export.zip' }),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isLsconvError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'OUTPUT_WRITE', hint: 'the disk is full' });
    expect((error as Error).message).toMatch(/^cannot write export\.zip: ENOSPC.*— the disk is full$/);
  });
});
