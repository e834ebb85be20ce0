import { PNG } from 'pngjs';
import { DifferenceCollector } from './compare-json.js';
import { type NpyArray, npyReader, parseNpy } from './npy.js';
import { valuesClose } from './numbers.js';

/** Byte equality, reporting sizes and the first differing offset. */
export function compareBytes(expected: Uint8Array, actual: Uint8Array, out: DifferenceCollector): void {
  const n = Math.min(expected.length, actual.length);
  let i = 0;
  while (i < n && expected[i] === actual[i]) i++;
  if (i === n && expected.length === actual.length) return;
  out.add(
    expected.length !== actual.length && i === n
      ? `expected ${expected.length} bytes, got ${actual.length} (one is a prefix of the other)`
      : `bytes differ at offset ${i} (expected ${expected.length} bytes, got ${actual.length}): expected 0x${hex(expected[i])}, got 0x${hex(actual[i])}`,
  );
}

function hex(byte: number | undefined): string {
  return byte === undefined ? '--' : byte.toString(16).padStart(2, '0');
}

/** NumPy `.npy`: shape, dtype and every element (header bytes may differ). */
export function compareNpy(expected: Uint8Array, actual: Uint8Array, out: DifferenceCollector): void {
  let e: NpyArray;
  let a: NpyArray;
  try {
    e = parseNpy(expected);
  } catch (error) {
    out.add(`the expected file is not a readable .npy: ${(error as Error).message}`);
    return;
  }
  try {
    a = parseNpy(actual);
  } catch (error) {
    out.add(`not a readable .npy file: ${(error as Error).message}`);
    return;
  }
  if (e.shape.join(',') !== a.shape.join(',')) {
    out.add(`shape: expected (${e.shape.join(', ')}), got (${a.shape.join(', ')})`);
    return;
  }
  if (e.dtype.kind !== a.dtype.kind || e.dtype.size !== a.dtype.size) {
    out.add(`dtype: expected ${e.dtype.descr}, got ${a.dtype.descr}`);
    return;
  }
  const er = npyReader(e);
  const ar = npyReader(a);
  if (!er || !ar) {
    // Types without element semantics here (strings, structured): compare the data bytes.
    const ed = e.bytes.subarray(e.dataOffset);
    const ad = a.bytes.subarray(a.dataOffset);
    if (e.fortranOrder !== a.fortranOrder) {
      out.add(`fortran_order: expected ${e.fortranOrder}, got ${a.fortranOrder}`);
      return;
    }
    const inner = new DifferenceCollector(1);
    compareBytes(ed, ad, inner);
    for (const m of inner.messages) out.add(`data (dtype ${e.dtype.descr}): ${m}`);
    return;
  }
  const total = e.shape.reduce((p, d) => p * d, 1);
  let mismatches = 0;
  let shown = 0;
  for (let i = 0; i < total; i++) {
    const ev = er(i);
    const av = ar(i);
    const equal =
      typeof ev === 'number' && typeof av === 'number' && (e.dtype.kind === 'f' || a.dtype.kind === 'f')
        ? valuesClose(ev, av)
        : ev === av;
    if (equal) continue;
    mismatches++;
    if (shown < 5 && !out.full) {
      shown++;
      out.add(`element [${multiIndex(i, e.shape).join(', ')}]: expected ${String(ev)}, got ${String(av)}`);
    }
  }
  if (mismatches > shown) out.add(`${mismatches} of ${total} elements differ in all`);
}

function multiIndex(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  let rest = flat;
  for (let k = shape.length - 1; k >= 0; k--) {
    const d = shape[k]!;
    index[k] = d === 0 ? 0 : rest % d;
    rest = d === 0 ? 0 : Math.floor(rest / d);
  }
  return index;
}

/** The PIL mode name of a PNG, from its colour type and bit depth. */
export function pngMode(meta: { colorType: number; depth: number; palette?: boolean }): string {
  if (meta.palette || meta.colorType === 3) return 'P';
  switch (meta.colorType) {
    case 0:
      return meta.depth === 1 ? '1' : meta.depth === 8 ? 'L' : meta.depth === 16 ? 'I;16' : `L;${meta.depth}`;
    case 2:
      return meta.depth === 16 ? 'RGB;16' : 'RGB';
    case 4:
      return meta.depth === 16 ? 'LA;16' : 'LA';
    case 6:
      return meta.depth === 16 ? 'RGBA;16' : 'RGBA';
    default:
      return `colour type ${meta.colorType}`;
  }
}

/** PNG: size, mode and every pixel (compression bytes may differ). */
export function comparePng(expected: Uint8Array, actual: Uint8Array, out: DifferenceCollector): void {
  const read = (bytes: Uint8Array) =>
    PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: true });
  let e: ReturnType<typeof read>;
  let a: ReturnType<typeof read>;
  try {
    e = read(expected);
  } catch (error) {
    out.add(`the expected file is not a readable PNG: ${(error as Error).message}`);
    return;
  }
  try {
    a = read(actual);
  } catch (error) {
    out.add(`not a readable PNG: ${(error as Error).message}`);
    return;
  }
  if (e.width !== a.width || e.height !== a.height) {
    out.add(`size: expected ${e.width}x${e.height}, got ${a.width}x${a.height}`);
    return;
  }
  const em = pngMode(e);
  const am = pngMode(a);
  if (em !== am) {
    out.add(`mode: expected ${em}, got ${am}`);
    return;
  }
  // pngjs expands every image to RGBA; equal modes make the expanded pixels comparable.
  const ed = e.data as unknown as ArrayLike<number>;
  const ad = a.data as unknown as ArrayLike<number>;
  let mismatches = 0;
  let shown = 0;
  for (let p = 0; p < e.width * e.height; p++) {
    let same = true;
    for (let c = 0; c < 4; c++) if (ed[p * 4 + c] !== ad[p * 4 + c]) same = false;
    if (same) continue;
    mismatches++;
    if (shown < 5 && !out.full) {
      shown++;
      const px = (d: ArrayLike<number>) => `(${[0, 1, 2, 3].map((c) => d[p * 4 + c]).join(', ')})`;
      out.add(
        `pixel x=${p % e.width}, y=${Math.floor(p / e.width)}: expected RGBA ${px(ed)}, got RGBA ${px(ad)}`,
      );
    }
  }
  if (mismatches > shown) out.add(`${mismatches} of ${e.width * e.height} pixels differ in all`);
}
