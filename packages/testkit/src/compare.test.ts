import { afterAll, describe, expect, it } from 'vitest';
import { compareOutputs, fileKindFor, formatDifferences, type OutputDifference } from './compare.js';
import { expectedFolder, filesOf, makeNpy, makePng, removeTempFolders } from './test-helpers.js';

afterAll(removeTempFolders);

type Files = Record<string, string | Uint8Array>;

async function differences(format: string, expected: Files, actual: Files): Promise<OutputDifference[]> {
  return compareOutputs(await expectedFolder(format, expected), filesOf(actual));
}

/** The pair must compare equal. */
async function same(
  format: string,
  path: string,
  expected: string | Uint8Array,
  actual: string | Uint8Array,
): Promise<void> {
  const found = await differences(format, { [path]: expected }, { [path]: actual });
  expect(found, formatDifferences(found)).toEqual([]);
}

/** The pair must differ, with a message matching `detail`. */
async function differ(
  format: string,
  path: string,
  expected: string | Uint8Array,
  actual: string | Uint8Array,
  detail: RegExp,
): Promise<void> {
  const found = await differences(format, { [path]: expected }, { [path]: actual });
  expect(found.length, 'expected a difference').toBeGreaterThan(0);
  expect(found.every((d) => d.kind === 'DIFF' && d.path === path)).toBe(true);
  expect(formatDifferences(found)).toMatch(detail);
}

describe('file sets', () => {
  it('passes when the same files are written', async () => {
    expect(await differences('JSON', { 'result.json': '[]' }, { 'result.json': '[]' })).toEqual([]);
  });
  it('reports a missing file', async () => {
    const found = await differences(
      'YOLO',
      { 'classes.txt': 'a\n', 'labels/x.txt': '' },
      { 'classes.txt': 'a\n' },
    );
    expect(found).toEqual([
      { path: 'labels/x.txt', kind: 'MISSING', detail: 'labels/x.txt was not written' },
    ]);
  });
  it('reports an extra file', async () => {
    const found = await differences(
      'YOLO',
      { 'classes.txt': 'a\n' },
      { 'classes.txt': 'a\n', 'notes.json': '{}' },
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path: 'notes.json', kind: 'EXTRA' });
  });
  it('ignores empty folders and the run metadata files', async () => {
    const dir = await expectedFolder('COCO', {
      'result.json': '{}',
      'RUNS.json': '{}',
      'supported_formats.json': '{}',
    });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(`${dir}/images`);
    expect(await compareOutputs(dir, filesOf({ 'result.json': '{}' }))).toEqual([]);
  });
  it('reads an actual folder as well as a map', async () => {
    const expected = await expectedFolder('CSV', { 'result.csv': '"a"\r\n1\r\n' });
    const same = await expectedFolder('CSV', { 'result.csv': '"a"\n1.0\n' });
    const other = await expectedFolder('CSV', { 'result.csv': '"a"\n2\n' });
    expect(await compareOutputs(expected, same)).toEqual([]);
    expect(await compareOutputs(expected, other)).toHaveLength(1);
  });
  it('chooses the comparison by path and format', () => {
    expect(fileKindFor('manifest.json', 'ASR_MANIFEST')).toBe('jsonl');
    expect(fileKindFor('manifest.json', 'JSON')).toBe('json');
    expect(fileKindFor('audio/a.wav', 'ASR_MANIFEST')).toBe('bytes');
    expect(fileKindFor('labels/a.txt', 'YOLO')).toBe('yolo-labels');
    expect(fileKindFor('classes.txt', 'YOLO')).toBe('lines');
    expect(fileKindFor('result.conll', 'CONLL2003')).toBe('lines');
    expect(fileKindFor('Annotations/a.xml', 'VOC')).toBe('xml');
    expect(fileKindFor('output.label_config.xml', 'IMPORT_YOLO')).toBe('xml');
    expect(fileKindFor('a.npy', 'BRUSH_TO_NUMPY')).toBe('npy');
    expect(fileKindFor('a.png', 'BRUSH_TO_PNG')).toBe('png');
  });
});

