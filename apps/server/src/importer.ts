// Imports: tasks stream from the request body (a JSON list, JSON Lines, or multipart
// file uploads) into the store in batches, applied whole or not at all.
import type { IncomingMessage } from 'node:http';
import { type Readable, Transform } from 'node:stream';
import { isLsconvError, openTaskSource } from '@lsconv/core';
import Busboy from 'busboy';
import { tableDelimiter, tableTasks } from './csv-import.js';
import { HttpError, validationError } from './http.js';
import type { Store } from './store/types.js';
import { IdAllocator, ImportError, normaliseImportedTask, reserveIds } from './tasks.js';

/** Files one multipart import may carry. */
const MAX_UPLOAD_FILES = 100;
/** Parts (files and fields) one multipart import may carry. */
const MAX_UPLOAD_PARTS = 1000;
const SHUTTING_DOWN = 'The server is shutting down; nothing of this import was kept';

/** Counts of one import. */
export interface ImportResult {
  tasks: number;
  annotations: number;
  predictions: number;
  /** Ids of the imported tasks, in input order. */
  taskIds: number[];
}

/** Imports of one server. */
export interface Importer {
  /** Imports a request body into a project (multipart when its content type says so). */
  importRequest(req: IncomingMessage, projectId: number): Promise<ImportResult>;
  /** Stops every import being read with a 503 and waits for their rollback (shutdown). */
  stop(): Promise<void>;
}

interface Input {
  stream: Readable;
  name: string;
  /** The content type it came with (a table is read by its name or this). */
  contentType?: string;
}

/** The values of one input: JSON tasks (a list or JSON Lines), or the rows of a CSV/TSV table. */
async function* inputValues(input: Input): AsyncGenerator<{ value: unknown; index: number }> {
  const delimiter = tableDelimiter(input.name, input.contentType);
  if (delimiter) {
    let index = 0;
    for await (const value of tableTasks(input.stream, delimiter, input.name))
      yield { value, index: index++ };
    return;
  }
  for await (const slice of openTaskSource(input.stream).slices()) {
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(slice.bytes).toString('utf8'));
    } catch (error) {
      throw new ImportError(
        `${input.name}: task #${slice.index} is not valid JSON: ${(error as Error).message}`,
      );
    }
    yield { value, index: slice.index };
  }
}

/** The importer over a store; `closed` says when the server is shutting down. */
export function createImporter(
  store: Store,
  limits: { maxBody: number; maxImport: number },
  closed: () => boolean,
): Importer {
  /** Imports being read, by the stream each is reading now. */
  const running = new Map<Promise<unknown>, { current: Readable | undefined }>();

  function importStreams(projectId: number, inputs: AsyncIterable<Input> | Iterable<Input>) {
    if (closed()) return Promise.reject(new HttpError(503, 'The server is shutting down'));
    const state: { current: Readable | undefined } = { current: undefined };
    const run = applyImport(store, projectId, inputs, state, closed);
    running.set(run, state);
    const forget = () => running.delete(run);
    run.then(forget, forget);
    return run;
  }

  return {
    importRequest(req, projectId) {
      const type = String(req.headers['content-type'] ?? '');
      if (type.startsWith('multipart/form-data'))
        return importMultipart(req, projectId, limits, importStreams);
      return importStreams(projectId, [
        { stream: limitBytes(req, limits.maxImport), name: 'request body', contentType: type },
      ]);
    },
    async stop() {
      for (const state of running.values()) state.current?.destroy(new HttpError(503, SHUTTING_DOWN));
      await Promise.allSettled(running.keys());
    },
  };
}

