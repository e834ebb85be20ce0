// Labeling configs: generated ones, and tag soup, parse or fail with an LsconvError; every
// format's `supports` answers for whatever parses.
import { isLsconvError, parseLabelConfig } from '@lsconv/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTROL_TAGS, configArb, HOSTILE_STRINGS, labelArb } from './arbitraries.js';
import { loadDefinitions, params, RUNS } from './harness.js';

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

describe('fuzz labeling configs', () => {
  it(`${RUNS} generated configs and tag soups: parse or CONFIG_PARSE, and every format's supports answers`, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          configArb.map((c) => c.xml),
          soup,
        ),
        (xml) => {
          const config = parsed(xml);
          if (!config) return;
          for (const format of formats) {
            const support = format.supports(config);
            expect(typeof support.ok).toBe('boolean');
          }
        },
      ),
      params(),
    );
  });
});
