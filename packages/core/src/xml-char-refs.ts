/**
 * XML numeric character references (`&#233;`, `&#xE9;`) decoded the way an XML parser
 * decodes them, for parsers that only know the five predefined entities. A reference
 * to `<`, `&`, `>`, `"` or `'` becomes that entity, so the markup keeps its meaning and
 * the parser decodes it in its own pass; references inside comments and CDATA sections
 * stay as they are, as XML says.
 */
export function decodeCharRefs(xml: string): string {
  if (!xml.includes('&#')) return xml;
  return xml.replace(
    SECTIONS_AND_REFS,
    (match, hidden: string | undefined, decimal?: string, hex?: string) => {
      if (hidden !== undefined) return match;
      const code = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex!, 16);
      if (!isXmlChar(code)) throw new CharRefError(match);
      return SPECIAL[code] ?? String.fromCodePoint(code);
    },
  );
}

/** A numeric character reference to a character XML does not allow. */
export class CharRefError extends Error {
  constructor(readonly reference: string) {
    super(
      `${reference.length > 20 ? `${reference.slice(0, 20)}…` : reference} refers to a character XML does not allow`,
    );
    this.name = 'CharRefError';
  }
}

// Comments and CDATA sections (kept whole), or a numeric reference.
const SECTIONS_AND_REFS = /(<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>)|&#(?:([0-9]+)|x([0-9a-fA-F]+));/g;

const SPECIAL: Record<number, string> = { 34: '&quot;', 38: '&amp;', 39: '&apos;', 60: '&lt;', 62: '&gt;' };

/** XML 1.0 `Char`: tab, newline, carriage return, and U+0020 up, without surrogates, U+FFFE and U+FFFF. */
function isXmlChar(code: number): boolean {
  if (code === 0x9 || code === 0xa || code === 0xd) return true;
  if (code < 0x20 || code > 0x10ffff) return false;
  if (code >= 0xd800 && code <= 0xdfff) return false;
  return code !== 0xfffe && code !== 0xffff;
}