async function applyImport(
  store: Store,
  projectId: number,
  inputs: AsyncIterable<Input> | Iterable<Input>,
  state: { current: Readable | undefined },
  closed: () => boolean,
): Promise<ImportResult> {
  const batch = await store.beginImport(projectId);
  const ids = {
    annotation: new IdAllocator(store, 'annotation'),
    draft: new IdAllocator(store, 'draft'),
    prediction: new IdAllocator(store, 'prediction'),
  };
  let innerId = await store.countTasks(projectId, {});
  const counts: ImportResult = { tasks: 0, annotations: 0, predictions: 0, taskIds: [] };
  try {
    for await (const input of inputs) {
      if (closed()) throw new HttpError(503, SHUTTING_DOWN);
      state.current = input.stream;
      let pending: ReturnType<typeof normaliseImportedTask>['row'][] = [];
      const users = new Map<number, { id: number; email: string; first_name: string; last_name: string }>();
      for await (const { value, index } of inputValues(input)) {
        await reserveIds(value, ids);
        const task = normaliseImportedTask(value, ids, index, innerId + 1);
        innerId++;
        pending.push(task.row);
        for (const u of task.users) users.set(u.id, u);
        counts.tasks++;
        counts.annotations += task.annotationCount;
        counts.predictions += task.predictionCount;
        if (pending.length >= 1000) {
          for (const id of await batch.add(pending)) counts.taskIds.push(id);
          pending = [];
          if (users.size) {
            await store.upsertUsers([...users.values()]);
            users.clear();
          }
          await new Promise((r) => setImmediate(r));
        }
      }
      if (pending.length) for (const id of await batch.add(pending)) counts.taskIds.push(id);
      if (users.size) await store.upsertUsers([...users.values()]);
    }
    await ids.annotation.finish();
    await ids.draft.finish();
    await ids.prediction.finish();
    await batch.commit();
  } catch (error) {
    await batch.rollback();
    if (error instanceof HttpError) throw error;
    if (isLsconvError(error) && error.cause instanceof HttpError) throw error.cause;
    if (error instanceof ImportError) throw validationError({ non_field_errors: [error.message] });
    if (isLsconvError(error)) throw validationError({ non_field_errors: [error.message] });
    throw error;
  }
  return counts;
}

/**
 * A multipart import: each uploaded file is read as it arrives, one after another,
 * never held whole in memory. Busboy is strict where a lenient parser would let a
 * truncated form import part of its files: a form without its closing boundary or
 * with an oversized part header is refused.
 */
function importMultipart(
  req: IncomingMessage,
  projectId: number,
  limits: { maxBody: number; maxImport: number },
  importStreams: (projectId: number, inputs: AsyncIterable<Input>) => Promise<ImportResult>,
): Promise<ImportResult> {
  let bb: ReturnType<typeof Busboy>;
  try {
    bb = Busboy({
      headers: req.headers,
      limits: {
        fileSize: limits.maxImport,
        files: MAX_UPLOAD_FILES,
        parts: MAX_UPLOAD_PARTS,
        fieldSize: limits.maxBody,
      },
    });
  } catch (error) {
    throw new HttpError(400, `Multipart form parse error - ${(error as Error).message}`);
  }
  // Files arrive one after another; each is consumed before busboy reads on.
  const queue: Input[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  let failure: unknown;
  const end = (error?: unknown) => {
    failure ??= error;
    finished = true;
    wake?.();
  };
  bb.on('file', (_field, stream, info) => {
    stream.on('limit', () =>
      stream.destroy(new HttpError(413, `Uploaded file is larger than ${limits.maxImport} bytes`)),
    );
    // Its reader gets an error through its own iteration (a stream destroyed before it is
    // read keeps the error); this listener only keeps an error of a file still waiting in
    // the queue (the store is still answering) from becoming an uncaught exception.
    stream.on('error', () => undefined);
    queue.push({ stream, name: info.filename || 'upload', contentType: info.mimeType });
    wake?.();
  });
  bb.on('close', () => end());
  // Busboy drops the parts past its limits without an error; an import must not lose files silently.
  bb.on('filesLimit', () => end(new HttpError(413, `The form has more than ${MAX_UPLOAD_FILES} files`)));
  bb.on('partsLimit', () => end(new HttpError(413, `The form has more than ${MAX_UPLOAD_PARTS} parts`)));
  bb.on('error', (error) =>
    end(new HttpError(400, `Multipart form parse error - ${(error as Error).message}`)),
  );
  req.pipe(bb);
  async function* files(): AsyncGenerator<Input> {
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

/** The request body, refused with 413 past `limit` bytes (declared or read). */
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