describe('JSON files', () => {
  it('ignores key order', async () => {
    await same('JSON', 'result.json', '{"a": 1, "b": [true, null]}', '{"b":[true,null],"a":1}');
  });
  it('keeps list order significant', async () => {
    await differ('JSON', 'result.json', '[1, 2]', '[2, 1]', /\[0\]: expected 1, got 2/);
  });
  it('ignores formatting and escaping', async () => {
    await same(
      'JSON',
      'result.json',
      '{"u": "images\\/a.png", "t": "\\u041f"}',
      '{\n  "u": "images/a.png",\n  "t": "П"\n}',
    );
  });
  it('applies the number rule', async () => {
    await same('JSON', 'result.json', '[2, 0.1, 1e-05, 100.0]', '[2.0, 0.1000001, 0.00001, 100]');
    await differ('JSON', 'result.json', '[2]', '[3]', /\[0\]: expected 2, got 3/);
    await differ('JSON', 'result.json', '[0.1]', '[0.1001]', /expected 0.1, got 0.1001/);
    await differ(
      'JSON',
      'result.json',
      '[9007199254740993]',
      '[9007199254740992]',
      /expected 9007199254740993/,
    );
  });
  it('does not take booleans for numbers', async () => {
    await differ(
      'JSON',
      'result.json',
      '{"x": true}',
      '{"x": 1}',
      /x: expected a boolean true, got a number 1/,
    );
  });
  it('names missing and unexpected keys with their path', async () => {
    await differ('JSON', 'result.json', '[{"data": {"a": 1}}]', '[{"data": {}}]', /\[0\]\.data\.a: missing/);
    await differ(
      'JSON',
      'result.json',
      '[{"data": {}}]',
      '[{"data": {"b": 1}}]',
      /\[0\]\.data\.b: unexpected key/,
    );
  });
  it('reports invalid JSON with its line and column', async () => {
    await differ('JSON', 'result.json', '[]', '[\n  1,\n  2,\n]', /not valid JSON: .*line 4, column 1/);
  });
  it('ignores COCO info.date_created and info.year, but requires them', async () => {
    const coco = (info: string) => `{"images": [], "info": ${info}}`;
    await same(
      'COCO',
      'result.json',
      coco('{"year": 2024, "date_created": "2024-01-01 10:00:00.1", "version": "1.0"}'),
      coco('{"year": 2026, "date_created": "x", "version": "1.0"}'),
    );
    await differ(
      'COCO',
      'result.json',
      coco('{"year": 2024, "version": "1.0"}'),
      coco('{"version": "1.0"}'),
      /info\.year: missing/,
    );
    await differ(
      'COCO',
      'result.json',
      coco('{"year": 2024, "version": "1.0"}'),
      coco('{"year": 2024, "version": "2.0"}'),
      /info\.version/,
    );
    // Only COCO's file has the rule: elsewhere info.year is compared.
    await differ('JSON', 'result.json', '{"info": {"year": 2024}}', '{"info": {"year": 2026}}', /info\.year/);
  });
  it('compares absolute or ../ COCO file names by base name only', async () => {
    const coco = (name: string) => `{"images": [{"id": 0, "file_name": ${JSON.stringify(name)}}]}`;
    await same('COCO', 'result.json', coco('../../upload/3/gray.png'), coco('upload/3/gray.png'));
    await same('COCO', 'result.json', coco('/home/ci/case/upload/3/gray.png'), coco('/tmp/x/gray.png'));
    await differ(
      'COCO',
      'result.json',
      coco('../../upload/3/gray.png'),
      coco('../../upload/3/grey.png'),
      /images\[0\]\.file_name: expected base name "gray.png"/,
    );
    await differ(
      'COCO',
      'result.json',
      coco('images/718f1d05__a.png'),
      coco('images/other/718f1d05__a.png'),
      /file_name/,
    );
  });
  it('ignores info.year in YOLO notes.json', async () => {
    const notes = (year: number) =>
      `{"categories": [{"id": 0, "name": "a"}], "info": {"year": ${year}, "version": "1.0"}}`;
    await same('YOLO_OBB', 'notes.json', notes(2024), notes(2030));
    await differ(
      'YOLO',
      'notes.json',
      notes(2024),
      notes(2024).replace('"a"', '"b"'),
      /categories\[0\]\.name/,
    );
  });
  it('ignores BRUSH_TO_COCO colours and dates, and compares local paths by base name', async () => {
    const file = (color: string, path: string, name = 'Car') =>
      JSON.stringify({
        images: [{ id: 0, file_name: 'a.png', path }],
        categories: [{ id: 0, name, color }],
        info: { year: 2024, date_created: 'then' },
      });
    await same(
      'BRUSH_TO_COCO',
      'result_coco.json',
      file('#aaaaaa', '/abs/upload/1/a.png'),
      file('#123456', 'upload/1/a.png'),
    );
    await differ(
      'BRUSH_TO_COCO',
      'result_coco.json',
      file('#aaaaaa', 'https://x/a.png'),
      file('#aaaaaa', 'https://x/b.png'),
      /images\[0\]\.path/,
    );
    await differ(
      'BRUSH_TO_COCO',
      'result_coco.json',
      file('#aaaaaa', 'p'),
      file('#aaaaaa', 'p', 'Bus'),
      /categories\[0\]\.name/,
    );
  });
  it('ignores importer result ids', async () => {
    const task = (id: string, x: number) =>
      `{"data": {"image": "a.jpg"}, "annotations": [{"result": [{"id": "${id}", "value": {"x": ${x}}}]}], "predictions": [{"result": [{"id": "${id}"}]}]}`;
    await same('IMPORT_COCO', 'output.json', `[${task('aaaa', 1)}]`, `[${task('bbbb', 1)}]`);
    await differ(
      'IMPORT_COCO',
      'output.json',
      `[${task('aaaa', 1)}]`,
      `[${task('aaaa', 2)}]`,
      /\[0\]\.annotations\[0\]\.result\[0\]\.value\.x/,
    );
  });
  it('sorts IMPORT_YOLO tasks by data, and only IMPORT_YOLO', async () => {
    const a = '{"data": {"image": "a.jpg"}, "annotations": []}';
    const b = '{"data": {"image": "b.jpg"}, "annotations": []}';
    await same('IMPORT_YOLO', 'output.json', `[${a}, ${b}]`, `[${b}, ${a}]`);
    await differ('IMPORT_COCO', 'output.json', `[${a}, ${b}]`, `[${b}, ${a}]`, /\[0\]\.data\.image/);
    await differ('IMPORT_YOLO', 'output.json', `[${a}, ${b}]`, `[${a}, ${a}]`, /data\.image/);
  });
});

