/**
 * NumPy `.npy` files, format version 1.0: the magic string, a little-endian header
 * length, a Python-literal header dict padded so the data starts on a 64-byte
 * boundary (as NumPy writes it), then the raw array bytes in C order.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The header bytes of a C-ordered `uint8` array of the given shape. */
export function npyHeader(shape: readonly number[]): Uint8Array {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '|u1', 'fortran_order': False, 'shape': ${dims}, }`;
  // 6 magic + 2 version + 2 length bytes precede the dict, which ends with '\n'.
  const unpadded = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + dict.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = dict.length & 0xff;
  out[9] = dict.length >>> 8;
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  return out;
}

/** A whole `.npy` file holding a `height × width` `uint8` array. */
export function encodeNpyUint8(data: Uint8Array, height: number, width: number): Uint8Array {
  if (data.length !== height * width)
    throw new RangeError(`npy data has ${data.length} bytes, shape needs ${height * width}`);
  const header = npyHeader([height, width]);
  const out = new Uint8Array(header.length + data.length);
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}
