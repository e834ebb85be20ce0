// How a download fails: kept apart from http.ts, so that what handles failures does not
// load node:http (whose module facade loads Node's bundled fetch) before a download is made.

/** Why a download failed. */
export type DownloadFailure =
  | 'http'
  | 'timeout'
  | 'deadline'
  | 'network'
  | 'truncated'
  | 'tls'
  | 'too-large'
  | 'blocked'
  | 'redirect'
  | 'aborted'
  | 'write';

/** A failed download, with a one-line reason. */
export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(
    readonly failure: DownloadFailure,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
