import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createReadStream, existsSync, promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  discoverPlugins,
  type FormatDefinition,
  isLsconvError,
  openTaskSource,
  parseLabelConfig,
  type Registry,
  type ResourceOptions,
  resolveOptions,
  zipFileSink,
  zipStreamSink,
} from '@lsconv/core';
import Busboy from 'busboy';
import {
  convertJsonFile,
  copyFolderToSink,
  downloadName,
  exportStem,
  fileMd5,
  tempName,
  writeTasksJson,
} from './exporter.js';
import {
  attachmentHeader,
  HttpError,
  parseBool,
  type RequestContext,
  Router,
  readJsonObject,
  sendError,
  sendJson,
  sendText,
  validationError,
} from './http.js';
import { convertInWorker, writeSnapshotInWorker } from './job-threads.js';
import { JobQueue } from './jobs.js';
import { openApiDocument } from './openapi.js';
import { PAGE_HTML } from './page.js';
import { openSqliteStore } from './store/sqlite.js';
import type {
  ConversionRow,
  ProjectRow,
  SnapshotOptions,
  SnapshotRow,
  Store,
  TaskQuery,
} from './store/types.js';
import {
  type AnnotationFilter,
  EASY_EXPORT_SERIALIZATION,
  IdAllocator,
  ImportError,
  normaliseImportedTask,
  type SerializeOptions,
} from './tasks.js';

/** Options of {@link createLsconvServer}. */
export interface ServerOptions {
  /** Data folder: the SQLite database and export files. Created when missing. */
  dataDir: string;
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
  /** Easy exports that run at once; more get 503 with Retry-After. Default 8. */
  maxConcurrentEasyExports?: number;
  /** Default of `download_resources` for easy exports and conversions. Default false. */
  downloadResourcesDefault?: boolean;
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

/** A running (or ready to listen) lsconv server. */
export interface LsconvServer {
  /** The Node HTTP server. */
  readonly server: Server;
  /** The key clients send as `Authorization: Token <key>`. */
  readonly apiKey: string;
  /** True when the key was generated at this start. */
  readonly apiKeyGenerated: boolean;
  /** The store. */
  readonly store: Store;
  /** The formats served. */
  readonly registry: Registry;
  /** Starts listening; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** Graceful shutdown: stop accepting, let jobs finish (or abort them for a rerun), close the store. */
  close(): Promise<void>;
}

const DEFAULT_USER = { id: 1, first_name: '', last_name: '', email: 'admin@lsconv.local', avatar: null };

/** Label Studio's converter order; formats it does not know come after, in discovery order. */
const LS_FORMAT_ORDER = [
  'JSON',
  'JSON_MIN',
  'CSV',
  'TSV',
  'CONLL2003',
  'COCO',
  'COCO_WITH_IMAGES',
  'VOC',
  'YOLO',
  'YOLO_WITH_IMAGES',
  'YOLO_OBB',
  'YOLO_OBB_WITH_IMAGES',
  'BRUSH_TO_NUMPY',
  'BRUSH_TO_PNG',
  'ASR_MANIFEST',
  'BRUSH_TO_COCO',
  'DOCLANG',
];

const CHOICE = ['only', 'exclude'] as const;

/** Files one multipart import may carry. */
const MAX_UPLOAD_FILES = 100;
/** Parts (files and fields) one multipart import may carry. */
const MAX_UPLOAD_PARTS = 1000;

/** Creates the server (not yet listening): opens the store, loads the formats, resumes unfinished jobs. */
export async function createLsconvServer(options: ServerOptions): Promise<LsconvServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dataDir = options.dataDir;
  const exportDir = join(dataDir, 'export');
  const tmpDir = join(dataDir, 'tmp');
  await fs.mkdir(exportDir, { recursive: true });
  await fs.rm(tmpDir, { recursive: true, force: true });
  await fs.mkdir(tmpDir, { recursive: true });
  const store = openSqliteStore(dataDir);
  const registry =
    options.registry ??
    (await discoverPlugins({
      cwd: process.cwd(),
      hosts: [dirname(dirname(fileURLToPath(import.meta.url)))],
    }));
  for (const problem of registry.problems)
    log(`lsconv-server: plugin ${problem.package} skipped: ${problem.reason}`);

  let apiKey = options.apiKey ?? process.env.LSCONV_API_KEY ?? '';
  let apiKeyGenerated = false;
  if (!apiKey) {
    apiKey = store.getSetting('api_key') ?? '';
    if (!apiKey) {
      apiKey = randomBytes(20).toString('hex');
      store.setSetting('api_key', apiKey);
      apiKeyGenerated = true;
    }
  }
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const maxImport = options.maxImportBytes ?? 8 * 1024 ** 3;
  const downloadDefault = options.downloadResourcesDefault ?? false;
  const resourceBase: ResourceOptions = {
    cacheDir: join(dataDir, 'cache'),
    allowPlainPaths: false,
    ...options.resources,
    allowPrivateAddresses: options.resources?.allowPrivateAddresses ?? false,
  };
  // What crosses into a conversion worker: the options without functions and signals.
  const { signal: _signal, onProgress: _onProgress, ...plainResourceBase } = resourceBase;
  const jobs = new JobQueue(options.maxConcurrentJobs ?? 4, (job, error) =>
    log(`lsconv-server: ${job.name} failed: ${String(error)}`),
  );
  const easyLimit = options.maxConcurrentEasyExports ?? 8;
  let easyRunning = 0;
  const shutdown = new AbortController();
  // Every running easy export listens for shutdown; more than ten at once is normal, not a leak.
  setMaxListeners(0, shutdown.signal);

  // ---- helpers -------------------------------------------------------------------------