describe('ASR manifest and audio', () => {
  const line = (o: object) => JSON.stringify(o);
  it('compares manifest.json line by line as JSON', async () => {
    const e = `${line({ audio_filepath: 'audio/a.wav', duration: 0.5, text: 'Привет' })}\n`;
    const a =
      '{"text": "\\u041f\\u0440\\u0438\\u0432\\u0435\\u0442", "duration": 0.50, "audio_filepath": "audio/a.wav"}\n\n';
    await same('ASR_MANIFEST', 'manifest.json', e, a);
  });
  it('reports a different line, and a different line count', async () => {
    const one = line({ text: 'a', duration: 1 });
    const two = line({ text: 'b', duration: 1 });
    await differ(
      'ASR_MANIFEST',
      'manifest.json',
      `${one}\n${two}\n`,
      `${one}\n${one}\n`,
      /line 2: text: expected "b", got "a"/,
    );
    await differ(
      'ASR_MANIFEST',
      'manifest.json',
      `${one}\n${two}\n`,
      `${one}\n`,
      /expected 2 non-empty lines, got 1/,
    );
  });
  it('compares audio byte for byte', async () => {
    await same('ASR_MANIFEST', 'audio/a.wav', new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]));
    await differ(
      'ASR_MANIFEST',
      'audio/a.wav',
      new Uint8Array([1, 2, 3]),
      new Uint8Array([1, 2, 4]),
      /offset 2/,
    );
    await differ(
      'ASR_MANIFEST',
      'audio/a.wav',
      new Uint8Array([1, 2, 3]),
      new Uint8Array([1, 2]),
      /expected 3 bytes, got 2/,
    );
  });
});

