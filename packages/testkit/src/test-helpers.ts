import { mkdtempSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';

const created: string[] = [];

/** Removes the folders {@link expectedFolder} made. */
export async function removeTempFolders(): Promise<void> {
  for (const dir of created.splice(0)) await rm(dir, { recursive: true, force: true });
}

/** Writes files (path → text or bytes) under a new temporary folder named like a format's expected folder. */
export async function expectedFolder(
  format: string,
  files: Record<string, string | Uint8Array>,
): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'lsconv-testkit-test-'));
  created.push(root);
  const dir = join(root, format);
  await mkdir(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, ...path.split('/'));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return dir;
}

/** A map of files as a memory sink holds them. */
export function filesOf(files: Record<string, string | Uint8Array>): Map<string, Uint8Array> {
  return new Map(
    Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? new TextEncoder().encode(v) : v]),
  );
}

/** Builds a `.npy` file by hand. */
export function makeNpy(options: {
  descr: string;
  shape: number[];
  data: Uint8Array;
  fortran?: boolean;
  version?: 1 | 2;
  padTo?: number;
}): Uint8Array {
  const shape = options.shape.length === 1 ? `(${options.shape[0]},)` : `(${options.shape.join(', ')})`;
  let header = `{'descr': '${options.descr}', 'fortran_order': ${options.fortran ? 'True' : 'False'}, 'shape': ${shape}, }`;
  const version = options.version ?? 1;
  const prefix = version === 1 ? 10 : 12;
  const align = options.padTo ?? 64;
  const total = Math.ceil((prefix + header.length + 1) / align) * align;
  header = header.padEnd(total - prefix - 1, ' ') + '\n';
  const out = new Uint8Array(prefix + header.length + options.data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), prefix);
  out.set(options.data, prefix + header.length);
  return out;
}

/** Builds a PNG: grey (`L`) from one byte per pixel, or RGB from three. */
export function makePng(
  width: number,
  height: number,
  pixels: number[],
  mode: 'L' | 'RGB' = 'L',
  deflateLevel = 9,
): Uint8Array {
  const colorType = mode === 'L' ? 0 : 2;
  const png = new PNG({ width, height, colorType, inputColorType: colorType, inputHasAlpha: false });
  png.data = Buffer.from(pixels);
  return PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: false, deflateLevel });
}
