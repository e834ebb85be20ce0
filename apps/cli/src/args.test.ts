import { isLsconvError } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { type FlagSpec, optionFlags, parseArgs, peekFlag, wantsHelp } from './args.js';

const FLAGS: FlagSpec[] = [
  { name: 'input', short: 'i', type: 'string', description: 'in' },
  { name: 'zip', type: 'boolean', description: 'zip' },
  { name: 'header', type: 'boolean', description: 'header', default: true },
  { name: 'limit', type: 'number', description: 'limit' },
  { name: 'mode', type: 'enum', choices: ['fast', 'slow'], description: 'mode' },
  { name: 'plugin', type: 'list', description: 'plugins' },
];
const CTX = { command: 'lsconv test', helpCommand: 'lsconv test --help' };

function usage(argv: string[]): string {
  try {
    parseArgs(argv, FLAGS, CTX);
  } catch (error) {
    if (isLsconvError(error)) {
      expect(error.code).toBe('INVALID_OPTION');
      return error.message;
    }
    throw error;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('parseArgs', () => {
  it('reads long, long=value, short and attached short values', () => {
    expect(parseArgs(['--input', 'a.json'], FLAGS, CTX).values.input).toBe('a.json');
    expect(parseArgs(['--input=a=b.json'], FLAGS, CTX).values.input).toBe('a=b.json');
    expect(parseArgs(['-i', 'a.json'], FLAGS, CTX).values.input).toBe('a.json');
    expect(parseArgs(['-ia.json'], FLAGS, CTX).values.input).toBe('a.json');
  });

  it('takes a lone - as a value and as a positional', () => {
    expect(parseArgs(['-i', '-'], FLAGS, CTX).values.input).toBe('-');
    expect(parseArgs(['-'], FLAGS, CTX).positionals).toEqual(['-']);
  });

  it('reads switches, their negation and explicit values', () => {
    expect(parseArgs(['--zip'], FLAGS, CTX).values.zip).toBe(true);
    expect(parseArgs(['--no-header'], FLAGS, CTX).values.header).toBe(false);
    expect(parseArgs(['--header=false'], FLAGS, CTX).values.header).toBe(false);
    expect(parseArgs(['--no-header', '--header'], FLAGS, CTX).values.header).toBe(true);
    expect(usage(['--zip=maybe'])).toMatch(/--zip is a switch/);
    expect(usage(['--no-zip=1'])).toMatch(/--no-zip takes no value/);
  });

  it('converts numbers, including negative ones, and enums case-insensitively', () => {
    expect(parseArgs(['--limit', '-3'], FLAGS, CTX).values.limit).toBe(-3);
    expect(parseArgs(['--limit=2.5'], FLAGS, CTX).values.limit).toBe(2.5);
    expect(parseArgs(['--mode', 'SLOW'], FLAGS, CTX).values.mode).toBe('slow');
    expect(usage(['--limit', 'ten'])).toMatch(/--limit must be a number, got "ten"/);
    expect(usage(['--mode', 'medium'])).toMatch(/--mode must be one of fast, slow, got "medium"/);
  });

  it('collects repeatable flags and keeps the last value of the others', () => {
    const { values } = parseArgs(['--plugin', 'a', '-i', 'x', '--plugin', 'b', '-i', 'y'], FLAGS, CTX);
    expect(values.plugin).toEqual(['a', 'b']);
    expect(values.input).toBe('y');
  });

  it('stops at -- and keeps positionals in order', () => {
    const { values, positionals } = parseArgs(['one', '--zip', '--', '--input', 'two'], FLAGS, CTX);
    expect(positionals).toEqual(['one', '--input', 'two']);
    expect(values.zip).toBe(true);
    expect(values.input).toBeUndefined();
  });

  it('refuses unknown flags with a suggestion and the help command', () => {
    const message = usage(['--inptu', 'x']);
    expect(message).toMatch(/^unknown flag --inptu for lsconv test/);
    expect(message).toMatch(/did you mean --input\?/);
    expect(message).toMatch(/lsconv test --help/);
    expect(usage(['-x'])).toMatch(/unknown flag -x/);
    expect(usage(['--no-input'])).toMatch(/unknown flag --no-input/);
  });

  it('refuses a missing value, and a value that looks like a flag', () => {
    expect(usage(['--input'])).toMatch(/--input needs a value/);
    const message = usage(['--input', '--zip']);
    expect(message).toMatch(/--input needs a value/);
    expect(message).toMatch(/--input=--zip/);
  });
});

describe('peekFlag and wantsHelp', () => {
  it('finds every value of a flag in any spelling, before --', () => {
    expect(peekFlag(['-f', 'CSV', '--format=coco', '-fYOLO', '--', '-f', 'X'], 'format', 'f')).toEqual([
      'CSV',
      'coco',
      'YOLO',
    ]);
    expect(peekFlag(['--plugin', 'a', '--plugin', 'b'], 'plugin')).toEqual(['a', 'b']);
  });

  it('sees --help and -h only before --', () => {
    expect(wantsHelp(['-i', 'x', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['--', '--help'])).toBe(false);
  });
});

describe('optionFlags', () => {
  it('turns declared options into flags named like core optionFlag', () => {
    const flags = optionFlags({
      imageDir: { type: 'string', description: 'Images.', default: 'images' },
      csvNoHeader: { type: 'boolean', description: 'No header.', flag: 'csv-no-header' },
      level: { type: 'enum', description: 'Level.', choices: ['a', 'b'] },
      count: { type: 'number', description: 'Count.' },
    });
    expect(flags.map((f) => [f.option, f.flag.name, f.flag.type])).toEqual([
      ['imageDir', 'image-dir', 'string'],
      ['csvNoHeader', 'csv-no-header', 'boolean'],
      ['level', 'level', 'enum'],
      ['count', 'count', 'number'],
    ]);
    expect(flags[0]!.flag.default).toBe('images');
    expect(flags[2]!.flag.choices).toEqual(['a', 'b']);
  });
});