describe('CSV and TSV', () => {
  it('accepts \\n for \\r\\n between rows', async () => {
    await same('CSV', 'result.csv', '"a","b"\r\n1,"x"\r\n', '"a","b"\n1,"x"\n');
  });
  it('keeps line breaks inside quoted cells exact', async () => {
    await same('CSV', 'result.csv', '"a"\r\n"one\ntwo"\r\n', '"a"\n"one\ntwo"');
    await differ(
      'CSV',
      'result.csv',
      '"a"\r\n"one\ntwo"\r\n',
      '"a"\r\n"one\r\ntwo"\r\n',
      /row 1 \(line 2\), column "a": expected "one\\ntwo", got "one\\r\\ntwo"/,
    );
  });
  it('requires the same quoting', async () => {
    await differ(
      'CSV',
      'result.csv',
      '"a"\r\n100\r\n',
      '"a"\r\n"100"\r\n',
      /column "a": expected a bare cell "100", got a quoted cell "100"/,
    );
    await differ(
      'CSV',
      'result.csv',
      '"a"\r\n""\r\n',
      '"a"\r\n\r\n',
      /expected a quoted cell "", got a bare cell ""/,
    );
  });
  it('tolerates another column order, comparing rows by column name', async () => {
    await same('CSV', 'result.csv', '"a","b"\r\n1,"x"\r\n2,"y"\r\n', '"b","a"\r\n"x",1\r\n"y",2\r\n');
    await differ(
      'CSV',
      'result.csv',
      '"a","b"\r\n1,"x"\r\n2,"y"\r\n',
      '"b","a"\r\n"x",1\r\n"y",3\r\n',
      /row 2 \(line 3\), column "a": expected 2, got 3/,
    );
  });
  it('requires the same set of columns', async () => {
    await differ('CSV', 'result.csv', '"a","b"\r\n1,2\r\n', '"a"\r\n1\r\n', /header: column "b" is missing/);
    await differ('CSV', 'result.csv', '"a"\r\n1\r\n', '"a","c"\r\n1,2\r\n', /header: unexpected column "c"/);
  });
  it('compares bare numbers by the number rule and other bare tokens exactly', async () => {
    await same(
      'CSV',
      'result.csv',
      '"a","b","c"\r\n100.0,1e-05,True\r\n',
      '"a","b","c"\r\n100,0.00001,True\r\n',
    );
    await differ('CSV', 'result.csv', '"a"\r\nTrue\r\n', '"a"\r\ntrue\r\n', /expected "True", got "true"/);
    await differ(
      'CSV',
      'result.csv',
      '"a"\r\n10.744\r\n',
      '"a"\r\n10.745\r\n',
      /expected 10.744, got 10.745/,
    );
  });
  it('compares quoted text exactly, unicode included', async () => {
    await differ(
      'CSV',
      'result.csv',
      '"a"\r\n"Привет"\r\n',
      '"a"\r\n"Привет "\r\n',
      /expected "Привет", got "Привет "/,
    );
  });
  it('compares JSON cells structurally', async () => {
    await same(
      'CSV',
      'result.csv',
      '"h"\r\n"[{""ipi"":null,""n"":1.0,""u"":""a\\/b""}]"\r\n',
      '"h"\r\n"[{""n"": 1, ""u"": ""a/b"", ""ipi"": null}]"\r\n',
    );
    await differ(
      'CSV',
      'result.csv',
      '"h"\r\n"[1,2]"\r\n',
      '"h"\r\n"[2,1]"\r\n',
      /row 1 \(line 2\), column "h" JSON \[0\]: expected 1, got 2/,
    );
    // A cell that only looks like JSON is compared as text.
    await differ(
      'CSV',
      'result.csv',
      '"h"\r\n"[not json"\r\n',
      '"h"\r\n"[not  json"\r\n',
      /expected "\[not json", got "\[not {2}json"/,
    );
  });
  it('reports a different number of rows', async () => {
    await differ('CSV', 'result.csv', '"a"\r\n1\r\n2\r\n', '"a"\r\n1\r\n', /expected 2 data rows, got 1/);
  });
  it('reads TSV with tabs', async () => {
    await same('TSV', 'result.csv', '"a"\t"b"\r\n1\t"x, y"\r\n', '"b"\t"a"\n"x, y"\t1.0\n');
    await differ(
      'TSV',
      'result.csv',
      '"a"\t"b"\r\n1\t"x"\r\n',
      '"a","b"\r\n1,"x"\r\n',
      /not valid CSV \(delimiter "\\t"\)/,
    );
  });
  it('reports malformed CSV with its position', async () => {
    await differ(
      'CSV',
      'result.csv',
      '"a"\r\n"x"\r\n',
      '"a"\r\n"x"y\r\n',
      /not valid CSV .*line 2, column 4/,
    );
  });
});

