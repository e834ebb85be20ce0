/** What makes an export fail although every task was read: `--fail-on`, `--allow-empty`, `--strict`. */
import { type ConversionReport, LsconvError } from '@lsconv/core';
import type { FlagSpec, ParsedArgs } from '../args.js';
import { usageError } from './shared.js';

/** The losses `--fail-on` can name. */
export const LOSSES = ['lossy', 'clipped', 'media', 'empty'] as const;

/** One of {@link LOSSES}. */
export type Loss = (typeof LOSSES)[number];

/** The flags of the gate. */
export const GATE_FLAGS: readonly FlagSpec[] = [
  {
    name: 'fail-on',
    type: 'list',
    placeholder: 'LOSSES',
    description:
      'Fail (exit 4, nothing written) when the export loses what is named, comma-separated: lossy (a task, annotation or region skipped), clipped (a shape clipped to the image), media (an image or audio that could not be read), empty (see --allow-empty)',
  },
  {
    name: 'allow-empty',
    type: 'boolean',
    description:
      'Write the output and exit 0 even when no region was written although the input had some (otherwise exit 3, nothing written)',
  },
  {
    name: 'strict',
    type: 'boolean',
    description:
      'The same as --fail-on lossy,clipped,media,empty; the first media that cannot be read also stops the export at once',
  },
];

/** The losses that fail this export: `empty` unless `--allow-empty`, plus `--fail-on` and `--strict`. */
export function lossesToFail(values: ParsedArgs['values']): Set<Loss> {
  const named = (Array.isArray(values['fail-on']) ? values['fail-on'] : []).flatMap((v) =>
    String(v)
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  for (const name of named) {
    if (!(LOSSES as readonly string[]).includes(name)) {
      throw usageError(
        `--fail-on takes ${LOSSES.join(', ')}; got ${JSON.stringify(name)}`,
        'for example --fail-on lossy,media',
      );
    }
  }
  const losses = new Set(named as Loss[]);
  if (values.strict === true) for (const loss of LOSSES) losses.add(loss);
  // --allow-empty wins over --strict, not over an explicit --fail-on empty.
  if (values['allow-empty'] !== true) losses.add('empty');
  else if (!named.includes('empty')) losses.delete('empty');
  return losses;
}

/** What the report shows of each loss, as counts. */
export function lossCounts(report: ConversionReport): Record<Loss, number> {
  const byCode = report.countsByCode();
  // Annotations left out by choice (--annotation, or cancelled by their annotator) are not lost.
  const sum = (codes: readonly string[]) => codes.reduce((total, code) => total + (byCode[code] ?? 0), 0);
  const tasks = report.skippedOf('task') - sum(EMPTY_TASK_SKIPS);
  return {
    lossy: tasks + report.skippedOf('annotation') - sum(CHOSEN_SKIPS) + report.skippedOf('region'),
    clipped: report.tallyOf('clipped'),
    media: report.skippedOf('resource'),
    // Nothing written although the input had regions: every region (or its whole task) was skipped.
    empty: report.regionsWritten === 0 ? report.skippedOf('region') + tasks : 0,
  };
}

/** Skip codes that record a choice rather than a loss. */
const CHOSEN_SKIPS = ['annotation-not-chosen', 'cancelled-annotation'];

/** Skip codes of tasks that had nothing to lose. */
const EMPTY_TASK_SKIPS = ['no-regions', 'no-annotations-key'];

/**
 * Throws when the report shows a loss in `losses`: `EMPTY_OUTPUT` (exit 3) for an empty
 * output, `LOSS` (exit 4) for the others. Called before the output is committed, so a
 * failed gate writes nothing.
 */
export function checkLosses(report: ConversionReport, losses: ReadonlySet<Loss>): void {
  const counts = lossCounts(report);
  if (losses.has('empty') && counts.empty > 0) {
    throw new LsconvError(
      'EMPTY_OUTPUT',
      `no region was written: the input's regions were all skipped (${counts.empty} skips; the summary says why)`,
      { format: report.format, hint: 'choose a format that fits the labeling config, or add --allow-empty' },
    );
  }
  const found = LOSSES.filter((loss) => loss !== 'empty' && losses.has(loss) && counts[loss] > 0);
  if (found.length) {
    throw new LsconvError(
      'LOSS',
      `the export lost what --fail-on forbids: ${found.map((loss) => `${loss} ${counts[loss]}`).join(', ')}`,
      { format: report.format, hint: 'the summary and --report list every skip; nothing was written' },
    );
  }
}
