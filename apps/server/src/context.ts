import { setMaxListeners } from 'node:events';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { CompatMode, FormatDefinition, Registry, ResourceOptions } from '@lsconv/core';
import { settleApiKey } from './api-key.js';
import { RecentReports } from './export-report.js';
import { findFormat, formatModuleOf, loadServerFormats } from './format-hosting.js';
import { HttpError } from './http.js';
import type { Importer } from './importer.js';
import type { JobRunner } from './jobs/runner.js';
import type { ServerOptions } from './options.js';
import { type ArtifactStorage, openStorage } from './storage.js';
import { openStore } from './store/open.js';
import type { ProjectRow, SnapshotRow, Store } from './store/types.js';

/** What routes, jobs and imports share: the store, the formats, the limits and a few lookups. */
export interface ServerContext {
  readonly options: ServerOptions;
  readonly log: (line: string) => void;
  readonly dataDir: string;
  readonly tmpDir: string;
  readonly store: Store;
  readonly registry: Registry;
  /** The API key when it is known (given, or generated at this start). */
  readonly apiKey: string | undefined;
  readonly apiKeyGenerated: boolean;
  /** True when a request's key is the server's. */
  checkApiKey(candidate: string): Promise<boolean>;
  readonly maxBody: number;
  readonly maxImport: number;
  readonly downloadDefault: boolean;
  /** The compatibility mode conversions run in unless a request asks for another. */
  readonly compat: CompatMode;
  /** Reports of recent easy exports, by id. */
  readonly reports: RecentReports;
  /** Resource options of every conversion; `plainResources` is the part that crosses into a worker. */
  readonly resourceBase: ResourceOptions;
  readonly plainResources: Omit<ResourceOptions, 'signal' | 'onProgress'>;
  /** Aborted when the server shuts down. */
  readonly shutdown: AbortSignal;
  /** True once close() has begun. */
  closed: boolean;
  jobs: JobRunner;
  imports: Importer;
  /** The project of a path's `id`, else 404. */
  projectOr404(id: string | number): Promise<ProjectRow>;
  /** A snapshot of the project, else 404. */
  snapshotOr404(project: ProjectRow, pk: string | number): Promise<SnapshotRow>;
  findFormat(name: string): FormatDefinition<any> | undefined;
  /** The module a job worker imports a format from; undefined: convert in this thread. */
  workerModuleOf(format: FormatDefinition<any>): string | undefined;
  /** Resources for a conversion in this thread (file access through the thread pool). */
  resourcesFor(download: boolean, signal: AbortSignal): ResourceOptions;
  /** Where export files are kept (the data folder, a shared folder or a bucket); the store's `file` fields are its keys. */
  readonly storage: ArtifactStorage;
}

/** Opens the data folder, the store and the formats, and settles the API key. */
/**
 * The resource settings of everything the server runs, over HTTP or from its console
 * command: media is cached in the data folder, task data may not name plain file paths,
 * and downloads may not reach private or loopback addresses unless the operator says so.
 */
export function serverResources(dataDir: string, resources: ResourceOptions = {}): ResourceOptions {
  return {
    cacheDir: join(dataDir, 'cache'),
    allowPlainPaths: false,
    ...resources,
    allowPrivateAddresses: resources.allowPrivateAddresses ?? false,
  };
}

export async function createContext(
  options: ServerOptions,
  shutdown: AbortSignal,
): Promise<Omit<ServerContext, 'jobs' | 'imports'> & Partial<ServerContext>> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dataDir = options.dataDir;
  const tmpDir = join(dataDir, 'tmp');
  await fs.mkdir(join(dataDir, 'export'), { recursive: true });
  await fs.rm(tmpDir, { recursive: true, force: true });
  await fs.mkdir(tmpDir, { recursive: true });
  const store = await openStore(options.database, dataDir);
  const registry = options.registry ?? (await loadServerFormats(log));
  const key = await settleApiKey(options.apiKey ?? process.env.LSCONV_API_KEY, store);
  const resourceBase = serverResources(dataDir, options.resources);
  const { signal: _signal, onProgress: _onProgress, ...plainResources } = resourceBase;
  // Every running easy export listens for shutdown; more than ten at once is normal, not a leak.
  setMaxListeners(0, shutdown);
  const storage = await openStorage(options, dataDir);
  return {
    options,
    log,
    dataDir,
    tmpDir,
    store,
    registry,
    apiKey: key.apiKey,
    apiKeyGenerated: key.generated,
    checkApiKey: key.check,
    maxBody: options.maxBodyBytes ?? 16 * 1024 * 1024,
    maxImport: options.maxImportBytes ?? 8 * 1024 ** 3,
    downloadDefault: options.downloadResourcesDefault ?? false,
    compat: options.compat ?? 'default',
    reports: new RecentReports(),
    resourceBase,
    plainResources,
    shutdown,
    closed: false,
    async projectOr404(id) {
      const project = await store.getProject(Number(id));
      if (!project) throw new HttpError(404, 'Not found.');
      return project;
    },
    async snapshotOr404(project, pk) {
      const snapshot = await store.getSnapshot(Number(pk));
      if (!snapshot || snapshot.projectId !== project.id) throw new HttpError(404, 'Not found.');
      return snapshot;
    },
    findFormat: (name) => findFormat(registry, name),
    workerModuleOf: (format) => {
      if (options.jobWorkers === false) return undefined;
      const entry = formatModuleOf(registry, format);
      // A module run from TypeScript source (under a test runner) cannot be imported by a plain worker.
      return entry && !/\.[cm]?ts$/.test(entry) ? entry : undefined;
    },
    // For conversions on this thread (easy exports, formats not loadable in a worker): it keeps
    // answering requests meanwhile, so file lookups and copies go through the thread pool.
    resourcesFor: (download, signal) => ({ ...resourceBase, download, signal, blockingFileAccess: false }),
    storage,
  };
}
