import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type CompatMode,
  isLsconvError,
  type Registry,
  type ResourceOptions,
  zipFileSink,
} from '@lsconv/core';
import { rotateApiKey } from './api-key.js';
import { serverResources } from './context.js';
import { deliverZip } from './deliver.js';
import { convertJsonFile, exportStem, tempName, writeTasksJson } from './exporter.js';
import { loadServerFormats } from './format-hosting.js';
import { SERVER_VERSION } from './http.js';
import { createLsconvServer, type ServerOptions } from './server.js';
import { openStore, redactUrl } from './store/open.js';
import type { SerializeOptions } from './tasks.js';

const HELP = `lsconv-server ${SERVER_VERSION} — Label Studio-compatible export service

Usage:
  lsconv-server [--port 8080] [--host 127.0.0.1] [--data-dir ./lsconv-data] [--api-key KEY]
                [--database postgres://…] [--storage file:///shared/path | s3://bucket/prefix]
  lsconv-server export <project_id> <format> [--export-path DIR] [--data-dir DIR] [--database URL]
                [--export-serializer-context JSON] [--compat python] [media options below]
  lsconv-server key [--data-dir DIR] [--database URL]
                replaces the stored API key with a new one and prints it (a lost key cannot
                be shown again: only its hash is kept); a running server takes it at once

Server options:
  --port N                   port to listen on (default 8080; 0 picks a free one)
  --host H                   address to bind (default 127.0.0.1)
  --data-dir DIR             data folder, created on first start (default ./lsconv-data): the SQLite
                             database, export files and the media cache
  --database URL             PostgreSQL database shared by several instances, e.g.
                             postgres://lsconv:secret@db-host:5432/lsconv (else LSCONV_DATABASE_URL,
                             else SQLite in the data folder); its schema is migrated at start, and
                             snapshots and conversions go through a job queue in it (pg-boss) that
                             every instance on the database takes from
  --storage URL              where export files are kept: file:///shared/path (a folder every
                             instance mounts) or s3://bucket/prefix (AWS_REGION, AWS_ACCESS_KEY_ID,
                             AWS_SECRET_ACCESS_KEY…); default: the data folder (else LSCONV_STORAGE)
  --s3-endpoint URL          S3-compatible server (path-style), else AWS_ENDPOINT_URL
  --api-key KEY              API key (else LSCONV_API_KEY, else one generated and stored at first start)
  --max-jobs N               snapshot/conversion jobs running at once on this instance (default 4);
                             jobs that download media never take the last free one
  --job-deadline S           seconds one snapshot or conversion may run before it fails (default 3600; 0 = none)
  --max-easy-exports N       easy exports (GET .../export) running at once; more get 503 (default 8)
  --max-body-bytes N         largest JSON request body (default 16 MiB)
  --max-import-bytes N       largest import upload (default 8 GiB)
  --request-timeout S        seconds to receive a whole request, uploads included; 0 = none (default 3600)
  --body-idle-timeout S      seconds a request body may pause before the connection closes (default 60)
  --download-resources       download media by default in exports (default off)
  --compat python            write what Label Studio's converter writes, its bugs included
                             (default: lsconv's output, as the lsconv command writes; a request
                             may still ask for compat=python)
Media options (the server and its export command alike; task data never names plain file paths):
  --allow-private-addresses  let media downloads reach private and loopback addresses (default off)
  --download-deadline S      seconds one media download may take, retries included (default 600)
  --local-files-root DIR     root of /data/local-files/?d= URLs
  --upload-dir DIR           Label Studio's upload folder
  --ls-url URL               Label Studio server for relative media URLs
  --ls-token TOKEN           token for that server
`;

