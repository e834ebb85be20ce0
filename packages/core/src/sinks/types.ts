/** A file being written piece by piece. */
export interface FileWriter {
  /** Appends text (UTF-8) or bytes. Await it: it applies back-pressure. */
  write(chunk: string | Uint8Array): Promise<void>;
  /** Finishes the file. */
  close(): Promise<void>;
}

/**
 * Where a format writes its files. Paths are relative, `/`-separated, and may not
 * leave the output (`..`, absolute paths and NUL bytes are refused). Nothing is
 * visible under the final name until {@link Sink.commit}; {@link Sink.abort}
 * removes everything written.
 */
export interface Sink {
  /** Writes a whole file. */
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  /** Opens a file for streaming writes. */
  createFile(path: string): Promise<FileWriter>;
  /** Creates a directory (kept even when empty, as the reference does for `images/`). */
  mkdir(path: string): Promise<void>;
  /** True when a file of that path was already written or opened. */
  has(path: string): boolean;
  /** Files written so far. */
  readonly filesWritten: number;
  /** Bytes written so far. */
  readonly bytesWritten: number;
  /** Makes the output visible under its final name. */
  commit(): Promise<void>;
  /** Drops everything written. Safe to call more than once, and after a failed commit. */
  abort(): Promise<void>;
}

/** Text to bytes, once. */
export const utf8 = new TextEncoder();

/** Byte length of a chunk. */
export function chunkLength(chunk: string | Uint8Array): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
}