describe('YOLO labels, classes.txt and CoNLL', () => {
  it('compares label tokens by the number rule, trailing newline optional', async () => {
    await same(
      'YOLO',
      'labels/a.txt',
      '0 0.5 0.25 0.1 0.2\n1 0.0 1.0 2 3\n',
      '0 0.5000000001 0.25 0.1 0.2\n1 0 1 2.0 3',
    );
    await differ(
      'YOLO',
      'labels/a.txt',
      '0 0.5 0.25 0.1 0.2\n',
      '0 0.6 0.25 0.1 0.2\n',
      /line 1, token 2: expected 0.5, got 0.6/,
    );
    await differ(
      'YOLO',
      'labels/a.txt',
      '0 0.5 0.25 0.1 0.2\n',
      '1 0.5 0.25 0.1 0.2\n',
      /line 1, token 1: expected 0, got 1/,
    );
    await differ('YOLO', 'labels/a.txt', '0 0.5\n1 0.5\n', '0 0.5\n', /expected 2 lines, got 1/);
    await differ('YOLO', 'labels/a.txt', '0 0.5 0.5\n', '0 0.5\n', /line 1: expected 3 tokens, got 2/);
  });
  it('compares classes.txt and result.conll as exact lines, trailing newline optional', async () => {
    await same('YOLO', 'classes.txt', 'Car\nPlane\n', 'Car\nPlane');
    await differ('YOLO', 'classes.txt', 'Car\nPlane\n', 'car\nPlane\n', /line 1: expected "Car", got "car"/);
    await same(
      'CONLL2003',
      'result.conll',
      '-DOCSTART- -X- O\nJohn -X- _ B-PER\n\n',
      '-DOCSTART- -X- O\nJohn -X- _ B-PER\n\n',
    );
    await differ('CONLL2003', 'result.conll', 'John -X- _ B-PER\n', 'John -X- _ I-PER\n', /line 1/);
    await differ('CONLL2003', 'result.conll', 'a\n\nb\n', 'a\nb\n', /expected 3 lines, got 2/);
  });
});

describe('XML', () => {
  const voc = (xmin: string, extra = '') =>
    `<?xml version="1.0" encoding="utf-8"?>\n<annotation>\n<folder>images</folder>\n<object>\n<name>Car</name>\n<bndbox>\n<xmin>${xmin}</xmin>\n</bndbox>\n</object>${extra}\n</annotation>`;
  it('ignores whitespace-only text, the declaration and attribute order', async () => {
    await same(
      'VOC',
      'Annotations/a.xml',
      voc('10'),
      voc('10').replace(/\n/g, '\n    ').replace('<?xml version="1.0" encoding="utf-8"?>', ''),
    );
    await same(
      'IMPORT_YOLO',
      'output.label_config.xml',
      '<View><Label value="a" background="red"/></View>',
      '<View>\n  <Label background="red" value="a"></Label>\n</View>',
    );
  });
  it('compares numeric text by the number rule', async () => {
    await same('VOC', 'Annotations/a.xml', voc('10'), voc('10.0'));
    await differ(
      'VOC',
      'Annotations/a.xml',
      voc('10'),
      voc('11'),
      /\/annotation\[1\]\/object\[1\]\/bndbox\[1\]\/xmin\[1\]\/text\(\): expected "10", got "11"/,
    );
  });
  it('requires the same elements in the same order', async () => {
    await differ(
      'VOC',
      'Annotations/a.xml',
      voc('10', '<segmented>0</segmented>'),
      voc('10'),
      /expected 3 child nodes/,
    );
    await differ(
      'VOC',
      'Annotations/a.xml',
      '<a><b/><c/></a>',
      '<a><c/><b/></a>',
      /child 1: expected <b>, got <c>/,
    );
    await differ(
      'VOC',
      'Annotations/a.xml',
      voc('10'),
      voc('10').replace('<name>Car</name>', '<name>car</name>'),
      /name\[1\]\/text\(\): expected "Car", got "car"/,
    );
  });
  it('requires the same attributes', async () => {
    await differ(
      'IMPORT_YOLO',
      'output.label_config.xml',
      '<View><Label value="a"/></View>',
      '<View><Label value="b"/></View>',
      /\/View\[1\]\/Label\[1\]\/@value: expected "a", got "b"/,
    );
    await differ(
      'IMPORT_YOLO',
      'output.label_config.xml',
      '<View><Label value="a"/></View>',
      '<View><Label value="a" x="1"/></View>',
      /@x: unexpected attribute/,
    );
  });
  it('reports XML that is not well-formed', async () => {
    await differ(
      'VOC',
      'Annotations/a.xml',
      voc('10'),
      '<annotation><folder>images</annotation>',
      /not well-formed XML/,
    );
  });
});

