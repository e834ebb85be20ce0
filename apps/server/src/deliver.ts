import { createReadStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Sink } from '@lsconv/core';
import type { Converted } from './exporter.js';

/**
 * The one "folder → zip, commit or abort" step: puts what a conversion left in its
 * work folder (nothing, or a folder of files) into a zip sink and commits it; on any
 * error the sink is aborted (no half-written zip) and the error goes on. Returns the
 * number of files zipped. Used by easy export, snapshot conversions (in the server
 * thread and in job workers) and the `lsconv-server export` console command.
 */
export async function deliverZip(result: Converted, sink: Sink): Promise<number> {
  try {
    const files = result.kind === 'folder' ? await copyFolderToSink(result.dir, sink) : 0;
    await sink.commit();
    return files;
  } catch (error) {
    await sink.abort();
    throw error;
  }
}

/** Copies a folder into a sink (a zip), files in sorted order, empty folders kept; returns the number of files. */
export async function copyFolderToSink(dir: string, sink: Sink, prefix = ''): Promise<number> {
  const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  if (entries.length === 0 && prefix) await sink.mkdir(prefix.replace(/\/$/, ''));
  let files = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory()) {
      files += await copyFolderToSink(path, sink, `${rel}/`);
    } else if (entry.isFile()) {
      const writer = await sink.createFile(rel);
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }))
        await writer.write(chunk as Buffer);
      await writer.close();
      files++;
    }
  }
  return files;
}
