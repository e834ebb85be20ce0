import { type MemorySink, parseLabelConfig } from '@lsconv/core';
import { expect } from 'vitest';
import { mentions, outputDifferences, outputText } from './context.js';
import type { EdgeContext } from './edge-cases.js';
import {
  annotationsOf,
  findFreeText,
  findLabel,
  isExported,
  type LooseAnnotation,
  looksLikeReference,
  renameInResults,
  setAnnotations,
  xmlEscape,
} from './sample.js';
import type { Add, FormatPromises } from './types.js';

/** A suffix with accents, CJK and an astral-plane emoji (a surrogate pair in UTF-16). */
export const UNICODE_SUFFIX = 'ünïcödé-日本語-🚀';
/** The largest integer a double holds exactly. */
export const HUGE_ID = 2 ** 53 - 1;
const SMALL_TASK_ID = 7654321;
const SMALL_ANNOTATION_ID = 7654322;

/** Several annotators, unicode and huge ids: each asserts what `options.promises` declares. */
export function registerPromiseCases(ctx: EdgeContext, it: Add): void {
  const { inCompat, ...given } = ctx.options.promises ?? {};
  const promises: FormatPromises = { ...given, ...inCompat?.[ctx.compat] };
  const annotators = promises.annotators ?? 'all';
  it(`exports a task annotated by several annotators (${annotators === 'all' ? 'every annotator' : `the ${annotators}, the others reported`})`, () =>
    annotators === 'all' ? everyAnnotator(ctx, promises) : oneAnnotator(ctx, annotators));
  it('keeps unicode in data and labels', () => keepsUnicode(ctx, promises));
  it(`keeps a huge task id (${HUGE_ID}) exact`, () => keepsHugeIds(ctx, promises));
}

/** The sample's annotated task with three annotators, oldest first, and each annotation alone. */
function threeAnnotators(ctx: EdgeContext): {
  task: Record<string, unknown>;
  annotations: LooseAnnotation[];
} {
  const task = ctx.annotated();
  const base = annotationsOf(task).find(isExported)!;
  const annotations = [
    { ...structuredClone(base), id: 910000, completed_by: 1, created_at: '2024-01-01T10:00:00.000000Z' },
    { ...structuredClone(base), id: 910001, completed_by: 2, created_at: '2024-01-02T10:00:00.000000Z' },
    {
      ...structuredClone(base),
      id: 910002,
      completed_by: {
        id: 3,
        email: 'third.annotator@example.com',
        first_name: 'Third',
        last_name: 'Annotator',
      },
      created_at: '2024-01-03T10:00:00.000000Z',
    },
  ];
  return { task, annotations };
}

function withAnnotations(task: Record<string, unknown>, list: LooseAnnotation[]): Record<string, unknown> {
  const copy = structuredClone(task);
  setAnnotations(copy, structuredClone(list));
  return copy;
}

/**
 * Every annotator's regions are written: three times the regions, no subset of the
 * annotators gives the same output, and each annotation id is there if ids are written.
 */
async function everyAnnotator(ctx: EdgeContext, promises: FormatPromises): Promise<void> {
  const { task, annotations } = threeAnnotators(ctx);
  const one = await ctx.run(ctx.setup(), [withAnnotations(task, annotations.slice(0, 1))]);
  expect(
    one.report.regionsWritten,
    `the sample annotation of ${ctx.sample.name} writes no region`,
  ).toBeGreaterThan(0);
  const all = await ctx.run(ctx.setup(), [withAnnotations(task, annotations)]);
  expect(all.report.tasksRead).toBe(1);
  expect(all.report.regionsWritten, 'three annotators must write three times the regions of one').toBe(
    3 * one.report.regionsWritten,
  );
  if (promises.annotationIds ?? true) {
    const text = outputText(all.sink);
    for (const a of annotations)
      expect(
        text.includes(String(a.id)),
        `the regions of annotation ${a.id} are missing from the output`,
      ).toBe(true);
  }
  const again = await ctx.run(ctx.setup(), [withAnnotations(task, annotations)]);
  await ctx.same(all.sink, again.sink, 'two runs over the same multi-annotator task differ');
  // Each proper subset of the annotators must write something else: no annotator is dropped silently.
  for (let mask = 1; mask < 7; mask++) {
    const subset = annotations.filter((_, i) => mask & (1 << i));
    const part = await ctx.run(ctx.setup(), [withAnnotations(task, subset)]);
    const differences = await differ(ctx, part.sink, all.sink);
    expect(
      differences.length,
      `the output with annotators ${subset.map((a) => a.id).join(', ')} is the same as with all three: the others' regions are dropped`,
    ).toBeGreaterThan(0);
  }
}

/**
 * Only the newest (or oldest) annotation is written, and each other one is reported: an
 * `annotation` entry for it, or an entry for each of its regions, of a code that exporting
 * any one annotation alone does not give.
 */
async function oneAnnotator(ctx: EdgeContext, which: 'latest' | 'oldest'): Promise<void> {
  const { task, annotations } = threeAnnotators(ctx);
  const alone = [];
  for (const a of annotations) alone.push(await ctx.run(ctx.setup(), [withAnnotations(task, [a])]));
  const kept = alone[which === 'latest' ? 2 : 0]!;
  const all = await ctx.run(ctx.setup(), [withAnnotations(task, annotations)]);
  const regions = kept.report.regionsWritten;
  expect(regions, `the sample annotation of ${ctx.sample.name} writes no region`).toBeGreaterThan(0);
  expect(all.report.regionsWritten, `only the ${which} annotation must be written`).toBe(regions);
  await ctx.same(
    kept.sink,
    all.sink,
    `with several annotators the output must be that of the ${which} annotation`,
  );
  const known = new Set(alone.flatMap((r) => r.report.entries().map((e) => e.code)));
  const added = all.report.entries().filter((e) => !known.has(e.code));
  const annotationEntries = added.filter((e) => e.kind === 'annotation').length;
  const regionEntries = added.filter((e) => e.kind === 'region').length;
  expect(
    annotationEntries >= 2 || regionEntries >= 2 * regions,
    `the two annotations left out are not reported (${annotationEntries} annotation and ${regionEntries} region entries of new codes; ${2 * regions} regions left out)`,
  ).toBe(true);
}

