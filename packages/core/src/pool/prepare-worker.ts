// Entry of a prepare worker thread: imports the format module, then parses and
// prepares batches of raw task slices, answering each batch in one message.
import { parentPort, workerData } from 'node:worker_threads';
import { datasetStep, withDatasetStep } from '../dataset.js';
import { type FormatDefinition, isFormatDefinition, type PrepareContext } from '../format.js';
import { parseLabelConfig } from '../label-config.js';
import { ConversionReport, type SkipEntry } from '../report.js';
import { parseGuessedSlice, parseTaskSlice } from '../sources/index.js';
import {
  type PrepareRequest,
  type PrepareResponse,
  type PrepareWorkerData,
  type ThreadEvent,
  toWireError,
  type WireError,
} from './protocol.js';

/** Records what `prepare` reports, per task, instead of counting it: the main thread merges it in order. */
class NoteReport extends ConversionReport {
  skips: SkipEntry[] = [];
  notes: string[] = [];
  tallies = new Map<string, number>();
  override skip(entry: SkipEntry): void {
    this.skips.push(entry);
  }
  override warn(message: string): void {
    this.notes.push(message);
  }
  override tally(name: string, count = 1): void {
    this.tallies.set(name, (this.tallies.get(name) ?? 0) + count);
  }
}

async function start(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('prepare-worker must run in a worker thread');
  const data = workerData as PrepareWorkerData;
  const module = (await import(data.moduleUrl)) as Record<string, unknown>;
  const format = Object.values(module).find(
    (value): value is FormatDefinition<any> => isFormatDefinition(value) && value.id === data.formatId,
  );
  const config = parseLabelConfig(data.configXml);
  const step = data.dataset ? datasetStep(data.dataset, config) : undefined;
  const prepare = withDatasetStep(format?.prepare, step);
  if (!prepare) throw new Error(`${data.moduleUrl} exports no format ${data.formatId} with a prepare step`);
  const report = new NoteReport(data.formatId);
  const pctx: { -readonly [K in keyof PrepareContext]: PrepareContext[K] } = {
    format: data.formatId,
    config: step?.config ?? config,
    options: data.options,
    dataset: step?.info,
    compat: data.compat,
    input: data.input,
    taskIndex: 0,
    report,
  };
  const numbers = data.numbers ?? 'exact';
  port.on('message', (req: PrepareRequest) => {
    const values: unknown[] = [];
    const notes: PrepareResponse['notes'] = [];
    const whole = Buffer.from(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength);
    let error: WireError | undefined;
    let reslice = false;
    const count = req.fileOf.length;
    for (let i = 0; i < count; i++) {
      const b = i * 4;
      const start = req.bounds[b]!;
      const end = req.bounds[b + 1]!;
      const index = req.bounds[b + 2]!;
      const offset = req.bounds[b + 3]!;
      try {
        const slice = { bytes: whole.subarray(start, end), index, offset };
        const file = req.files[req.fileOf[i]!]!;
        const task =
          req.guessed?.[i] === 1
            ? parseGuessedSlice(slice, file, numbers)
            : parseTaskSlice(slice, file, numbers);
        if (task === undefined) {
          reslice = true;
          break;
        }
        pctx.taskIndex = index;
        values.push(prepare(task, pctx));
      } catch (thrown) {
        error = toWireError(thrown);
      }
      if (report.skips.length || report.notes.length || report.tallies.size) {
        notes[values.length - (error ? 0 : 1)] = {
          skips: report.skips,
          warnings: report.notes,
          ...(report.tallies.size ? { tallies: [...report.tallies] } : {}),
        };
        report.skips = [];
        report.notes = [];
        report.tallies.clear();
      }
      if (error) break;
    }
    const response: PrepareResponse = { seq: req.seq, values, notes };
    if (error) response.error = error;
    if (reslice) response.reslice = true;
    port.postMessage({ type: 'done', result: response } satisfies ThreadEvent<PrepareResponse>);
  });
}

await start();
