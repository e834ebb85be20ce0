// XML tricks in labeling configs and in Pascal VOC annotations: entity bombs, external and
// parameter entities, CDATA, processing instructions. Declarations are refused; nothing
// is ever expanded or fetched, and markup hidden in CDATA or comments never becomes a tag.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLsconvError, parseLabelConfig } from '@lsconv/core';
import { parseVocXml, vocImporter } from '@lsconv/format-voc';
import { runImport } from '@lsconv/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const LAUGHS = `<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>`;

/** Declarations that must be refused, each with the entity reference that would expand it. */
const DECLARATIONS: Record<string, { prolog: string; ref: string }> = {
  'billion laughs': { prolog: LAUGHS, ref: '&lol9;' },
  'external entity (file)': {
    prolog: '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ref: '&xxe;',
  },
  'external entity (http)': {
    prolog: '<!DOCTYPE r [<!ENTITY xxe SYSTEM "http://169.254.169.254/latest/meta-data/">]>',
    ref: '&xxe;',
  },
  'parameter entity': {
    prolog: '<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
    ref: 'x',
  },
  'internal entity': { prolog: '<!DOCTYPE r [<!ENTITY e "EXPANDED">]>', ref: '&e;' },
  'external DTD': { prolog: '<!DOCTYPE r SYSTEM "file:///etc/passwd">', ref: 'x' },
  'lower-case doctype': { prolog: '<!doctype r [<!ENTITY e "EXPANDED">]>', ref: '&e;' },
};

const config = (label: string) =>
  `<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image"><Label value="${label}"/></RectangleLabels></View>`;

describe('labeling config XML tricks', () => {
  for (const [name, { prolog, ref }] of Object.entries(DECLARATIONS)) {
    it(`${name}: refused with CONFIG_PARSE`, () => {
      let error: unknown;
      try {
        parseLabelConfig(`<?xml version="1.0"?>${prolog}${config(ref)}`, { file: 'config.xml' });
      } catch (e) {
        error = e;
      }
      expect(isLsconvError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'CONFIG_PARSE', location: { file: 'config.xml' } });
      expect((error as Error).message).toMatch(/DOCTYPE|ENTITY/);
    });
  }

  it('an undeclared entity stays literal text: nothing to expand, nothing fetched', () => {
    expect(parseLabelConfig(config('&xxe;')).controls.get('label')?.labels).toEqual(['&xxe;']);
  });

  it('the predefined entities still work', () => {
    const parsed = parseLabelConfig(config('A &amp; B &lt;3&gt;'));
    expect(parsed.controls.get('label')?.labels).toEqual(['A & B <3>']);
  });

  it('markup inside CDATA or a comment never becomes a control', () => {
    const parsed = parseLabelConfig(
      '<View><Image name="image" value="$image"/>' +
        '<![CDATA[<Choices name="cdata" toName="image"><Choice value="x"/></Choices>]]>' +
        '<!-- <Choices name="comment" toName="image"><Choice value="y"/></Choices> -->' +
        '<RectangleLabels name="label" toName="image"><Label value="Car"/></RectangleLabels></View>',
    );
    expect([...parsed.controls.keys()]).toEqual(['label']);
    expect([...parsed.objects.keys()]).toEqual(['image']);
  });

  it('processing instructions are ignored, not treated as tags', () => {
    const parsed = parseLabelConfig(
      '<?xml version="1.0"?><?xml-stylesheet href="file:///etc/passwd"?>' +
        '<View><?evil name="x" toName="image"?><Image name="image" value="$image"/>' +
        '<RectangleLabels name="label" toName="image"><Label value="Car"/></RectangleLabels></View>',
    );
    expect([...parsed.controls.keys()]).toEqual(['label']);
    expect(parsed.controls.get('label')?.labels).toEqual(['Car']);
  });
});

describe('VOC annotation XML tricks', () => {
  const tmp: string[] = [];
  afterAll(async () => {
    for (const dir of tmp) await fs.rm(dir, { recursive: true, force: true });
  });
  const vocXml = (filename: string, prolog = '') =>
    `<?xml version="1.0"?>${prolog}<annotation><folder>JPEGImages</folder><filename>${filename}</filename>` +
    '<size><width>20</width><height>10</height><depth>3</depth></size>' +
    '<object><name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object></annotation>';

  for (const [name, { prolog, ref }] of Object.entries(DECLARATIONS)) {
    it(`${name}: parseVocXml refuses it`, () => {
      expect(() => parseVocXml(vocXml(ref, prolog))).toThrow(/DOCTYPE|ENTITY/);
    });
  }

  it('the importer skips such a file with a reason, imports the others, and expands nothing', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'lsconv-voc-xml-'));
    tmp.push(dir);
    await fs.mkdir(join(dir, 'Annotations'));
    await fs.writeFile(join(dir, 'Annotations', 'a.xml'), vocXml('a.jpg'));
    const hostile = Object.entries(DECLARATIONS);
    for (const [i, [, { prolog, ref }]] of hostile.entries()) {
      await fs.writeFile(join(dir, 'Annotations', `evil-${i}.xml`), vocXml(ref, prolog));
    }
    const { tasks, report } = await runImport(vocImporter, dir);
    expect(tasks.map((t) => t.data.image)).toEqual(['/data/local-files/?d=JPEGImages/a.jpg']);
    const skipped = report.toJSON() as {
      skipped: { code: string; count: number; examples: { file: string }[] }[];
    };
    const badXml = skipped.skipped.filter((s) => s.code === 'bad-xml').reduce((n, s) => n + s.count, 0);
    expect(badXml).toBe(hostile.length);
    expect(JSON.stringify(tasks)).not.toMatch(/EXPANDED|lol|root:/);
  });

  it('CDATA and processing instructions in a VOC file are read as plain text', () => {
    const parsed = parseVocXml(
      '<?xml version="1.0"?><?xml-stylesheet href="x"?><annotation><?pi data?>' +
        '<filename><![CDATA[a<b>.jpg]]></filename><size><width>2</width><height>1</height></size></annotation>',
    );
    expect(parsed.filename).toBe('a<b>.jpg');
    expect(parsed.width).toBe(2);
  });
});
