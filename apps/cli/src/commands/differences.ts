/**
 * What a default-mode export did differently from the Python converter, said once per
 * format: a user switching from the Python command learns that the training data differs
 * and how to get its behaviour.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompatMode, ConversionReport } from '@lsconv/core';
import type { CliIo } from '../io.js';

/** Where it differed, in words, with the flag that gives the Python converter's behaviour. */
export function pythonDifferences(report: ConversionReport, compat: CompatMode): string[] {
  if (compat !== 'default') return [];
  const notes: string[] = [];
  const data = report.toJSON();
  const chosen = data.skipped.find((g) => g.code === 'annotation-not-chosen');
  if (chosen) {
    notes.push(
      `it exports every annotation of a task; here ${chosen.count} were left out on ${chosen.tasks} tasks (--annotation all keeps every one)`,
    );
  }
  const clipped = report.tallyOf('clipped');
  if (clipped > 0) {
    notes.push(
      `it writes coordinates outside the image as they are; here ${clipped} regions were clipped to the image`,
    );
  }
  for (const [note, count] of Object.entries(data.differences)) notes.push(`${note}: ${count} here`);
  if (notes.length === 0) return [];
  return [
    '  differs from the Python converter (said once per format; --compat python gives its output):',
    ...notes.map((note) => `    - ${note}`),
  ];
}

/**
 * True the first time a format's differences are to be told on this machine, recorded in
 * `$XDG_STATE_HOME/lsconv/python-differences.json` (`~/.local/state` without it). When no
 * state folder can be written, it is told every time.
 */
export function firstTimeFor(io: CliIo, formatId: string): boolean {
  const base = io.env.XDG_STATE_HOME || (io.env.HOME ? join(io.env.HOME, '.local', 'state') : undefined);
  if (!base) return true;
  const file = join(base, 'lsconv', 'python-differences.json');
  let told: Record<string, boolean> = {};
  try {
    told = JSON.parse(readFileSync(file, 'utf8')) as Record<string, boolean>;
  } catch {
    // Missing or unreadable: nothing told yet.
  }
  if (told[formatId] === true) return false;
  try {
    mkdirSync(join(base, 'lsconv'), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ ...told, [formatId]: true }, null, 2)}\n`);
  } catch {
    // A read-only home: tell it every time rather than never.
  }
  return true;
}
