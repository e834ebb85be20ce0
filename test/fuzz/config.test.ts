// Labeling configs: generated ones, and tag soup, parse or fail with an LsconvError; every
// format's `supports` answers for whatever parses.
import { type FormatDefinition, isLsconvError, type LabelConfig, parseLabelConfig } from '@lsconv/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTROL_TAGS, configArb, HOSTILE_STRINGS, labelArb } from './arbitraries.js';
import { loadDefinitions, params, RUNS, RunTally } from './harness.js';

const { formats } = await loadDefinitions();

const attr = fc.tuple(
  fc.constantFrom(
    'name',
    'toName',
    'value',
    'valueList',
    'perRegion',
    'whenTagName',
    'indexFlag',
    'model_index',
    'apiUrl',
  ),
  fc.oneof(labelArb, fc.constantFrom('$image', '$', '$$', 'a,b,,', '{{idx}}', '[', '(', '.*')),
);
const tag = fc.constantFrom(
  'View',
  'Image',
  'Text',
  'Label',
  'Choice',
  'Header',
  'Filter',
  ...Object.keys(CONTROL_TAGS),
);
/** Tag soup: nested elements with random attributes, sometimes not well-formed. */
const soup: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 4 },
    fc.tuple(tag, fc.array(attr, { maxLength: 4 })).map(([t, attrs]) => `<${t}${attrText(attrs)}/>`),
    fc
      .tuple(tag, fc.array(attr, { maxLength: 4 }), fc.array(tie('node'), { maxLength: 3 }), fc.nat(20))
      .map(([t, attrs, children, junk]) => {
        const body = children.join('');
        if (junk === 0) return `<${t}${attrText(attrs)}>${body}`;
        if (junk === 1) return HOSTILE_STRINGS[body.length % HOSTILE_STRINGS.length]!;
        return `<${t}${attrText(attrs)}>${body}</${t}>`;
      }),
  ),
})).node;

function attrText(attrs: readonly (readonly [string, string])[]): string {
  return attrs.map(([k, v]) => ` ${k}="${v.replace(/[&<"]/g, '')}"`).join('');
}

function parsed(xml: string) {
  try {
    return parseLabelConfig(xml);
  } catch (error) {
    if (!isLsconvError(error)) throw error;
    expect(error.code).toBe('CONFIG_PARSE');
    return undefined;
  }
}

/**
 * A format's answer for a config: `{ ok: true }`, or `{ ok: false }` with a reason to
 * show the user, and the same answer when asked again.
 */
function checkSupport(format: FormatDefinition<any>, config: LabelConfig): void {
  const support = format.supports(config);
  const what = `${format.id}.supports(${JSON.stringify(config.xml.slice(0, 200))})`;
  expect(support === null || typeof support !== 'object', `${what} is not an object`).toBe(false);
  if (support.ok === true) expect(Object.keys(support), what).toEqual(['ok']);
  else {
    expect(support.ok, what).toBe(false);
    expect(
      typeof support.reason === 'string' && support.reason.trim() !== '',
      `${what} gives no reason`,
    ).toBe(true);
  }
  expect(format.supports(config), `${what} changes its answer`).toEqual(support);
}

/** `runs` generated configs and tag soups: each parses or fails with CONFIG_PARSE, and every format answers. */
function configProperty(formats: readonly FormatDefinition<any>[], runs: number): void {
  const tally = new RunTally('labeling configs');
  fc.assert(
    fc.property(
      fc.oneof(
        configArb.map((c) => c.xml),
        soup,
      ),
      (xml) => {
        const config = parsed(xml);
        tally.count(config !== undefined);
        if (!config) return;
        for (const format of formats) checkSupport(format, config);
      },
    ),
    params(runs),
  );
  tally.expectShare();
}

describe('fuzz labeling configs', () => {
  it(`${RUNS} generated configs and tag soups: parse or CONFIG_PARSE, every format's supports answers ok or a reason, the same twice; at least half parse`, () => {
    configProperty(formats, RUNS);
  });
  it('fails on a format whose supports gives no reason, or changes its answer', () => {
    const broken = (supports: () => unknown) =>
      ({ ...formats[0]!, id: 'BROKEN', supports }) as FormatDefinition<any>;
    /** The failure's message with its cause (fast-check puts the assertion there). */
    const failure = (supports: () => unknown): string => {
      try {
        configProperty([broken(supports)], 30);
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause;
        return `${(error as Error).message}\n${cause instanceof Error ? cause.message : ''}`;
      }
      return 'passed';
    };
    expect(failure(() => ({ ok: true }))).toBe('passed');
    expect(failure(() => ({ ok: false }))).toMatch(/gives no reason/);
    expect(failure(() => ({ ok: false, reason: ' ' }))).toMatch(/gives no reason/);
    expect(failure(() => undefined)).toMatch(/is not an object/);
    let calls = 0;
    expect(failure(() => (calls++ % 2 === 0 ? { ok: true } : { ok: false, reason: 'now no' }))).toMatch(
      /changes its answer/,
    );
  });
});
