// Entry of a conversion worker thread: imports the format's module, converts one
// stored JSON export into a file or a zip, and answers with what came out. Running
// conversions here keeps the server's event loop free for requests and lets
// several snapshot conversions use several cores.
import { parentPort, workerData } from 'node:worker_threads';
import { type FormatDefinition, isFormatDefinition, isLsconvError, zipFileSink } from '@lsconv/core';
import type { ConvertRequest, ConvertResponse } from './convert-thread.js';
import { convertJsonFile, copyFolderToSink } from './exporter.js';

async function start(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('convert-worker must run in a worker thread');
  const data = workerData as ConvertRequest;
  const controller = new AbortController();
  port.on('message', (message: { type: string }) => {
    if (message?.type === 'abort') controller.abort();
  });
  let answer: ConvertResponse;
  try {
    const module = (await import(data.moduleUrl)) as Record<string, unknown>;
    const candidates = [
      ...Object.values(module),
      ...(Array.isArray(module.builtinFormats) ? (module.builtinFormats as unknown[]) : []),
    ];
    const format = candidates.find(
      (value): value is FormatDefinition<any> => isFormatDefinition(value) && value.id === data.formatId,
    );
    if (!format) throw new Error(`${data.moduleUrl} exports no format ${data.formatId}`);
    const result = await convertJsonFile({
      format,
      labelConfig: data.labelConfig,
      input: data.input,
      workDir: data.workDir,
      formatOptions: data.formatOptions,
      resources: { ...data.resources, signal: controller.signal },
      signal: controller.signal,
      zipSink: zipFileSink(data.zipPath),
    });
    if (result.kind === 'folder') {
      // A folder format that wrote through its own folder: zip it here, off the main thread.
      const zip = zipFileSink(data.zipPath);
      let files: number;
      try {
        files = await copyFolderToSink(result.dir, zip);
        await zip.commit();
      } catch (error) {
        await zip.abort();
        throw error;
      }
      answer = { ok: true, result: { kind: 'zipped', files } };
    } else answer = { ok: true, result };
  } catch (error) {
    answer = isLsconvError(error)
      ? {
          ok: false,
          aborted: controller.signal.aborted,
          error: {
            code: error.code,
            reason: error.reason,
            location: { ...error.location },
            hint: error.hint,
          },
        }
      : { ok: false, aborted: controller.signal.aborted, message: String((error as Error)?.stack ?? error) };
  }
  port.postMessage(answer);
}

void start();
