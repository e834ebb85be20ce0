import { describe, expect, it } from 'vitest';
import { npyHeader } from './npy.js';

describe('npy header', () => {
  it('is version 1.0 with the data 64-byte aligned, as NumPy writes it', () => {
    const h = npyHeader([32, 48]);
    expect(h.length % 64).toBe(0);
    const text = Buffer.from(h.subarray(10)).toString('latin1');
    expect(text).toMatch(/^\{'descr': '\|u1', 'fortran_order': False, 'shape': \(32, 48\), \} *\n$/);
    expect(h[8]! | (h[9]! << 8)).toBe(h.length - 10);
  });
});
