// The public API of @lsconv/core, listed name by name: contracts and runtime. Helpers
// shared by format families (vision, RLE, Python semantics, importer helpers) live beside
// the format packages, never here; internal structures (compact sets, bounded maps) are
// not exported.

// Built-in format
export { builtinFormats, json } from './builtin/index.js';
// Dataset options every format honours (splits, class maps, label rules, annotation choice)
export {
  classControls,
  type DatasetInfo,
  orderSplits,
  splitHash,
  splitKey,
  taskSplit,
} from './dataset.js';
export {
  type AnnotationChoice,
  type DatasetOptions,
  datasetPlan,
  parseClassMap,
  parseSplitShares,
} from './dataset-options.js';
// Errors
export {
  describeLocation,
  ERROR_CODES,
  type ErrorCode,
  type ErrorLocation,
  isLsconvError,
  LsconvError,
  type LsconvErrorOptions,
  shortValue,
} from './errors.js';
// Plugin contracts
export {
  type CompatMode,
  defineFormat,
  defineImporter,
  type ExportContext,
  type FormatDefinition,
  type FormatSpec,
  type ImportContext,
  type ImporterDefinition,
  type ImporterSpec,
  type ImportResult,
  isFormatDefinition,
  isImporterDefinition,
  numberParsingFor,
  PLUGIN_API_VERSION,
  type PrepareContext,
  type Support,
} from './format.js';
// Process memory (the apps call these at start)
export {
  HEAP_GROWING_PERCENT,
  limitHeapGrowth,
  memoryFlags,
  ONE_THREAD_SEMI_SPACE_MB,
  relaunchWithMemoryFlags,
  SEMI_SPACE_MB,
} from './heap.js';
// Items
export { type Item, type OutputValue, type TaskItemsOptions, taskItems } from './items.js';
// Label config
export {
  type ConfigOrigin,
  type ControlTag,
  controlTypes,
  emptyLabelConfig,
  hasValueList,
  inputTypes,
  type LabelConfig,
  type ObjectTag,
  parseLabelConfig,
} from './label-config.js';
// Number tokens kept by parsing
export {
  assignNumberTokens,
  carryNumberToken,
  hasNumberTokens,
  isFloatToken,
  type NumberParsing,
  numberToken,
  parseKeepingNumbers,
  parseTaskJson,
  type RawJson,
  rawJson,
  shareNumberTokens,
  stringAt,
} from './numbers.js';
// Options
export {
  checkOptionSpecs,
  type OptionSpec,
  type OptionSpecs,
  type OptionValues,
  optionFlag,
  resolveOptions,
} from './options.js';
// Worker pool
export {
  fromWireError,
  type ThreadCommand,
  type ThreadEvent,
  toWireError,
  type WireError,
} from './pool/protocol.js';
export { defaultThreads, prepareWorkerUrl } from './pool/worker-pool.js';
// Registry
export {
  CORE_VERSION,
  DEFAULT_FORMAT_ID,
  DEFAULT_PLUGIN_PATTERNS,
  type LoadRegistryOptions,
  loadRegistry,
  matchesPattern,
  OFFICIAL_FORMAT_PACKAGES,
  officialPackageOf,
  type PluginOrigin,
  type PluginProblem,
  type Registry,
} from './registry.js';
// Report
export { ConversionReport, REPORT_EXAMPLES_PER_CODE, type ReportData, type SkipEntry } from './report.js';
// Resources
export {
  createResourceResolver,
  defaultCacheDir,
  type GetLocalPathOptions,
  getLocalPath,
  type ImageInfo,
  isPrivateAddress,
  isSafeFileName,
  mediaFileName,
  type PrefetchRef,
  prefetchAhead,
  RESOURCE_DEFAULTS,
  type ResolvedResource,
  type ResourceCallContext,
  type ResourceOptions,
  type ResourceProgress,
  type ResourceResolver,
  readAhead,
  resourceOptionsFromEnv,
} from './resources/index.js';
// Runner
export { MIN_PARALLEL_BYTES, type RunExportOptions, runExport } from './run.js';
// Safe paths and names
export {
  checkChosenPath,
  checkOutputPath,
  containedPath,
  hexDigest,
  safeBaseName,
  shortHash,
  truncateBytes,
} from './safe-path.js';
// Sinks
export { type ExistingOutputRule, OUTPUT_MARKER } from './sinks/commit.js';
export { type DirectorySinkOptions, directorySink } from './sinks/directory.js';
export { type MemorySink, memorySink } from './sinks/memory.js';
export { type OutsideFolder, withOutsideFolder } from './sinks/outside.js';
export { chunkLength, type FileWriter, type Sink, utf8 } from './sinks/types.js';
export { type ZipSinkOptions, zipFileSink, zipStreamSink } from './sinks/zip.js';
// Sources
export {
  arrayTaskSource,
  type JsonSlice,
  JsonSlicer,
  MAX_DEPTH,
  naturalCompare,
  openTaskSource,
  parseTaskSlice,
  rawTaskJson,
  type TaskSource,
  type TaskSourceOptions,
} from './sources/index.js';
// Spill: one JSON array written element by element to a temporary file
export { JsonArraySpill } from './spill.js';
// Task model
export {
  type Annotation,
  type BrushValue,
  type ChatMessageValue,
  type ChoicesValue,
  type DateTimeValue,
  type Draft,
  describeType,
  type EllipseValue,
  type ExpandedUser,
  type JsonObject,
  type JsonValue,
  type KeyPointValue,
  type NumberValue,
  type PairwiseValue,
  type PolygonValue,
  type Prediction,
  type RankerValue,
  type RatingValue,
  type RectangleValue,
  type Result,
  type ResultValue,
  type SpanValue,
  type Task,
  type TaskOrigin,
  type TaxonomyValue,
  type TextAreaValue,
  type TimelineValue,
  type VideoRectangleValue,
  validateTask,
} from './task.js';
// File names that never repeat
export { UniqueNames } from './unique-names.js';
// XML character references
export { CharRefError, decodeCharRefs } from './xml-char-refs.js';
