// Entry of a write-behind thread (write-behind.ts): writes each batch of whole files it is
// sent, in order, and answers each batch with how many it wrote and the first failure.
import { writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { WriteBatch, WriteBatchDone } from './write-behind.js';

const port = parentPort;
if (!port) throw new Error('writer-thread must run in a worker thread');
let failed = false;
port.on('message', (batch: WriteBatch) => {
  const done: WriteBatchDone = { seq: batch.seq, written: 0, bytes: batch.bytes };
  // After a failure nothing more is written: the export fails and its folder is removed.
  if (!failed) {
    const data = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
    let at = 0;
    for (let i = 0; i < batch.paths.length; i++) {
      const end = at + batch.lengths[i]!;
      try {
        writeFileSync(batch.paths[i]!, data.subarray(at, end));
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        done.error = { index: i, code: e.code, message: e.message };
        failed = true;
        break;
      }
      done.written++;
      at = end;
    }
  }
  // The buffer goes back to be filled again: freed buffers would wait for a collection of
  // this thread's small heap, which seldom comes, and pile up outside it.
  port.postMessage(done, [batch.bytes.buffer as ArrayBuffer]);
});