/** Runs the command line; resolves with the exit code (the server resolves only when stopped). */
export async function runCli(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'export') return exportCommand(argv.slice(1));
  if (argv[0] === 'key') return keyCommand(argv.slice(1));
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string', default: '8080' },
        host: { type: 'string', default: '127.0.0.1' },
        'data-dir': { type: 'string', default: './lsconv-data' },
        database: { type: 'string' },
        storage: { type: 'string' },
        's3-endpoint': { type: 'string' },
        'api-key': { type: 'string' },
        'max-jobs': { type: 'string' },
        'job-deadline': { type: 'string' },
        'max-easy-exports': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        'max-import-bytes': { type: 'string' },
        'request-timeout': { type: 'string' },
        'body-idle-timeout': { type: 'string' },
        ...RESOURCE_FLAGS,
        compat: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(`lsconv-server: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${SERVER_VERSION}\n`);
    return 0;
  }
  const { options, num, str } = serverOptionsFrom(values);
  const dataDir = options.dataDir;
  const app = await createLsconvServer(options);
  const port = await app.listen(num('port') ?? 8080, str('host'));
  const host = str('host')!;
  const shown = host.includes(':') ? `[${host}]` : host;
  process.stdout.write(
    `lsconv-server listening on http://${shown}:${port} (data: ${dataDir}${options.database ? `, database: ${redactUrl(options.database)}` : ''}, ${app.registry.formats.size} formats)\n`,
  );
  if (app.apiKeyGenerated) {
    process.stdout.write(
      `API key (generated; only its hash is stored, so it is shown once — \`lsconv-server key\` replaces a lost one): ${app.apiKey}\n`,
    );
  }
  await new Promise<void>((done) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        process.stderr.write('lsconv-server: forced exit\n');
        process.exit(1);
      }
      stopping = true;
      process.stderr.write(`lsconv-server: ${signal} received, shutting down\n`);
      app.close().then(done, (error) => {
        process.stderr.write(`lsconv-server: shutdown failed: ${String(error)}\n`);
        done();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

/**
 * `lsconv-server export <project_id> <format> --export-path DIR`: Label Studio's
 * `label-studio export` on the same store. Every task; `completed_by` expanded and
 * drafts and predictions as ids unless `--export-serializer-context` says otherwise.
 */
async function exportCommand(argv: readonly string[], registry?: Registry): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        'export-path': { type: 'string' },
        'data-dir': { type: 'string', default: './lsconv-data' },
        database: { type: 'string' },
        'export-serializer-context': { type: 'string' },
        ...RESOURCE_FLAGS,
        compat: { type: 'string' },
      },
    });
  } catch (error) {
    process.stderr.write(`lsconv-server export: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const [projectArg, formatArg] = parsed.positionals;
  if (!projectArg || !formatArg || !Number.isInteger(Number(projectArg))) {
    process.stderr.write(`lsconv-server export: needs <project_id> <format>\n\n${HELP}`);
    return 2;
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const dataDir = resolve(String(values['data-dir']));
  const store = await openStore(databaseFrom(values), dataDir, { recover: false }).catch((error: Error) => {
    process.stderr.write(`lsconv-server export: ${error.message}\n`);
  });
  if (!store) return 1;
  const work = join(dataDir, 'tmp', tempName('console'));
  try {
    const project = await store.getProject(Number(projectArg));
    if (!project) throw new Error(`project ${projectArg} does not exist in ${dataDir}`);
    const formats = registry ?? (await loadServerFormats());
    const format = formats.format(formatArg.toUpperCase());
    let context: Record<string, any> = {
      annotations__completed_by: { only_id: null },
      interpolate_key_frames: true,
    };
    if (typeof values['export-serializer-context'] === 'string') {
      try {
        context = JSON.parse(values['export-serializer-context']);
      } catch (error) {
        throw new Error(`--export-serializer-context is not JSON: ${(error as Error).message}`);
      }
    }
    const expanded = (key: string) =>
      typeof context[key] === 'object' && context[key] !== null && !context[key].only_id;
    const serialize: SerializeOptions = {
      expandDrafts: expanded('drafts'),
      expandPredictions: expanded('predictions'),
      expandCompletedBy: expanded('annotations__completed_by'),
      omitHistory: false,
      onlyWithAnnotations: false,
    };
    await mkdir(work, { recursive: true });
    const input = join(work, 'tasks.json');
    const written = await writeTasksJson(store, project.id, {}, serialize, input);
    const result = await convertJsonFile({
      format,
      labelConfig: project.labelConfig,
      input,
      workDir: work,
      compat: compatOption(values.compat),
      resources: serverResources(dataDir, {
        ...resourcesFrom(values),
        download: values['download-resources'] === true,
      }),
    });
    const stem = exportStem(project.id, written.md5);
    const name = result.kind === 'file' ? `${stem}${result.ext}` : `${stem}.zip`;
    const target = values['export-path'] ? resolve(String(values['export-path'])) : join(dataDir, 'export');
    let dest = target;
    const isDir = await stat(target).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (isDir || !values['export-path']) {
      await mkdir(target, { recursive: true });
      dest = join(target, name);
    }
    if (result.kind === 'file') {
      await copyFile(result.path, dest);
    } else {
      await deliverZip(result, zipFileSink(dest));
    }
    process.stdout.write(`Project exported successfully: ${dest}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(
      `lsconv-server export: ${isLsconvError(error) ? error.message : (error as Error).message}\n`,
    );
    return 1;
  } finally {
    await rm(work, { recursive: true, force: true });
    await store.close();
  }
}

export { exportCommand };

/** The media flags the server and its console command share. */
const RESOURCE_FLAGS = {
  'download-resources': { type: 'boolean' },
  'allow-private-addresses': { type: 'boolean' },
  'download-deadline': { type: 'string' },
  'local-files-root': { type: 'string' },
  'upload-dir': { type: 'string' },
  'ls-url': { type: 'string' },
  'ls-token': { type: 'string' },
} as const;

