import type { Sink } from '../sinks/types.js';

/**
 * How to find the media (images, audio) that task data points at. Every field is
 * optional; the CLI fills them from flags and environment variables.
 */
export interface ResourceOptions {
  /** Root of `/data/local-files/?d=<path>` URLs (`--local-files-root`, env `LOCAL_FILES_DOCUMENT_ROOT`). */
  localFilesRoot?: string;
  /** Label Studio's upload folder holding `<project>/<file>` (`--upload-dir`, env `LS_UPLOAD_DIR`). */
  uploadDir?: string;
  /** A Label Studio project folder; its `upload/` is used when `uploadDir` is not given (`--project-dir`). */
  projectDir?: string;
  /** Folder that relative plain paths are relative to (the input file's folder). */
  baseDir?: string;
  /** Label Studio server for relative URLs and cloud presigning (`--ls-url`, env `LABEL_STUDIO_URL`). */
  lsUrl?: string;
  /** API token sent as `Authorization: Token …` to that host only (`--ls-token`, env `LABEL_STUDIO_API_KEY`). */
  lsToken?: string;
  /** Persistent download cache (`--cache-dir`); a second run reuses it. */
  cacheDir?: string;
  /** Copy or download the media into the output (`--download-resources`). */
  download?: boolean;
  /** Parallel downloads (`--concurrency`). */
  concurrency?: number;
  /** Longest wait for an answer, or between two pieces of a body, in milliseconds (default 30 s). */
  timeoutMs?: number;
  /**
   * Longest time one download may take in all, from the first request to the last byte,
   * retries included, in milliseconds (`--download-deadline`, default 600 s). A server that
   * drips bytes or never finishes is given up at this point and reported.
   */
  deadlineMs?: number;
  /** Retries for 5xx and connection errors. */
  retries?: number;
  /** Largest resource to download, in bytes. */
  maxBytes?: number;
  /** Make a failed resource fatal instead of a report entry (`--strict`). */
  strict?: boolean;
  /**
   * Allow downloads from private, loopback and link-local addresses. Default `true`
   * (a laptop export may well read a LAN server); the HTTP server turns it off.
   */
  allowPrivateAddresses?: boolean;
  /**
   * Fetch remote media into the cache when a format needs its bytes or facts (image
   * size, audio duration) even without `download`. Default: the value of `download`,
   * so a plain export never touches the network.
   */
  fetch?: boolean;
  /**
   * Read plain file paths (absolute, relative, `file:` URLs) from task data. Default
   * `true`; the HTTP server turns it off so task data cannot read arbitrary files.
   */
  allowPlainPaths?: boolean;
  /**
   * Look for local files and copy small ones (up to 1 MB) with synchronous calls, which
   * costs a few microseconds each instead of several thread-pool round trips. Default
   * `true`; turn it off where the thread must keep answering others while it exports
   * (the HTTP server does for exports on its main thread).
   */
  blockingFileAccess?: boolean;
  /** Base delay of the exponential back-off between retries, in milliseconds. */
  retryDelayMs?: number;
  /** `User-Agent` header of downloads. */
  userAgent?: string;
  /** Cancels every pending and running download. */
  signal?: AbortSignal;
  /** Called whenever a download starts, ends or fails (for progress bars). */
  onProgress?: (progress: ResourceProgress) => void;
}

/** Download counters, passed to {@link ResourceOptions.onProgress}. */
export interface ResourceProgress {
  /** Downloads requested so far (cache hits and local files are not counted). */
  requested: number;
  /** Downloads running now. */
  active: number;
  /** Downloads finished successfully. */
  done: number;
  /** Downloads that failed for good (after retries). */
  failed: number;
  /** Bytes downloaded so far. */
  bytes: number;
  /** Resources served from the persistent cache without a request. */
  cached: number;
}

/** What a task's media reference turned out to be. */
export interface ResolvedResource {
  /** The reference exactly as in the task data. */
  url: string;
  /** How it was classified. */
  kind: 'local-files' | 'upload' | 'path' | 'http' | 'cloud' | 'storage-proxy' | 'unknown';
  /**
   * The name the Python converter gives it (`<md5(key)[:8]>__<basename>` for
   * downloaded/cached media, the original basename for upload-folder files), made safe.
   */
  localName: string;
  /** A readable local file with the bytes, when there is one (source file or cache file). */
  path?: string;
  /** Where `path` came from: the source itself, the persistent cache, or a download now. */
  source?: 'local' | 'cache' | 'download';
  /**
   * Set by `resolve()` when the resource cannot be had (and a report entry was made):
   * why. Unset with `path` unset means the resource is remote and fetching is off.
   */
  error?: string;
}

/** Image facts read from the file header. */
export interface ImageInfo {
  width: number;
  height: number;
  /** 1 grey, 3 RGB, 4 RGBA, when known. */
  channels?: number;
}

/** Per-call context, for report entries and cloud presigning. */
export interface ResourceCallContext {
  taskId?: unknown;
  taskIndex?: number;
  field?: string;
  /**
   * The caller does without the resource when it cannot be had (a VOC export reads an
   * image only for its channel count): a failure is then neither reported as a skipped
   * resource nor fatal with `strict`, since nothing is lost.
   */
  optional?: boolean;
}

/** A reference handed to {@link ResourceResolver.prefetch}. */
export type PrefetchRef = string | { url: string; context?: ResourceCallContext };

/** Finds, names, fetches and inspects media referenced by tasks. Shared by every format. */
export interface ResourceResolver {
  /** The options in force. */
  readonly options: Readonly<ResourceOptions>;
  /** Classifies and names a reference without reading or fetching anything. */
  describe(url: string): ResolvedResource;
  /**
   * Finds the bytes: a local file, or a download into the cache (when downloads are
   * allowed). Resolves with `path` unset when the resource cannot be had; the reason
   * goes to the report passed at creation, or it throws with `strict`.
   */
  resolve(url: string, context?: ResourceCallContext): Promise<ResolvedResource>;
  /** Width, height and channels from the file header, or undefined when unreadable. */
  imageInfo(url: string, context?: ResourceCallContext): Promise<ImageInfo | undefined>;
  /** Audio duration in seconds (WAV, MP3, FLAC, OGG), or undefined when unreadable. */
  audioDuration(url: string, context?: ResourceCallContext): Promise<number | undefined>;
  /** Copies the resource's bytes into the sink at `destPath`; false (and a report entry) when it cannot. */
  copyTo(sink: Sink, url: string, destPath: string, context?: ResourceCallContext): Promise<boolean>;
  /**
   * Starts finding or fetching these in parallel (downloads bounded by `concurrency`), so
   * later calls find them ready. A reference is a URL, or a URL with the context its later
   * call will pass (cloud storage references are presigned per task, so they need its id).
   * With `copy`, they are made ready for {@link copyTo}, which fetches even when downloads
   * are off; otherwise for {@link resolve}. Nothing is reported until a later call asks.
   */
  prefetch(refs: Iterable<PrefetchRef>, options?: { copy?: boolean }): void;
  /**
   * A safe output path `<dir>/<name>` for a resource (its `localName`), unique per
   * source: when another reference already got that name from this resolver, a short
   * hash of this one is added before the extension, so two sources never overwrite
   * each other.
   */
  outputPath(dir: string, resource: string | ResolvedResource): string;
  /** Download counters so far. */
  progress(): ResourceProgress;
}
