export { BoundedMap } from './bounded-map.js';
export * from './brush-rle.js';
export { builtinFormats, json } from './builtin/index.js';
export * from './compact-set.js';
export * from './errors.js';
export * from './format.js';
export {
  HEAP_GROWING_PERCENT,
  limitHeapGrowth,
  memoryFlags,
  relaunchWithMemoryFlags,
  SEMI_SPACE_MB,
} from './heap.js';
export * from './import-config.js';
export * from './items.js';
export * from './label-config.js';
export * from './numbers.js';
export * from './options.js';
export { defaultThreads, prepareWorkerUrl } from './pool/worker-pool.js';
export * from './prettify.js';
export * from './py-math.js';
export * from './reference-support.js';
export * from './registry.js';
export * from './report.js';
export * from './resources/index.js';
export * from './run.js';
export * from './safe-path.js';
export { type DirectorySinkOptions, directorySink } from './sinks/directory.js';
export { type MemorySink, memorySink } from './sinks/memory.js';
export * from './sinks/types.js';
export { type ZipSinkOptions, zipFileSink, zipStreamSink } from './sinks/zip.js';
export * from './sources/index.js';
export { JsonArraySpill } from './spill.js';
export * from './task.js';
export * from './vision.js';
export { CharRefError, decodeCharRefs } from './xml-char-refs.js';
