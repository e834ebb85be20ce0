import { readFileSync } from 'node:fs';
import { type FormatDefinition, parseLabelConfig } from '@lsconv/core';
import type { ConformanceCase } from '../cases.js';
import { caseConfig, LABEL_STUDIO_FORMATS } from './context.js';
import type { FormatSuiteOptions, Sample, SampleCase, Translate } from './types.js';

/** A sample case given as options (config XML and tasks) as the suite reads it. */
export function sampleFromCase(given: SampleCase, name: string, translate: Translate): Sample {
  const dir = given.dir ?? process.cwd();
  return {
    name,
    config: parseLabelConfig(given.config, { file: `${name}.config` }),
    xml: given.config,
    file: undefined,
    tasks: given.tasks,
    extra: () => translate(given.exportArgs ?? {}, dir),
  };
}

/**
 * The sample the edge cases start from: `options.sampleCase`, else the first conformance
 * case with reference output for the format, else one Label Studio offers it for.
 */
export function pickSample(
  format: FormatDefinition<any>,
  options: FormatSuiteOptions,
  cases: ConformanceCase[] | undefined,
  translate: Translate,
): Sample | undefined {
  if (options.sampleCase) return sampleFromCase(options.sampleCase, 'sampleCase', translate);
  const fromCase = (c: ConformanceCase): Sample => {
    const xml = readFileSync(c.configFile!, 'utf8');
    const parsed = JSON.parse(readFileSync(c.tasksFile!, 'utf8')) as unknown;
    return {
      name: c.name,
      config: parseLabelConfig(xml, { file: c.configFile! }),
      xml,
      file: c.configFile,
      tasks: Array.isArray(parsed) ? parsed : [parsed],
      extra: () => translate(c.exportArgs, c.dir),
    };
  };
  const usable = (cases ?? []).filter((c) => c.configFile && c.tasksFile);
  const first = usable.find((c) => c.outputs[format.id]);
  if (first) return fromCase(first);
  const offered = usable.find(
    (c) => c.supportedFormats?.includes(format.id) && format.supports(caseConfig(c)).ok,
  );
  if (offered) return fromCase(offered);
  if (!LABEL_STUDIO_FORMATS.includes(format.id)) {
    const any = usable.find((c) => format.supports(caseConfig(c)).ok);
    if (any) return fromCase(any);
  }
  return undefined;
}

/** An annotation as the suite edits it. */
export type LooseAnnotation = Record<string, unknown> & {
  result?: unknown;
  was_cancelled?: unknown;
  skipped?: unknown;
};

/** The annotations (or legacy completions) of a task. */
export function annotationsOf(task: Record<string, unknown>): LooseAnnotation[] {
  const list = Array.isArray(task.annotations)
    ? task.annotations
    : Array.isArray(task.completions)
      ? task.completions
      : [];
  return list.filter((a): a is LooseAnnotation => typeof a === 'object' && a !== null);
}

/** Replaces the annotations (or legacy completions) of a task. */
export function setAnnotations(task: Record<string, unknown>, list: LooseAnnotation[]): void {
  if (Array.isArray(task.completions) && !Array.isArray(task.annotations)) task.completions = list;
  else task.annotations = list;
}

/** True for an annotation that exports: not cancelled, with results. */
export function isExported(a: LooseAnnotation): boolean {
  return !a.was_cancelled && !a.skipped && Array.isArray(a.result) && a.result.length > 0;
}

/** The strings of a task's result values (`choices`, `labels`, `text`, ...). */
function resultStrings(task: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const a of annotationsOf(task)) {
    if (!Array.isArray(a.result)) continue;
    for (const r of a.result as Record<string, unknown>[]) {
      const value = r?.value;
      if (typeof value !== 'object' || value === null) continue;
      for (const v of Object.values(value)) {
        if (Array.isArray(v)) for (const s of v) if (typeof s === 'string') out.push(s);
      }
    }
  }
  return out;
}

/** A label of the task's results that the config declares as `value="…"`. */
export function findLabel(task: Record<string, unknown>, xml: string): string | undefined {
  return resultStrings(task).find((s) => xml.includes(`value="${xmlEscape(s)}"`));
}

/** A free-text result (a TextArea's text): a result string the config does not declare. */
export function findFreeText(task: Record<string, unknown>, xml: string): string | undefined {
  return resultStrings(task).find((s) => s.trim() !== '' && !xml.includes(`value="${xmlEscape(s)}"`));
}

/** Replaces a string in every result value of a task's annotations. */
export function renameInResults(task: Record<string, unknown>, from: string, to: string): void {
  for (const a of annotationsOf(task)) {
    if (!Array.isArray(a.result)) continue;
    for (const r of a.result as Record<string, unknown>[]) {
      const value = r?.value as Record<string, unknown> | undefined;
      if (typeof value !== 'object' || value === null) continue;
      for (const [k, v] of Object.entries(value)) {
        if (Array.isArray(v)) value[k] = v.map((s) => (s === from ? to : s));
      }
    }
  }
}

/** Text escaped for an XML attribute value. */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** URLs, absolute or relative paths and bare file names: media references, left alone. */
export function looksLikeReference(value: string): boolean {
  return /^(?:[a-z][a-z0-9+.-]*:|\/|\.{1,2}\/)/i.test(value) || /^[^\s/]+\.[A-Za-z0-9]{2,5}$/.test(value);
}