async function differ(ctx: EdgeContext, a: MemorySink, b: MemorySink): Promise<string[]> {
  return outputDifferences(a.files, b.files, ctx.options.compareRuns ?? 'bytes', ctx.format.id);
}

interface UnicodeChange {
  /** `labels`, `texts` or `data`. */
  kind: 'labels' | 'texts' | 'data';
  from: string;
  to: string;
}

/** Labels, free text and data text, each with the unicode suffix, in the config and in the task. */
function unicodeChanges(ctx: EdgeContext): {
  task: Record<string, unknown>;
  xml: string;
  changes: UnicodeChange[];
} {
  const task = ctx.annotated();
  let xml = ctx.sample.xml;
  const changes: UnicodeChange[] = [];
  const label = findLabel(task, xml);
  if (label !== undefined) {
    const to = `${label}-${UNICODE_SUFFIX}`;
    xml = xml.split(`value="${xmlEscape(label)}"`).join(`value="${xmlEscape(to)}"`);
    renameInResults(task, label, to);
    changes.push({ kind: 'labels', from: label, to });
  }
  const text = findFreeText(task, xml);
  if (text !== undefined) {
    const to = `${text} ${UNICODE_SUFFIX}`;
    renameInResults(task, text, to);
    changes.push({ kind: 'texts', from: text, to });
  }
  const data = (task.data ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string' && value.trim() !== '' && !looksLikeReference(value)) {
      data[key] = `${value} ${UNICODE_SUFFIX}`;
      changes.push({ kind: 'data', from: value, to: data[key] as string });
    }
  }
  return { task, xml, changes };
}

const UNICODE_WHAT = { labels: 'label', texts: 'free-text result', data: 'data value' } as const;

/** The promised labels, texts and data are written exactly with unicode; the others are absent. */
async function keepsUnicode(ctx: EdgeContext, promises: FormatPromises): Promise<void> {
  const { task, xml, changes } = unicodeChanges(ctx);
  for (const kind of ['labels', 'texts', 'data'] as const) {
    if (promises[kind] === true && !changes.some((c) => c.kind === kind))
      throw new Error(
        `@lsconv/testkit: promises.${kind} is true but sample ${ctx.sample.name} has no ${UNICODE_WHAT[kind]} to check; pass a sampleCase with one`,
      );
  }
  const before = outputText((await ctx.run(ctx.setup(), [ctx.annotated()])).sink);
  const config = parseLabelConfig(xml, { file: 'unicode config' });
  const after = outputText((await ctx.run({ config, extra: ctx.sample.extra() }, [task])).sink);
  let checked = 0;
  for (const { kind, from, to } of changes) {
    const promised = promises[kind] ?? (kind === 'labels' ? true : undefined);
    if (promised === undefined) continue;
    checked++;
    const what = `${UNICODE_WHAT[kind]} ${JSON.stringify(from)}`;
    if (!promised) {
      expect(
        mentions(before, from),
        `the output carries the ${what} although promises.${kind} is false`,
      ).toBe(false);
      continue;
    }
    expect(
      mentions(before, from),
      `the output does not carry the ${what}; declare promises.${kind}: false if the format does not write it`,
    ).toBe(true);
    expect(
      mentions(after, to),
      `the unicode ${UNICODE_WHAT[kind]} ${to} is missing or mangled in the output`,
    ).toBe(true);
  }
  expect(
    checked,
    `keeps unicode checks nothing for sample ${ctx.sample.name}: declare promises.labels, texts or data`,
  ).toBeGreaterThan(0);
}

/** With huge task and annotation ids: the promised ones are written exactly; if none is, the output does not change. */
async function keepsHugeIds(ctx: EdgeContext, promises: FormatPromises): Promise<void> {
  const small = ctx.annotated();
  small.id = SMALL_TASK_ID;
  const first = annotationsOf(small).find(isExported)!;
  first.id = SMALL_ANNOTATION_ID;
  const huge = structuredClone(small);
  huge.id = HUGE_ID;
  annotationsOf(huge).find(isExported)!.id = HUGE_ID - 1;
  const before = await ctx.run(ctx.setup(), [small]);
  const after = await ctx.run(ctx.setup(), [huge]);
  const beforeText = outputText(before.sink);
  const afterText = outputText(after.sink);
  const ids = [
    ['task', promises.taskIds ?? true, SMALL_TASK_ID, HUGE_ID, 'taskIds'],
    ['annotation', promises.annotationIds ?? true, SMALL_ANNOTATION_ID, HUGE_ID - 1, 'annotationIds'],
  ] as const;
  for (const [what, promised, smallId, hugeId, key] of ids) {
    expect(
      beforeText.includes(String(smallId)),
      promised
        ? `the output does not carry the ${what} id ${smallId}; declare promises.${key}: false if the format does not write it`
        : `the output carries the ${what} id ${smallId} although promises.${key} is false`,
    ).toBe(promised);
    if (promised)
      expect(afterText.includes(String(hugeId)), `${what} id ${hugeId} is not written exactly`).toBe(true);
  }
  if (!ids.some(([, promised]) => promised))
    await ctx.same(
      before.sink,
      after.sink,
      'the output does not carry ids, yet it changes with a huge task id',
    );
}
