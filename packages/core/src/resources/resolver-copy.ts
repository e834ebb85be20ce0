/** Copying resolved resources into a sink under names no other source holds. */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { HashSet64, TaggedStringSet } from '../compact-set.js';
import { checkChosenPath, checkOutputPath, hexDigest, shortHash, truncateBytes } from '../safe-path.js';
import type { Sink } from '../sinks/types.js';
import { longHash } from './classify.js';
import type { Failure, Outcome } from './resolver-plan.js';
import type { ResolvedResource, ResourceCallContext } from './types.js';

/** What {@link createCopier} works with, from the rest of the resolver. */
export interface CopyDeps {
  acquire: (url: string, context: ResourceCallContext | undefined, network: boolean) => Promise<Outcome>;
  settle: (url: string, outcome: Outcome, context: ResourceCallContext | undefined) => ResolvedResource;
  recordFailure: (url: string, failure: Failure, context: ResourceCallContext | undefined) => void;
  blocking: boolean;
}

/** The resolver's `copyTo`: each source copied to each destination once; a destination holding another file is a failure. */
export function createCopier(
  deps: CopyDeps,
): (sink: Sink, url: string, destPath: string, context?: ResourceCallContext) => Promise<boolean> {
  const { acquire, settle, recordFailure, blocking } = deps;
  const sinkWrites = new WeakMap<Sink, SinkWrites>();
  return async (
    sink: Sink,
    url: string,
    destPath: string,
    context?: ResourceCallContext,
  ): Promise<boolean> => {
    const dest = checkChosenPath(destPath);
    let writes = sinkWrites.get(sink);
    if (!writes) {
      writes = { running: new Map(), copied: new HashSet64() };
      sinkWrites.set(sink, writes);
    }
    const { running, copied } = writes;
    const prior = running.get(dest);
    if (prior?.key === url) return prior.done;
    // A finished copy of this source to this destination: the file is there (sinks never
    // remove one), so the sink need not be asked (a directory sink checks the disk).
    const pair = pairHash(dest, url);
    if (!prior && copied.has(pair[0], pair[1])) return true;
    if (prior || sink.has(dest)) {
      recordFailure(
        url,
        { code: 'resource-name-collision', reason: `${dest} already holds another file; not overwritten` },
        context,
      );
      return false;
    }
    const done = (async () => {
      try {
        // Copying is an explicit request for the bytes, so it may fetch even when `download` is off.
        const outcome = await acquire(url, context, true);
        const resolved = settle(url, outcome, context);
        if (!resolved.path) return false;
        await copyFileInto(sink, dest, resolved.path, blocking);
        copied.add(pair[0], pair[1]);
        return true;
      } finally {
        running.delete(dest);
      }
    })();
    running.set(dest, { key: url, done });
    return done;
  };
}

/**
 * The resolver's `outputPath`: the resource's name in `dir`, with a hash of its source
 * added when another source already has that name.
 */
export function createOutputPaths(
  describe: (url: string) => ResolvedResource,
): (dir: string, resource: string | ResolvedResource) => string {
  // The names handed out (folder + name), each tagged with its source's digest;
  // typed arrays, since an export that copies its media names every file (see compact-set.ts).
  const outputNames = new TaggedStringSet();
  return (dir: string, resource: string | ResolvedResource): string => {
    const { url, localName } = typeof resource === 'string' ? describe(resource) : resource;
    const folder = dir === '' ? '' : `${checkChosenPath(dir)}/`;
    const tag = sourceTag(url);
    let name = localName;
    for (let length = 4; ; length += 4) {
      if (outputNames.claim(folder + name, tag) !== 'other') break;
      // Same name, another source: add a hash of this source (Python would overwrite).
      const dot = localName.lastIndexOf('.');
      const suffix = `_${(shortHash(url) + longHash(url)).slice(0, Math.min(length, 40))}`;
      name =
        dot > 0
          ? `${truncateBytes(localName.slice(0, dot), 180)}${suffix}${localName.slice(dot)}`
          : `${truncateBytes(localName, 180)}${suffix}`;
    }
    return folder + checkOutputPath(name);
  };
}

/**
 * What the resolver remembers of one sink: the copies under way, and the finished ones as a
 * 64-bit digest of the pair (destination, source): 8 bytes instead of both strings (a
 * million copied images would otherwise keep tens of megabytes). Two different pairs would
 * have to share 64 bits of MD5 to be taken for one another. Whether a destination holds
 * another file is asked of the sink, which knows exactly.
 */
interface SinkWrites {
  running: Map<string, { key: string; done: Promise<boolean> }>;
  copied: HashSet64;
}

/** 64 bits of the MD5 of a destination and a source, as two 32-bit halves. */
function pairHash(dest: string, url: string): [number, number] {
  const hex = hexDigest('md5', `${dest}\u0000${url}`);
  return [Number.parseInt(hex.slice(0, 8), 16), Number.parseInt(hex.slice(8, 16), 16)];
}

/**
 * 8 bytes of the MD5 of a source reference: what a name's owner is remembered by. Two
 * references that differ would have to share 64 bits of MD5 and one file name to be taken
 * for one another.
 */
function sourceTag(url: string): Buffer {
  return Buffer.from(hexDigest('md5', url).slice(0, 16), 'hex');
}

/** Files up to this size are copied with one read and the sink's `writeFile`. */
const SMALL_COPY_BYTES = 1024 * 1024;

/**
 * Copies the file at `path` into `sink` as `dest`. With `blocking`, a small file (most
 * images) is read synchronously in one call: that costs less than the four thread-pool round
 * trips of a stream (open, read, read to the end, close), which left the main thread idle a
 * third of the time when an export copies an image per task. Other files stream.
 */
async function copyFileInto(sink: Sink, dest: string, path: string, blocking: boolean): Promise<void> {
  const small = blocking ? readSmallFile(path) : undefined;
  if (small) {
    await sink.writeFile(dest, small);
    return;
  }
  const writer = await sink.createFile(dest);
  for await (const chunk of createReadStream(path)) await writer.write(chunk as Buffer);
  await writer.close();
}

/** The bytes of the file at `path` when it holds at most {@link SMALL_COPY_BYTES}, read synchronously. */
function readSmallFile(path: string): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > SMALL_COPY_BYTES) return undefined;
    // One byte more than the size, to see a file that grew since it was measured.
    const bytes = Buffer.allocUnsafe(size + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < bytes.length; length += n) {
      n = readSync(fd, bytes, length, bytes.length - length, null);
    }
    return length <= size ? bytes.subarray(0, length) : undefined;
  } finally {
    closeSync(fd);
  }
}
