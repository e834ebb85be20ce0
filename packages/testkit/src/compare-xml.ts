import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { DifferenceCollector } from './compare-json.js';
import { numbersEqual, parseNumberToken } from './numbers.js';
import { describeStringDifference } from './text-diff.js';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
type XmlNode = XmlElement | { text: string };

const xmlParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: true,
});

function parseXml(text: string): XmlNode[] | string {
  const valid = XMLValidator.validate(text);
  if (valid !== true) return `${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`;
  const convert = (nodes: unknown[]): XmlNode[] => {
    const result: XmlNode[] = [];
    for (const node of nodes as Record<string, unknown>[]) {
      for (const [key, value] of Object.entries(node)) {
        if (key === ':@') continue;
        if (key === '#text') {
          const t = String(value);
          if (t.trim() !== '') result.push({ text: t });
          continue;
        }
        if (key.startsWith('?') || key.startsWith('!')) continue;
        const attrs = (node[':@'] as Record<string, unknown> | undefined) ?? {};
        result.push({
          name: key,
          attrs: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, String(v)])),
          children: convert(Array.isArray(value) ? value : []),
        });
      }
    }
    return result;
  };
  return convert(xmlParser.parse(text) as unknown[]);
}

function textsEqual(e: string, a: string): boolean {
  if (e === a) return true;
  const en = parseNumberToken(e.trim());
  const an = parseNumberToken(a.trim());
  return en !== undefined && an !== undefined && numbersEqual(en, an);
}

/** XML: element names, order, attributes and text; whitespace-only text ignored; numbers by the number rule. */
export function compareXmlText(expected: string, actual: string, out: DifferenceCollector): void {
  const e = parseXml(expected);
  if (typeof e === 'string') {
    out.add(`the expected file is not well-formed XML: ${e}`);
    return;
  }
  const a = parseXml(actual);
  if (typeof a === 'string') {
    out.add(`not well-formed XML: ${a}`);
    return;
  }
  const label = (node: XmlNode) => ('text' in node ? `text ${JSON.stringify(node.text)}` : `<${node.name}>`);
  const walk = (en: XmlNode[], an: XmlNode[], path: string) => {
    if (en.length !== an.length) {
      out.add(
        `${path || '/'}: expected ${en.length} child nodes (${en.map(label).join(' ')}), got ${an.length} (${an.map(label).join(' ')})`.slice(
          0,
          400,
        ),
      );
    }
    const seen = new Map<string, number>();
    const n = Math.min(en.length, an.length);
    for (let i = 0; i < n && !out.full; i++) {
      const x = en[i]!;
      const y = an[i]!;
      if ('text' in x || 'text' in y) {
        if ('text' in x && 'text' in y) {
          if (!textsEqual(x.text, y.text))
            out.add(`${path}/text(): ${describeStringDifference(x.text, y.text)}`);
        } else out.add(`${path}: child ${i + 1}: expected ${label(x)}, got ${label(y)}`);
        continue;
      }
      const count = (seen.get(x.name) ?? 0) + 1;
      seen.set(x.name, count);
      const here = `${path}/${x.name}[${count}]`;
      if (x.name !== y.name) {
        out.add(`${path || '/'}: child ${i + 1}: expected <${x.name}>, got <${y.name}>`);
        continue;
      }
      for (const [k, v] of Object.entries(x.attrs)) {
        const w = y.attrs[k];
        if (w === undefined) out.add(`${here}/@${k}: missing (expected ${JSON.stringify(v)})`);
        else if (!textsEqual(v, w)) out.add(`${here}/@${k}: ${describeStringDifference(v, w)}`);
      }
      for (const [k, w] of Object.entries(y.attrs)) {
        if (!(k in x.attrs)) out.add(`${here}/@${k}: unexpected attribute (value ${JSON.stringify(w)})`);
      }
      walk(x.children, y.children, here);
    }
  };
  walk(e, a, '');
}
