import { readFileSync } from 'node:fs';
import { JsonSlicer } from './dist/sources/json-slicer.js';
const buf = readFileSync('/tmp/lsconv-bench/image-20000.json');
const CH = 1 << 20;
for (let r = 0; r < 3; r++) {
  let t = performance.now(); let n = 0;
  const s = new JsonSlicer('x');
  for (let i = 0; i < buf.length; i += CH) n += s.push(buf.subarray(i, i + CH)).length;
  console.log('slicer', n, (performance.now() - t).toFixed(0), 'ms', (buf.length / 1e6 / ((performance.now() - t) / 1000)).toFixed(0), 'MB/s');
}