  const projectOr404 = (id: string): ProjectRow => {
    const project = store.getProject(Number(id));
    if (!project) throw new HttpError(404, 'Not found.');
    return project;
  };
  const snapshotOr404 = (project: ProjectRow, pk: string): SnapshotRow => {
    const snapshot = store.getSnapshot(Number(pk));
    if (!snapshot || snapshot.projectId !== project.id) throw new HttpError(404, 'Not found.');
    return snapshot;
  };
  /** The module a worker thread imports a format from, when there is one. */
  const formatModuleOf = (format: FormatDefinition<any>): string | undefined => {
    if (options.jobWorkers === false) return undefined;
    const entry = registry.formats.get(format.id);
    if (!entry || entry.format !== format) return undefined;
    if (entry.origin.entry) return entry.origin.entry;
    return entry.origin.package === '@lsconv/core' ? '@lsconv/core' : undefined;
  };
  const findFormat = (name: string): FormatDefinition<any> | undefined => {
    try {
      return registry.format(name);
    } catch {
      return undefined;
    }
  };
  const projectJson = (p: ProjectRow) => {
    const c = store.projectCounts(p.id);
    return {
      id: p.id,
      title: p.title,
      description: p.description,
      label_config: p.labelConfig,
      created_at: p.createdAt,
      updated_at: p.updatedAt,
      created_by: DEFAULT_USER,
      task_number: c.taskNumber,
      num_tasks_with_annotations: c.tasksWithAnnotations,
      total_annotations_number: c.totalAnnotations,
      skipped_annotations_number: c.skippedAnnotations,
      total_predictions_number: c.totalPredictions,
    };
  };
  const snapshotJson = (s: SnapshotRow) => ({
    title: s.title,
    id: s.id,
    created_by: DEFAULT_USER,
    created_at: s.createdAt,
    finished_at: s.finishedAt,
    status: s.status,
    md5: s.md5,
    counters: s.counters,
    converted_formats: store
      .listConversions(s.id)
      .map((c) => ({ id: c.id, status: c.status, export_type: c.exportType, traceback: c.traceback })),
  });
  const validateConfig = (xml: unknown): string => {
    if (typeof xml !== 'string') throw validationError({ label_config: ['Not a valid string.'] });
    try {
      parseLabelConfig(xml, { file: 'label_config' });
    } catch (error) {
      throw validationError({ label_config: [isLsconvError(error) ? error.reason : String(error)] });
    }
    return xml;
  };
  const stringField = (body: Record<string, unknown>, key: string, max: number): string | undefined => {
    const v = body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw validationError({ [key]: ['Not a valid string.'] });
    if (v.length > max)
      throw validationError({ [key]: [`Ensure this field has no more than ${max} characters.`] });
    return v;
  };
  const formatOptionsFrom = (
    format: FormatDefinition<any>,
    source: Record<string, unknown>,
  ): Record<string, unknown> => {
    const picked: Record<string, unknown> = {};
    for (const name of Object.keys(format.options))
      if (source[name] !== undefined) picked[name] = source[name];
    try {
      resolveOptions(`format ${format.id}`, format.options, picked);
    } catch (error) {
      throw validationError({ options: [isLsconvError(error) ? error.reason : String(error)] });
    }
    return picked;
  };
  // For conversions on this thread (easy exports, formats not loadable in a worker): it keeps
  // answering requests meanwhile, so file lookups and copies go through the thread pool.
  const resourcesFor = (download: boolean, signal: AbortSignal): ResourceOptions => ({
    ...resourceBase,
    download,
    signal,
    blockingFileAccess: false,
  });
  const storedPath = (rel: string) => join(dataDir, rel);
  /**
   * Moves a finished file under its Label Studio name; when two exports of the same
   * data finish in the same minute, the second gets a `_<random>` suffix (as Django's
   * storage does) instead of replacing the first. Returns the path relative to the data folder.
   */
  const storeFile = async (source: string, relDir: string, stem: string, ext: string): Promise<string> => {
    await fs.mkdir(storedPath(relDir), { recursive: true });
    for (let attempt = 0; ; attempt++) {
      const rel = join(
        relDir,
        `${stem}${attempt === 0 ? '' : `_${randomBytes(4).toString('hex').slice(0, 7)}`}${ext}`,
      );
      try {
        // link() fails when the name exists, so two jobs never take the same name.
        await fs.link(source, storedPath(rel));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 10) continue;
        throw error;
      }
      await fs.rm(source, { force: true });
      return rel;
    }
  };

  // ---- jobs ----------------------------------------------------------------------------

  // Conversions asked for while their snapshot is still queued or running wait here,
  // without holding a job slot, and are queued when the snapshot ends.
  const parked = new Map<number, (() => void)[]>();
  const releaseParked = (snapshotId: number) => {
    const waiting = parked.get(snapshotId) ?? [];
    parked.delete(snapshotId);
    for (const requeue of waiting) requeue();
  };

  const snapshotJob = (id: number) => ({
    name: `snapshot ${id}`,
    run: async (signal: AbortSignal) => {
      try {
        await runSnapshot(id, signal);
      } finally {
        const status = store.getSnapshot(id)?.status;
        if (status !== 'created' && status !== 'in_progress') releaseParked(id);
      }
    },
  });

  const runSnapshot = async (id: number, signal: AbortSignal) => {
    {
      const snapshot = store.getSnapshot(id);
      if (!snapshot || snapshot.status === 'completed' || snapshot.status === 'failed') return;
      const project = store.getProject(snapshot.projectId);
      if (!project) return;
      store.updateSnapshot(id, { status: 'in_progress', counters: {} });
      const tmp = join(tmpDir, `${tempName('snapshot')}.json`);
      try {
        const { query, serialize } = snapshotPlan(snapshot.options);
        let pages = 0;
        // Progress for pollers; Label Studio fills the counters only at the end.
        const progress = (tasksWritten: number) =>
          store.updateSnapshot(id, { counters: { task_number: tasksWritten } });
        const written =
          options.jobWorkers !== false && !options.beforeSnapshotPage
            ? await writeSnapshotInWorker(
                { dataDir, projectId: project.id, query, serialize, file: tmp },
                signal,
                progress,
              )
            : await writeTasksJson(store, project.id, query, serialize, tmp, {
                signal,
                onPage: async (tasksWritten) => {
                  if (options.beforeSnapshotPage) await options.beforeSnapshotPage(id, signal);
                  if (++pages % 20 === 0) progress(tasksWritten);
                },
              });
        if (!store.getSnapshot(id)) {
          await fs.rm(tmp, { force: true });
          return;
        }
        const rel = await storeFile(
          tmp,
          join('export', String(project.id)),
          exportStem(project.id, written.md5),
          '.json',
        );
        store.updateSnapshot(id, {
          status: 'completed',
          md5: written.md5,
          counters: { task_number: written.taskNumber },
          file: rel,
          finishedAt: new Date().toISOString(),
        });
      } catch (error) {
        await fs.rm(tmp, { force: true });
        if (signal.aborted) {
          // Shutting down: leave it for the next start, which reruns it from the beginning.
          store.updateSnapshot(id, { status: 'created' });
          return;
        }
        store.updateSnapshot(id, {
          status: 'failed',
          error: String((error as Error)?.message ?? error),
          finishedAt: new Date().toISOString(),
        });
        throw error;
      }
    }
  };

  const conversionJob = (id: number, formatOptions: Record<string, unknown> = {}) => ({
    name: `conversion ${id}`,
    run: async (signal: AbortSignal) => {
      const conversion = store.getConversion(id);
      if (!conversion || conversion.status === 'completed' || conversion.status === 'failed') return;
      const pending = store.getSnapshot(conversion.exportId);
      if (pending && (pending.status === 'created' || pending.status === 'in_progress')) {
        const list = parked.get(pending.id) ?? [];
        // Queued first when the snapshot ends: a conversion runs on a worker thread
        // while the next snapshots are written here, so both cores stay busy.
        list.push(() => jobs.add(conversionJob(id, formatOptions), { first: true }));
        parked.set(pending.id, list);
        return;
      }
      store.updateConversion(id, { status: 'in_progress' });
      const work = join(tmpDir, tempName('convert'));
      const fail = (message: string) =>
        store.updateConversion(id, {
          status: 'failed',
          traceback: message,
          finishedAt: new Date().toISOString(),
        });
      try {
        const snapshot = store.getSnapshot(conversion.exportId);
        if (snapshot?.status !== 'completed' || !snapshot.file) {
          fail('The export snapshot did not complete, so it cannot be converted');
          return;
        }
        const project = store.getProject(snapshot.projectId);
        const format = findFormat(conversion.exportType);
        if (!project || !format) {
          fail(`${conversion.exportType} is not supported export format`);
          return;
        }
        await fs.mkdir(work, { recursive: true });
        // Folder formats go straight into the zip: no temporary copy of thousands of files.
        const zipPath = join(work, 'result.zip');
        const moduleUrl = formatModuleOf(format);
        const result = moduleUrl
          ? await convertInWorker(
              {
                moduleUrl,
                formatId: format.id,
                labelConfig: project.labelConfig,
                input: storedPath(snapshot.file),
                workDir: work,
                zipPath,
                formatOptions,
                resources: { ...plainResourceBase, download: conversion.downloadResources },
              },
              signal,
            )
          : await convertJsonFile({
              format,
              labelConfig: project.labelConfig,
              input: storedPath(snapshot.file),
              workDir: work,
              formatOptions,
              resources: resourcesFor(conversion.downloadResources, signal),
              signal,
              zipSink: zipFileSink(zipPath),
            });
        if (result.kind === 'none' || (result.kind === 'zipped' && result.files === 0)) {
          fail('No converted file found, probably there are no annotations in the export snapshot');
          return;
        }
        let source: string;
        let ext: string;
        if (result.kind === 'file') {
          source = result.path;
          ext = result.ext;
        } else if (result.kind === 'zipped') {
          source = zipPath;
          ext = '.zip';
        } else {
          source = zipPath;
          ext = '.zip';
          const sink = zipFileSink(source);
          try {
            await copyFolderToSink(result.dir, sink);
            await sink.commit();
          } catch (error) {
            await sink.abort();
            throw error;
          }
        }
        const md5 = await fileMd5(source);
        const rel = await storeFile(
          source,
          join('export', String(project.id)),
          exportStem(project.id, md5),
          ext,
        );
        if (!store.getConversion(id)) {
          await fs.rm(storedPath(rel), { force: true });
          return;
        }
        store.updateConversion(id, { status: 'completed', file: rel, finishedAt: new Date().toISOString() });
      } catch (error) {
        if (signal.aborted) {
          store.updateConversion(id, { status: 'created' });
          return;
        }
        fail(isLsconvError(error) ? error.message : String((error as Error)?.stack ?? error));
      } finally {
        await fs.rm(work, { recursive: true, force: true });
      }
    },
  });

  // A restart never leaves a job stuck: whatever was created or running reruns from the start.
  const unfinished = store.unfinishedJobs();
  for (const s of unfinished.snapshots) {
    store.updateSnapshot(s.id, { status: 'created' });
    jobs.add(snapshotJob(s.id));
  }
  for (const c of unfinished.conversions) {
    store.updateConversion(c.id, { status: 'created' });
    jobs.add(conversionJob(c.id));
  }
  if (unfinished.snapshots.length + unfinished.conversions.length > 0) {
    log(
      `lsconv-server: resumed ${unfinished.snapshots.length} snapshot(s) and ${unfinished.conversions.length} conversion(s)`,
    );
  }

  // ---- routes --------------------------------------------------------------------------

  const router = new Router();

  router.on('GET', '/api/projects', ({ res, url }) => {
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const pageSize = Math.min(1000, Math.max(1, Number(url.searchParams.get('page_size') ?? 100) || 100));
    const { total, rows } = store.listProjects((page - 1) * pageSize, pageSize);
    const link = (p: number) => {
      const u = new URL(url.href);
      u.searchParams.set('page', String(p));
      return `${u.pathname}${u.search}`;
    };
    sendJson(res, 200, {
      count: total,
      next: page * pageSize < total ? link(page + 1) : null,
      previous: page > 1 ? link(page - 1) : null,
      results: rows.map(projectJson),
    });
  });

  router.on('POST', '/api/projects', async ({ req, res }) => {
    const body = await readJsonObject(req, maxBody);
    const title = stringField(body, 'title', 50) ?? '';
    const description = stringField(body, 'description', 100_000) ?? '';
    const labelConfig = body.label_config === undefined ? '<View></View>' : validateConfig(body.label_config);
    sendJson(res, 201, projectJson(store.createProject({ title, description, labelConfig })));
  });

  router.on('GET', '/api/projects/:id', ({ res, params }) =>
    sendJson(res, 200, projectJson(projectOr404(params.id!))),
  );

  router.on('PATCH', '/api/projects/:id', async ({ req, res, params }) => {
    const project = projectOr404(params.id!);
    const body = await readJsonObject(req, maxBody);
    const patch: Parameters<Store['updateProject']>[1] = {};
    const title = stringField(body, 'title', 50);
    if (title !== undefined) patch.title = title;
    const description = stringField(body, 'description', 100_000);
    if (description !== undefined) patch.description = description;
    if (body.label_config !== undefined) patch.labelConfig = validateConfig(body.label_config);
    sendJson(res, 200, projectJson(store.updateProject(project.id, patch)!));
  });

  router.on('DELETE', '/api/projects/:id', async ({ res, params }) => {
    const project = projectOr404(params.id!);
    store.deleteProject(project.id);
    await fs.rm(join(exportDir, String(project.id)), { recursive: true, force: true });
    res.writeHead(204).end();
  });

  router.on('POST', '/api/projects/:id/import', async ({ req, res, params }) => {
    const project = projectOr404(params.id!);
    const started = Date.now();
    const type = String(req.headers['content-type'] ?? '');
    const result = type.startsWith('multipart/form-data')
      ? await importMultipart(req, project.id)
      : await importStreams(project.id, [{ stream: limitBytes(req, maxImport), name: 'request body' }]);
    sendJson(res, 201, {
      task_count: result.tasks,
      annotation_count: result.annotations,
      predictions_count: result.predictions,
      prediction_count: result.predictions,
      duration: (Date.now() - started) / 1000,
      file_upload_ids: [],
      could_be_tasks_list: false,
      found_formats: [],
      data_columns: [],
    });
  });

  router.on('GET', '/api/projects/:id/export/formats', ({ res, params, url }) => {
    const project = projectOr404(params.id!);
    sendJson(
      res,
      200,
      formatList(project, parseBool('details', url.searchParams.get('details') ?? undefined, false)),
    );
  });

  router.on('GET', '/api/projects/:id/export/files', ({ res, params }) => {
    projectOr404(params.id!);
    sendJson(res, 200, { export_files: [] });
  });

  router.on('GET', '/api/projects/:id/export', async ({ req, res, params, url }) => {
    const project = projectOr404(params.id!);
    const q = url.searchParams;
    const typeName = q.get('exportType') ?? q.get('export_type') ?? 'JSON';
    const format = findFormat(typeName);
    if (!format) throw validationError({ export_type: [`${typeName} is not supported export format`] });
    const downloadAll = parseBool('download_all_tasks', q.get('download_all_tasks') ?? undefined, false);
    const download = parseBool(
      'download_resources',
      q.get('download_resources') ?? undefined,
      downloadDefault,
    );
    const ids = parseIds([...q.getAll('ids[]'), ...q.getAll('ids')]);
    const formatOptions = formatOptionsFrom(format, Object.fromEntries(q));
    const query: TaskQuery = {
      ...(ids.length ? { ids } : {}),
      ...(downloadAll ? {} : { anyAnnotation: true }),
    };
    await easyExport(req, res, project, format, query, EASY_EXPORT_SERIALIZATION, download, formatOptions);
  });

  router.on('GET', '/api/projects/:id/exports', ({ res, params }) => {
    const project = projectOr404(params.id!);
    sendJson(res, 200, store.listSnapshots(project.id, 100).map(snapshotJson));
  });

  router.on('POST', '/api/projects/:id/exports', async ({ req, res, params }) => {
    const project = projectOr404(params.id!);
    const body = await readJsonObject(req, maxBody);
    const title = stringField(body, 'title', 2048) ?? '';
    const snapshotOptions = parseSnapshotOptions(body);
    const snapshot = store.createSnapshot({
      projectId: project.id,
      title: title || defaultSnapshotTitle(project.title),
      options: snapshotOptions,
    });
    if (!jobs.add(snapshotJob(snapshot.id))) throw new HttpError(503, 'The server is shutting down');
    sendJson(res, 201, { ...snapshotJson(store.getSnapshot(snapshot.id)!), ...snapshotOptions });
  });

  router.on('GET', '/api/projects/:id/exports/:pk', ({ res, params }) => {
    const project = projectOr404(params.id!);
    sendJson(res, 200, snapshotJson(snapshotOr404(project, params.pk!)));
  });

  router.on('DELETE', '/api/projects/:id/exports/:pk', async ({ res, params }) => {
    const project = projectOr404(params.id!);
    const snapshot = snapshotOr404(project, params.pk!);
    const files = [snapshot.file, ...store.listConversions(snapshot.id).map((c) => c.file)].filter(
      (f): f is string => !!f,
    );
    store.deleteSnapshot(snapshot.id);
    for (const f of files) await fs.rm(storedPath(f), { force: true });
    res.writeHead(204).end();
  });

  router.on('POST', '/api/projects/:id/exports/:pk/convert', async ({ req, res, params }) => {
    const project = projectOr404(params.id!);
    const snapshot = snapshotOr404(project, params.pk!);
    const body = await readJsonObject(req, maxBody);
    const typeName = body.export_type;
    if (typeof typeName !== 'string' || typeName === '')
      throw validationError({ export_type: ['This field is required.'] });
    const format = findFormat(typeName);
    if (!format) throw validationError({ export_type: [`${typeName} is not supported export format`] });
    const download = parseBool('download_resources', body.download_resources, downloadDefault);
    const extra = body.options;
    const formatOptions =
      typeof extra === 'object' && extra !== null && !Array.isArray(extra)
        ? formatOptionsFrom(format, extra as Record<string, unknown>)
        : {};
    const existing = store
      .listConversions(snapshot.id)
      .find((c) => c.exportType === format.id && c.status !== 'failed');
    if (existing) throw validationError({ non_field_errors: [`Conversion to ${format.id} already started`] });
    const conversion = store.createConversion({
      exportId: snapshot.id,
      projectId: project.id,
      exportType: format.id,
      downloadResources: download,
    });
    if (!jobs.add(conversionJob(conversion.id, formatOptions)))
      throw new HttpError(503, 'The server is shutting down');
    sendJson(res, 200, { export_type: format.id, converted_format: conversion.id });
  });

  router.on('GET', '/api/projects/:id/exports/:pk/download', async ({ req, res, params, url }) => {
    const project = projectOr404(params.id!);
    const snapshot = snapshotOr404(project, params.pk!);
    if (snapshot.status !== 'completed' || !snapshot.file) {
      sendText(res, 404, 'Export is not completed');
      return;
    }
    const typeName = url.searchParams.get('exportType') ?? url.searchParams.get('export_type');
    let file = snapshot.file;
    if (typeName && typeName.toUpperCase() !== 'JSON') {
      const id = findFormat(typeName)?.id ?? typeName;
      const conversion = store.listConversions(snapshot.id).find((c: ConversionRow) => c.exportType === id);
      if (conversion?.status !== 'completed' || !conversion.file) {
        throw new HttpError(404, `${typeName} format is not converted yet`);
      }
      file = conversion.file;
    }
    const path = storedPath(file);
    if (!existsSync(path)) {
      sendText(res, 404, "Can't get file");
      return;
    }
    const name = downloadName(snapshot.title, basename(file));
    const ext = (name.split('.').pop() ?? 'octet-stream').toLowerCase();
    await sendFile(req, res, path, name, `application/${ext}`);
  });

  // ---- exports ---------------------------------------------------------------------------

  const formatList = (project: ProjectRow, details: boolean) => {
    let config: ReturnType<typeof parseLabelConfig> | undefined;
    try {
      config = parseLabelConfig(project.labelConfig);
    } catch {
      config = undefined;
    }
    const order = (id: string) => {
      const i = LS_FORMAT_ORDER.indexOf(id);
      return i === -1 ? LS_FORMAT_ORDER.length : i;
    };
    const items = [...registry.formats.values()]
      .map(({ format }, index) => {
        const support = config
          ? format.supports(config)
          : ({ ok: false, reason: 'the labeling config does not parse' } as const);
        const item: Record<string, unknown> = {
          title: format.title,
          description: format.description,
          link: format.link ?? '',
          tags: [...format.tags],
          name: format.id,
        };
        if (!support.ok) item.disabled = true;
        if (details) {
          item.output = format.output;
          item.options = format.options;
          if (!support.ok) item.reason = support.reason;
        }
        return { item, key: order(format.id) * 10_000 + index };
      })
      .sort((a, b) => a.key - b.key)
      .map((x) => x.item);
    // Stable: enabled first, each group in converter order.
    return [...items.filter((i) => !i.disabled), ...items.filter((i) => i.disabled)];
  };

  async function easyExport(
    req: IncomingMessage,
    res: ServerResponse,
    project: ProjectRow,
    format: FormatDefinition<any>,
    query: TaskQuery,
    serialize: SerializeOptions,
    download: boolean,
    formatOptions: Record<string, unknown>,
  ): Promise<void> {
    if (easyRunning >= easyLimit) {
      res.setHeader('retry-after', '5');
      throw new HttpError(
        503,
        `Too many exports are running (${easyLimit}); retry shortly or create a snapshot`,
      );
    }
    easyRunning++;
    const controller = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) controller.abort();
    };
    res.on('close', onClose);
    shutdown.signal.addEventListener('abort', onClose);
    const work = join(tmpDir, tempName('easy'));
    try {
      await fs.mkdir(work, { recursive: true });
      const input = join(work, 'tasks.json');
      const written = await writeTasksJson(store, project.id, query, serialize, input, {
        signal: controller.signal,
      });
      const stem = exportStem(project.id, written.md5);
      const zipHeaders = () => {
        const name = `${stem}.zip`;
        res.writeHead(200, {
          'content-type': 'application/zip',
          'content-disposition': attachmentHeader(name),
          filename: name,
          'access-control-expose-headers': 'filename',
        });
      };
      let zipSink: ReturnType<typeof zipStreamSink> | undefined;
      if (format.output === 'folder') {
        // Refuse an unusable config before the headers go out; then stream the zip as the format writes.
        const support = format.supports(parseLabelConfig(project.labelConfig, { file: 'label_config' }));
        if (!support.ok) {
          throw new HttpError(
            400,
            `format ${format.id} cannot export this labeling config: ${support.reason}`,
          );
        }
        zipHeaders();
        zipSink = zipStreamSink(res);
      }
      const result = await convertJsonFile({
        format,
        labelConfig: project.labelConfig,
        input,
        workDir: work,
        formatOptions,
        resources: resourcesFor(download, controller.signal),
        signal: controller.signal,
        ...(zipSink ? { zipSink } : {}),
      });
      if (result.kind === 'zipped') return;
      if (result.kind === 'file') {
        const name = `${stem}${result.ext}`;
        await sendFile(req, res, result.path, name, `application/${result.ext.slice(1) || 'octet-stream'}`);
        return;
      }
      zipHeaders();
      const sink = zipStreamSink(res);
      try {
        if (result.kind === 'folder') await copyFolderToSink(result.dir, sink);
        await sink.commit();
      } catch (error) {
        await sink.abort();
        throw error;
      }
    } finally {
      easyRunning--;
      res.off('close', onClose);
      shutdown.signal.removeEventListener('abort', onClose);
      await fs.rm(work, { recursive: true, force: true });
    }
  }

  async function sendFile(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    name: string,
    type: string,
  ): Promise<void> {
    const stat = await fs.stat(path);
    res.writeHead(200, {
      'content-type': type,
      'content-length': stat.size,
      'content-disposition': attachmentHeader(name),
      filename: name,
      'access-control-expose-headers': 'filename',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(path);
      stream.on('error', reject);
      res.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(res).on('finish', resolve);
    });
  }

  // ---- import ----------------------------------------------------------------------------

  /**
   * Imports being read, by the stream each is reading now: a shutdown stops them with a
   * 503 and waits for their rollback before it closes the store.
   */
  const runningImports = new Map<Promise<unknown>, { current: Readable | undefined }>();
  const stopImports = async () => {
    for (const state of runningImports.values()) {
      state.current?.destroy(
        new HttpError(503, 'The server is shutting down; nothing of this import was kept'),
      );
    }
    await Promise.allSettled(runningImports.keys());
  };

  function importStreams(
    projectId: number,
    inputs: AsyncIterable<{ stream: Readable; name: string }> | Iterable<{ stream: Readable; name: string }>,
  ): Promise<{ tasks: number; annotations: number; predictions: number }> {
    if (closed) return Promise.reject(new HttpError(503, 'The server is shutting down'));
    const state: { current: Readable | undefined } = { current: undefined };
    const run = applyImport(projectId, inputs, state);
    runningImports.set(run, state);
    const forget = () => runningImports.delete(run);
    run.then(forget, forget);
    return run;
  }

  async function applyImport(
    projectId: number,
    inputs: AsyncIterable<{ stream: Readable; name: string }> | Iterable<{ stream: Readable; name: string }>,
    state: { current: Readable | undefined },
  ): Promise<{ tasks: number; annotations: number; predictions: number }> {
    const batch = store.beginImport(projectId);
    const ids = {
      annotation: new IdAllocator(store, 'annotation'),
      draft: new IdAllocator(store, 'draft'),
      prediction: new IdAllocator(store, 'prediction'),
    };
    let innerId = store.countTasks(projectId, {});
    let tasks = 0;
    let annotations = 0;
    let predictions = 0;
    try {
      for await (const input of inputs) {
        if (closed) throw new HttpError(503, 'The server is shutting down; nothing of this import was kept');
        state.current = input.stream;
        let pending: ReturnType<typeof normaliseImportedTask>['row'][] = [];
        const users = new Map<number, { id: number; email: string; first_name: string; last_name: string }>();
        for await (const slice of openTaskSource(input.stream).slices()) {
          let value: unknown;
          try {
            value = JSON.parse(Buffer.from(slice.bytes).toString('utf8'));
          } catch (error) {
            throw new ImportError(
              `${input.name}: task #${slice.index} is not valid JSON: ${(error as Error).message}`,
            );
          }
          const task = normaliseImportedTask(value, ids, slice.index, innerId + 1);
          innerId++;
          pending.push(task.row);
          for (const u of task.users) users.set(u.id, u);
          tasks++;
          annotations += task.annotationCount;
          predictions += task.predictionCount;
          if (pending.length >= 1000) {
            batch.add(pending);
            pending = [];
            if (users.size) {
              store.upsertUsers([...users.values()]);
              users.clear();
            }
            await new Promise((r) => setImmediate(r));
          }
        }
        if (pending.length) batch.add(pending);
        if (users.size) store.upsertUsers([...users.values()]);
      }
      ids.annotation.finish();
      ids.draft.finish();
      ids.prediction.finish();
      batch.commit();
    } catch (error) {
      batch.rollback();
      if (error instanceof HttpError) throw error;
      if (isLsconvError(error) && error.cause instanceof HttpError) throw error.cause;
      if (error instanceof ImportError) throw validationError({ non_field_errors: [error.message] });
      if (isLsconvError(error)) throw validationError({ non_field_errors: [error.message] });
      throw error;
    }
    return { tasks, annotations, predictions };
  }

  function importMultipart(req: IncomingMessage, projectId: number) {
    let bb: ReturnType<typeof Busboy>;
    try {
      bb = Busboy({
        headers: req.headers,
        limits: { fileSize: maxImport, files: MAX_UPLOAD_FILES, parts: MAX_UPLOAD_PARTS, fieldSize: maxBody },
      });
    } catch (error) {
      throw new HttpError(400, `Multipart form parse error - ${(error as Error).message}`);
    }
    // Files arrive one after another; each is consumed before busboy reads on.
    const queue: { stream: Readable; name: string }[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: unknown;
    bb.on('file', (_field, stream, info) => {
      stream.on('limit', () =>
        stream.destroy(new HttpError(413, `Uploaded file is larger than ${maxImport} bytes`)),
      );
      queue.push({ stream, name: info.filename || 'upload' });
      wake?.();
    });
    bb.on('close', () => {
      finished = true;
      wake?.();
    });
    // Busboy drops the parts past its limits without an error; an import must not lose files silently.
    const tooMany = (what: string, limit: number) => () => {
      failure ??= new HttpError(413, `The form has more than ${limit} ${what}`);
      finished = true;
      wake?.();
    };
    bb.on('filesLimit', tooMany('files', MAX_UPLOAD_FILES));
    bb.on('partsLimit', tooMany('parts', MAX_UPLOAD_PARTS));
    bb.on('error', (error) => {
      failure = new HttpError(400, `Multipart form parse error - ${(error as Error).message}`);
      finished = true;
      wake?.();
    });
    req.pipe(bb);
    async function* files() {
      for (;;) {
        if (failure) throw failure;
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (finished) return;
        await new Promise<void>((r) => {
          wake = r;
        });
        wake = undefined;
      }
    }
    return (async () => {
      let count = 0;
      const result = await importStreams(
        projectId,
        (async function* () {
          for await (const f of files()) {
            count++;
            yield f;
          }
        })(),
      );
      if (count === 0) throw validationError({ file: ['No file was submitted.'] });
      return result;
    })();
  }

  function limitBytes(req: IncomingMessage, limit: number): Readable {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit)
      throw new HttpError(413, `Request body is larger than ${limit} bytes`);
    let seen = 0;
    const limited = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        seen += chunk.length;
        if (seen > limit) {
          req.unpipe(limited);
          req.resume();
          cb(new HttpError(413, `Request body is larger than ${limit} bytes`));
        } else cb(null, chunk);
      },
    });
    // The reader of `limited` gets the error through its own iteration; this listener only
    // keeps an error that arrives after the reader stopped (a parse error came first) from
    // becoming an uncaught exception that would take the whole server down.
    limited.on('error', () => undefined);
    return req.pipe(limited);
  }

  // ---- request handling --------------------------------------------------------------------

  const docs = openApiDocument();
  const timeouts = options.timeouts ?? {};
  const bodyIdleMs = timeouts.bodyIdleMs ?? 60_000;
  const server = createServer(
    { connectionsCheckingInterval: timeouts.checkIntervalMs ?? 30_000 },
    (req, res) => {
      watchBody(req, res);
      void handle(req, res);
    },
  );
  server.headersTimeout = timeouts.headersMs ?? 60_000;
  server.requestTimeout = timeouts.requestMs ?? 3_600_000;

  /**
   * A body that stops arriving (a stalled or trickling client) closes the connection
   * after bodyIdleMs: the socket's idle timer runs only until the body is complete, so
   * a long export computed after it is never cut.
   */
  function watchBody(req: IncomingMessage, res: ServerResponse): void {
    const hasBody =
      Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody || bodyIdleMs <= 0 || req.complete) return;
    const socket = req.socket;
    const onIdle = () => {
      if (!res.headersSent) sendError(res, 408, 'The request body stopped arriving');
      socket.destroy();
    };
    socket.setTimeout(bodyIdleMs, onIdle);
    // Cleared when the body is complete, before the response ends and Node arms its own
    // keep-alive timer on the same socket. Requests refused early destroy the socket.
    req.once('end', () => {
      socket.setTimeout(0);
      socket.off('timeout', onIdle);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      sendError(res, 400, 'Bad request URL');
      return;
    }
    const method = req.method ?? 'GET';
    try {
      if (url.pathname === '/' || url.pathname === '/index.html') {
        if (method !== 'GET' && method !== 'HEAD')
          throw new HttpError(405, `Method "${method}" not allowed.`);
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-cache',
          'content-security-policy':
            "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; img-src 'self' data:",
        });
        res.end(method === 'HEAD' ? undefined : PAGE_HTML);
        return;
      }
      if (url.pathname === '/api/docs' || url.pathname === '/api/docs/') {
        sendJson(res, 200, docs);
        return;
      }
      if (url.pathname === '/health') {
        sendJson(res, 200, { status: 'UP' });
        return;
      }
      if (!url.pathname.startsWith('/api/')) throw new HttpError(404, 'Not found.');
      const auth = String(req.headers.authorization ?? '');
      if (!auth) {
        res.setHeader('www-authenticate', 'Token');
        throw new HttpError(401, 'Authentication credentials were not provided.');
      }
      const m = /^(Token|Bearer)\s+(\S+)\s*$/i.exec(auth);
      if (!m || !safeEqual(m[2]!, apiKey)) {
        res.setHeader('www-authenticate', 'Token');
        throw new HttpError(401, 'Invalid token.');
      }
      const found = router.match(method, url.pathname);
      if (found === 'method') throw new HttpError(405, `Method "${method}" not allowed.`);
      if (!found) throw new HttpError(404, 'Not found.');
      const ctx: RequestContext = { req, res, url, params: found.params };
      await found.handler(ctx);
    } catch (error) {
      if (res.headersSent) {
        log(
          `lsconv-server: ${method} ${url.pathname} failed while streaming: ${String((error as Error)?.message ?? error)}`,
        );
        res.destroy();
        return;
      }
      // A refused upload is not read to its end and its connection is closed below: say so,
      // or a keep-alive client would send its next request on a socket about to close.
      if (!req.complete) res.setHeader('connection', 'close');
      if (error instanceof HttpError) {
        sendError(res, error.status, error.message, error.validationErrors);
      } else if (isLsconvError(error)) {
        const status =
          error.code === 'ABORTED'
            ? 503
            : error.code === 'INTERNAL' || error.code === 'OUTPUT_WRITE'
              ? 500
              : 400;
        sendError(res, status, error.message);
      } else {
        log(`lsconv-server: ${method} ${url.pathname}: ${(error as Error)?.stack ?? String(error)}`);
        sendError(
          res,
          500,
          String((error as Error)?.message ?? error),
          undefined,
          String((error as Error)?.stack ?? ''),
        );
      }
      // A refused upload is not read to its end: close the connection instead.
      if (!req.complete) res.once('finish', () => req.destroy());
    }
  }

  let closed = false;
  return {
    server,
    apiKey,
    apiKeyGenerated,
    store,
    registry,
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      const closing = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      // An import is applied whole or not at all: one still arriving is rolled back and
      // answered 503 before the store closes, not cut off with a bare connection reset.
      await stopImports();
      await jobs.stop(options.shutdownGraceMs ?? 10_000);
      shutdown.abort();
      // Connections that finish a response after close() stay keep-alive: close them as they go idle.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const timer = setTimeout(() => server.closeAllConnections(), 5_000);
      server.closeIdleConnections();
      await closing;
      clearInterval(sweep);
      clearTimeout(timer);
      store.close();
    },
  };

  function parseSnapshotOptions(body: Record<string, unknown>): SnapshotOptions {
    const errors: Record<string, any> = {};
    const objectOrNull = (key: string): Record<string, unknown> | null => {
      const v = body[key];
      if (v === undefined || v === null) return null;
      if (typeof v !== 'object' || Array.isArray(v)) {
        errors[key] = {
          non_field_errors: [
            `Invalid data. Expected a dictionary, but got ${Array.isArray(v) ? 'list' : typeof v}.`,
          ],
        };
        return null;
      }
      return v as Record<string, unknown>;
    };
    const tfo = objectOrNull('task_filter_options');
    const afo = objectOrNull('annotation_filter_options');
    const so = objectOrNull('serialization_options');
    let taskFilter: Record<string, unknown> | null = null;
    if (tfo) {
      const e: Record<string, string[]> = {};
      taskFilter = {
        view: null,
        skipped: null,
        finished: null,
        annotated: null,
        only_with_annotations: false,
      };
      if (tfo.view !== undefined && tfo.view !== null) {
        if (!Number.isInteger(Number(tfo.view))) e.view = ['A valid integer is required.'];
        else taskFilter.view = Number(tfo.view);
      }
      for (const key of ['skipped', 'finished', 'annotated']) {
        const v = tfo[key];
        if (v === undefined || v === null) continue;
        if (!CHOICE.includes(v as never)) e[key] = [`"${String(v)}" is not a valid choice.`];
        else taskFilter[key] = v;
      }
      try {
        taskFilter.only_with_annotations = parseBool(
          'only_with_annotations',
          tfo.only_with_annotations,
          false,
        );
      } catch {
        e.only_with_annotations = ['Must be a valid boolean.'];
      }
      if (Object.keys(e).length) errors.task_filter_options = e;
    }
    let annotationFilter: Record<string, unknown> | null = null;
    if (afo) {
      const e: Record<string, string[]> = {};
      annotationFilter = {};
      for (const [key, fallback] of [
        ['usual', true],
        ['ground_truth', null],
        ['skipped', null],
      ] as const) {
        const v = afo[key];
        if (v === undefined) annotationFilter[key] = fallback;
        else if (v === null) annotationFilter[key] = null;
        else {
          try {
            annotationFilter[key] = parseBool(key, v, false);
          } catch {
            e[key] = ['Must be a valid boolean.'];
          }
        }
      }
      if (Object.keys(e).length) errors.annotation_filter_options = e;
    }
    let serialization: Record<string, unknown> | null = null;
    if (so) {
      const e: Record<string, unknown> = {};
      serialization = {};
      for (const key of ['drafts', 'predictions', 'annotations__completed_by']) {
        const v = so[key];
        if (v === undefined || v === null) continue;
        if (typeof v !== 'object' || Array.isArray(v)) {
          e[key] = { non_field_errors: ['Invalid data. Expected a dictionary.'] };
          continue;
        }
        try {
          serialization[key] = {
            only_id: parseBool('only_id', (v as Record<string, unknown>).only_id, false),
          };
        } catch {
          e[key] = { only_id: ['Must be a valid boolean.'] };
        }
      }
      for (const key of ['include_annotation_history', 'interpolate_key_frames']) {
        try {
          serialization[key] = parseBool(key, so[key], false);
        } catch {
          e[key] = ['Must be a valid boolean.'];
        }
      }
      if (Object.keys(e).length) errors.serialization_options = e;
    }
    if (Object.keys(errors).length) throw validationError(errors);
    return {
      task_filter_options: taskFilter,
      annotation_filter_options: annotationFilter,
      serialization_options: serialization,
    };
  }
}