/** The resource options those flags give (the download default aside). */
function resourcesFrom(values: Record<string, string | boolean | undefined>): ResourceOptions {
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  return {
    ...(str('local-files-root') ? { localFilesRoot: str('local-files-root')! } : {}),
    ...(str('upload-dir') ? { uploadDir: str('upload-dir')! } : {}),
    ...(str('ls-url') ? { lsUrl: str('ls-url')! } : {}),
    ...(str('ls-token') ? { lsToken: str('ls-token')! } : {}),
    allowPrivateAddresses: values['allow-private-addresses'] === true,
    ...deadlineFrom(values['download-deadline']),
  };
}

/** `--download-deadline S` as `deadlineMs`; a value that is not a number of seconds above 0 is an error. */
function deadlineFrom(value: string | boolean | undefined): Pick<ResourceOptions, 'deadlineMs'> {
  if (value === undefined) return {};
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new Error(`--download-deadline must be a number of seconds above 0, got ${String(value)}`);
  return { deadlineMs: Math.max(1, Math.round(seconds * 1000)) };
}

/** `--compat`: `python`, or lsconv's own output (`default`, also called `lsconv`). */
function compatOption(raw: string | boolean | undefined): CompatMode {
  if (raw === undefined || raw === 'default' || raw === 'lsconv') return 'default';
  if (raw === 'python') return 'python';
  throw new Error(`--compat must be python or default, got ${String(raw)}`);
}

/** `lsconv-server key`: a new API key for the data folder, printed once (the old one stops working). */
async function keyCommand(argv: readonly string[]): Promise<number> {
  let dataDir: string;
  let database: string | undefined;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { 'data-dir': { type: 'string', default: './lsconv-data' }, database: { type: 'string' } },
      strict: true,
    });
    dataDir = resolve(String(values['data-dir']));
    database = databaseFrom(values);
  } catch (error) {
    process.stderr.write(`lsconv-server key: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (!database && !existsSync(join(dataDir, 'lsconv.db'))) {
    process.stderr.write(`lsconv-server key: ${dataDir} holds no lsconv-server data (no lsconv.db)\n`);
    return 1;
  }
  const store = await openStore(database, dataDir, { recover: false }).catch((error: Error) => {
    process.stderr.write(`lsconv-server key: ${error.message}\n`);
  });
  if (!store) return 1;
  try {
    process.stdout.write(`${await rotateApiKey(store)}\n`);
    process.stderr.write(
      'lsconv-server key: new API key above (the old one no longer works; --api-key and LSCONV_API_KEY still take precedence)\n',
    );
    return 0;
  } finally {
    await store.close();
  }
}

/** The PostgreSQL database a command line names: `--database`, else `LSCONV_DATABASE_URL`. */
function databaseFrom(values: Record<string, string | boolean | undefined>): string | undefined {
  const given = typeof values.database === 'string' ? values.database : process.env.LSCONV_DATABASE_URL;
  return given || undefined;
}

/** The server options a command line gives. */
function serverOptionsFrom(values: Record<string, string | boolean | undefined>) {
  const num = (name: string): number | undefined => {
    const v = values[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number, got ${String(v)}`);
    return n;
  };
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const dataDir = resolve(str('data-dir')!);
  const resources = resourcesFrom(values);
  const options: ServerOptions = {
    dataDir,
    ...(databaseFrom(values) ? { database: databaseFrom(values)! } : {}),
    ...((str('storage') ?? process.env.LSCONV_STORAGE)
      ? { storage: str('storage') ?? process.env.LSCONV_STORAGE! }
      : {}),
    ...(str('s3-endpoint') ? { s3Endpoint: str('s3-endpoint')! } : {}),
    ...(str('api-key') ? { apiKey: str('api-key')! } : {}),
    ...(num('max-jobs') !== undefined ? { maxConcurrentJobs: Math.max(1, num('max-jobs')!) } : {}),
    ...(num('job-deadline') !== undefined ? { jobDeadlineMs: num('job-deadline')! * 1000 } : {}),
    ...(num('max-easy-exports') !== undefined
      ? { maxConcurrentEasyExports: Math.max(1, num('max-easy-exports')!) }
      : {}),
    ...(num('max-body-bytes') !== undefined ? { maxBodyBytes: num('max-body-bytes')! } : {}),
    ...(num('max-import-bytes') !== undefined ? { maxImportBytes: num('max-import-bytes')! } : {}),
    downloadResourcesDefault: values['download-resources'] === true,
    compat: compatOption(values.compat),
    resources,
    timeouts: {
      ...(num('request-timeout') !== undefined ? { requestMs: num('request-timeout')! * 1000 } : {}),
      ...(num('body-idle-timeout') !== undefined ? { bodyIdleMs: num('body-idle-timeout')! * 1000 } : {}),
    },
  };
  return { options, num, str };
}