describe('NumPy .npy', () => {
  const pixels = new Uint8Array([0, 1, 2, 3, 4, 5]);
  const npy = (options: Partial<Parameters<typeof makeNpy>[0]> = {}) =>
    makeNpy({ descr: '|u1', shape: [2, 3], data: pixels, ...options });
  it('ignores header bytes (version, padding, byte-order mark of one-byte types)', async () => {
    await same('BRUSH_TO_NUMPY', 'a.npy', npy(), npy({ version: 2, padTo: 16, descr: '<u1' }));
  });
  it('reads Fortran order by element position', async () => {
    const fortran = new Uint8Array([0, 3, 1, 4, 2, 5]);
    await same('BRUSH_TO_NUMPY', 'a.npy', npy(), npy({ fortran: true, data: fortran }));
  });
  it('reports a different element with its index', async () => {
    await differ(
      'BRUSH_TO_NUMPY',
      'a.npy',
      npy(),
      npy({ data: new Uint8Array([0, 1, 2, 3, 9, 5]) }),
      /element \[1, 1\]: expected 4, got 9/,
    );
  });
  it('reports a different shape or dtype', async () => {
    await differ(
      'BRUSH_TO_NUMPY',
      'a.npy',
      npy(),
      npy({ shape: [3, 2] }),
      /shape: expected \(2, 3\), got \(3, 2\)/,
    );
    await differ('BRUSH_TO_NUMPY', 'a.npy', npy(), npy({ descr: '|i1' }), /dtype: expected \|u1, got \|i1/);
  });
  it('compares float arrays by the number rule', async () => {
    const floats = (values: number[]) => new Uint8Array(new Float64Array(values).buffer);
    const f = (values: number[]) => makeNpy({ descr: '<f8', shape: [2], data: floats(values) });
    await same('BRUSH_TO_NUMPY', 'a.npy', f([0.5, 1]), f([0.5000000001, 1]));
    await differ('BRUSH_TO_NUMPY', 'a.npy', f([0.5, 1]), f([0.5, 1.1]), /element \[1\]: expected 1, got 1.1/);
  });
  it('reports a file that is not .npy', async () => {
    await differ(
      'BRUSH_TO_NUMPY',
      'a.npy',
      npy(),
      new Uint8Array([1, 2, 3]),
      /not a readable \.npy file: missing the/,
    );
    await differ('BRUSH_TO_NUMPY', 'a.npy', npy(), npy().subarray(0, 70), /truncated|needs 6/);
  });
});

describe('PNG', () => {
  const grey = [0, 64, 128, 255, 255, 0];
  it('ignores compression', async () => {
    await same('BRUSH_TO_PNG', 'a.png', makePng(3, 2, grey, 'L', 9), makePng(3, 2, grey, 'L', 1));
  });
  it('reports a different pixel with its position', async () => {
    await differ(
      'BRUSH_TO_PNG',
      'a.png',
      makePng(3, 2, grey),
      makePng(3, 2, [0, 64, 128, 255, 254, 0]),
      /pixel x=1, y=1: expected RGBA \(255, 255, 255, 255\), got RGBA \(254, 254, 254, 255\)/,
    );
  });
  it('reports a different mode or size', async () => {
    const rgb = grey.flatMap((v) => [v, v, v]);
    await differ(
      'BRUSH_TO_PNG',
      'a.png',
      makePng(3, 2, grey),
      makePng(3, 2, rgb, 'RGB'),
      /mode: expected L, got RGB/,
    );
    await differ(
      'BRUSH_TO_PNG',
      'a.png',
      makePng(3, 2, grey),
      makePng(2, 3, grey),
      /size: expected 3x2, got 2x3/,
    );
  });
});

describe('limits', () => {
  it('lists at most maxDifferencesPerFile differences per file, and says so', async () => {
    const list = (v: number) => JSON.stringify(Array.from({ length: 50 }, () => v));
    const dir = await expectedFolder('JSON', { 'result.json': list(1) });
    const found = await compareOutputs(dir, filesOf({ 'result.json': list(2) }), {
      maxDifferencesPerFile: 5,
    });
    expect(found).toHaveLength(6);
    expect(found[5]?.detail).toMatch(/more differences not listed \(limit 5 per file\)/);
  });
});
