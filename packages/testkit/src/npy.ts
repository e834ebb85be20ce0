/** A NumPy element type: kind (`b`, `i`, `u`, `f`, `c`, `U`, `S`, …), item size, byte order. */
export interface NpyDtype {
  /** The descr as written (`<u1`, `|b1`, `>f8`). */
  descr: string;
  kind: string;
  size: number;
  littleEndian: boolean;
}

/** A parsed `.npy` file. */
export interface NpyArray {
  version: string;
  dtype: NpyDtype;
  fortranOrder: boolean;
  shape: number[];
  /** The whole file. */
  bytes: Uint8Array;
  /** Where the element data starts in {@link NpyArray.bytes}. */
  dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Parses a NumPy `.npy` file (format versions 1.0, 2.0 and 3.0): the magic, the
 * header dict (`descr`, `fortran_order`, `shape`) and the data offset. Throws
 * with a reason when the file is not a valid `.npy` or its data is short.
 */
export function parseNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new Error('missing the \\x93NUMPY magic');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error('truncated header');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new Error(`unsupported format version ${major}.${minor}`);
  }
  const dataOffset = headerStart + headerLength;
  if (dataOffset > bytes.length) throw new Error('truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, dataOffset),
  );
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  if (descr === undefined) throw new Error(`header has no simple 'descr': ${header.trim()}`);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  if (fortran === undefined) throw new Error(`header has no 'fortran_order': ${header.trim()}`);
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) throw new Error(`header has no 'shape': ${header.trim()}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad shape (${shapeText})`);
      return n;
    });
  const dtype = parseDescr(descr);
  const count = shape.reduce((p, d) => p * d, 1);
  if (bytes.length - dataOffset < count * dtype.size) {
    throw new Error(
      `data is ${bytes.length - dataOffset} bytes, shape (${shape.join(', ')}) of ${descr} needs ${count * dtype.size}`,
    );
  }
  return { version: `${major}.${minor}`, dtype, fortranOrder: fortran === 'True', shape, bytes, dataOffset };
}

/** Reads a descr such as `<u1`, `|b1`, `>f8`, `<U5`. */
export function parseDescr(descr: string): NpyDtype {
  const match = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  if (!match) throw new Error(`unsupported dtype ${JSON.stringify(descr)}`);
  const [, order, kind, digits] = match as unknown as [string, string, string, string];
  let size = digits === '' ? 1 : Number(digits);
  // `U` counts UCS-4 characters, not bytes.
  if (kind === 'U') size *= 4;
  return { descr, kind, size, littleEndian: order !== '>' };
}

/**
 * A function reading element `i` (in C order, whatever the file's order) as a
 * number, bigint or boolean, or undefined for element types it does not decode.
 */
export function npyReader(array: NpyArray): ((i: number) => number | bigint | boolean) | undefined {
  const { dtype, bytes, dataOffset, shape, fortranOrder } = array;
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataOffset, bytes.byteLength - dataOffset);
  const le = dtype.littleEndian;
  const key = `${dtype.kind}${dtype.size}`;
  const at: Record<string, (o: number) => number | bigint | boolean> = {
    b1: (o) => view.getUint8(o) !== 0,
    i1: (o) => view.getInt8(o),
    u1: (o) => view.getUint8(o),
    i2: (o) => view.getInt16(o, le),
    u2: (o) => view.getUint16(o, le),
    i4: (o) => view.getInt32(o, le),
    u4: (o) => view.getUint32(o, le),
    i8: (o) => view.getBigInt64(o, le),
    u8: (o) => view.getBigUint64(o, le),
    f2: (o) => half(view.getUint16(o, le)),
    f4: (o) => view.getFloat32(o, le),
    f8: (o) => view.getFloat64(o, le),
  };
  const read = at[key];
  if (!read) return undefined;
  if (!fortranOrder || shape.length < 2) return (i) => read(i * dtype.size);
  return (i) => {
    // Map the C-order flat index to the Fortran-order storage index.
    let rest = i;
    let stride = 1;
    let storage = 0;
    const index: number[] = new Array<number>(shape.length);
    for (let k = shape.length - 1; k >= 0; k--) {
      const d = shape[k]!;
      index[k] = rest % d;
      rest = Math.floor(rest / d);
    }
    for (let k = 0; k < shape.length; k++) {
      storage += index[k]! * stride;
      stride *= shape[k]!;
    }
    return read(storage * dtype.size);
  };
}

function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
