import type { Server } from 'node:http';
import type { CompatMode, Registry, ResourceOptions } from '@lsconv/core';
import type { SharedQueueTiming } from './jobs/shared-runner.js';
import type { Store } from './store/types.js';

/** Options of {@link createLsconvServer}. */
export interface ServerOptions {
  /** Data folder: the SQLite database (unless `database` names another), export files, the media cache. Created when missing. */
  dataDir: string;
  /**
   * A PostgreSQL database (`postgres://user:password@host:port/name`) shared by several
   * instances; default: SQLite in `dataDir`. Its schema is migrated at start.
   */
  database?: string;
  /**
   * Where export files are kept: `file:///shared/path` (a folder every instance mounts) or
   * `s3://bucket/prefix` (the AWS SDK's usual settings); default: the data folder.
   */
  storage?: string;
  /** Endpoint of an S3-compatible server (path-style addressing); else `AWS_ENDPOINT_URL`. */
  s3Endpoint?: string;
  /** API key; else `LSCONV_API_KEY`; else the one stored at first start (generated then). */
  apiKey?: string;
  /** The formats to serve; default: discovered from the current folder's workspace and this package's dependencies. */
  registry?: Registry;
  /** Largest JSON request body (not imports), bytes. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Largest import body, bytes. Default 8 GiB. */
  maxImportBytes?: number;
  /** Snapshot and conversion jobs that run at once; the others queue. Default 4. */
  maxConcurrentJobs?: number;
  /**
   * How long one snapshot or conversion may run before it is stopped and failed (ms;
   * default one hour, 0 for none). Jobs that download media never take the last free slot.
   */
  jobDeadlineMs?: number;
  /** Easy exports that run at once; more get 503 with Retry-After. Default 8. */
  maxConcurrentEasyExports?: number;
  /** Default of `download_resources` for easy exports and conversions. Default false. */
  downloadResourcesDefault?: boolean;
  /**
   * Output of conversions: `default` (lsconv's, with its fixes, as the `lsconv` command
   * writes) or `python` (what Label Studio's converter writes, bugs included). A request
   * may ask for `compat=python`. Default `default`.
   */
  compat?: CompatMode;
  /** Resource layer settings (media lookup); `allowPrivateAddresses` stays false unless set here. */
  resources?: ResourceOptions;
  /** How long shutdown waits for running jobs before aborting them (they rerun at the next start). Default 10 s. */
  shutdownGraceMs?: number;
  /** Where log lines go. Default: stderr. */
  log?: (line: string) => void;
  /** Time limits against slow or stalled clients; see {@link ServerTimeouts}. */
  timeouts?: ServerTimeouts;
  /**
   * Run snapshots and their conversions in worker threads (one per running job), so
   * they use several cores and never hold up requests. Default true. Formats without
   * a module a worker can import (e.g. defined in a test) convert in this thread, and
   * snapshots run here when `beforeSnapshotPage` is set.
   */
  jobWorkers?: boolean;
  /** Timing of the shared job queue (PostgreSQL only): heartbeat, supervision, polling. */
  sharedQueue?: SharedQueueTiming;
  /** Test hook: awaited before each page of tasks a snapshot writes. */
  beforeSnapshotPage?: (snapshotId: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Time limits that keep slow clients (slowloris) from holding connections: each one
 * closes the connection (with 408 when an answer can still be sent).
 */
export interface ServerTimeouts {
  /** Time to receive the request headers. Default 60 s. */
  headersMs?: number;
  /** Time to receive a whole request, body included; 0 disables. Default 1 hour (an 8 GiB import needs about 2.3 MB/s). */
  requestMs?: number;
  /** Longest pause while a request body is arriving. Default 60 s. */
  bodyIdleMs?: number;
  /** How often headersMs and requestMs are checked. Default 30 s (Node's). */
  checkIntervalMs?: number;
}

/** One route the server answers. */
export interface RouteEntry {
  method: string;
  url: string;
  /** Left out of the OpenAPI document: the page, `/health` and the document itself, all without a key. */
  hidden: boolean;
}

/** A running (or ready to listen) lsconv server. */
export interface LsconvServer {
  /** The Node HTTP server. */
  readonly server: Server;
  /**
   * The key clients send as `Authorization: Token <key>`, when it is known: given, or
   * generated at this start. A generated key is stored only as a hash, so a later start
   * does not know it (`lsconv-server key` replaces a lost one).
   */
  readonly apiKey: string | undefined;
  /** True when the key was generated at this start. */
  readonly apiKeyGenerated: boolean;
  /** The store. */
  readonly store: Store;
  /** The formats served. */
  readonly registry: Registry;
  /** Every route the server answers (HEAD routes Fastify adds for GET left out). */
  readonly routes: readonly RouteEntry[];
  /** The OpenAPI document served at `/api/docs`, generated from the route schemas. */
  openApi(): Promise<Record<string, any>>;
  /** Starts listening; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** Graceful shutdown: stop accepting, let jobs finish (or abort them for a rerun), close the store. */
  close(): Promise<void>;
}