/**
 * What a snapshot reads and how it writes it, from its options (Label Studio's
 * `_get_filtered_tasks`, `_get_filtered_annotations_queryset`, `_get_export_serializer_option`).
 */
export function snapshotPlan(options: SnapshotOptions): { query: TaskQuery; serialize: SerializeOptions } {
  const tfo = options.task_filter_options;
  const query: TaskQuery = {};
  if (tfo) {
    // `view` (a Data Manager tab) has no counterpart here; like Label Studio with an unknown view, it is ignored.
    if (tfo.skipped === 'only' || tfo.skipped === 'exclude') query.skipped = tfo.skipped;
    if (tfo.finished === 'only' || tfo.finished === 'exclude') query.finished = tfo.finished;
    if (tfo.annotated === 'only' || tfo.annotated === 'exclude') query.annotated = tfo.annotated;
  }
  let annotationFilter: AnnotationFilter | undefined;
  const afo = options.annotation_filter_options;
  if (afo) {
    const filter = {
      usual: afo.usual === true,
      ground_truth: afo.ground_truth === true,
      skipped: afo.skipped === true,
    };
    if (filter.usual || filter.ground_truth || filter.skipped) annotationFilter = filter;
  }
  const so = options.serialization_options;
  const expanded = (key: string) => {
    const v = so?.[key] as { only_id?: boolean } | undefined;
    return !!v && typeof v === 'object' && !v.only_id;
  };
  return {
    query,
    serialize: {
      expandDrafts: expanded('drafts'),
      expandPredictions: expanded('predictions'),
      expandCompletedBy: expanded('annotations__completed_by'),
      omitHistory: !!so && so.include_annotation_history !== true,
      ...(annotationFilter ? { annotationFilter } : {}),
      onlyWithAnnotations: tfo?.only_with_annotations === true,
    },
  };
}

/** `My-Project-at-2024-05-15-12-09` (UTC), Label Studio's default snapshot title. */
export function defaultSnapshotTitle(projectTitle: string, at = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${projectTitle.replace(/ /g, '-')}-at-${at.getUTCFullYear()}-${p(at.getUTCMonth() + 1)}-${p(at.getUTCDate())}-${p(at.getUTCHours())}-${p(at.getUTCMinutes())}`;
}

function parseIds(values: string[]): number[] {
  const ids: number[] = [];
  for (const v of values) {
    for (const part of v.split(',')) {
      if (part.trim() === '') continue;
      const n = Number(part);
      if (!Number.isSafeInteger(n)) throw validationError({ ids: [`"${part}" is not a valid task id.`] });
      ids.push(n);
    }
  }
  return ids;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  if (x.length !== y.length) return false;
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}
