// fast-check generators for the fuzz properties: labeling configs, and tasks whose
// annotations hold results of every type — valid, at the edges, and broken. Every
// media reference points at nothing reachable (relative or hostile local paths, or a
// closed loopback port), so a fuzz run never touches the network.
import { encodeBrushMask } from '@lsconv/format-kit';
import fc from 'fast-check';

/** One object tag of a generated config. */
export interface FuzzObject {
  tag: string;
  name: string;
  key: string;
}

/** One control tag of a generated config. */
export interface FuzzControl {
  tag: string;
  name: string;
  toName: string;
  labels: string[];
}

/** A generated labeling config: its parts and its XML. */
export interface FuzzConfig {
  objects: FuzzObject[];
  controls: FuzzControl[];
  xml: string;
}

/** Names that break naive code: path tricks, markup, separators, unicode, control characters. */
export const HOSTILE_STRINGS = [
  '../../etc/passwd',
  '..',
  '.',
  '/etc/passwd',
  'C:\\x',
  'C:\\Windows\\system32',
  'a/b',
  'a\\b',
  'nul\u0000byte',
  'tab\there',
  'new\nline',
  'cr\rreturn',
  '"quoted"',
  "it's",
  'a,b;c',
  '<tag>&amp;',
  '  spaced  ',
  '',
  ' ',
  'ünïcödé',
  '日本語ラベル',
  '🙂🚀',
  '\u202Eevil',
  '\uD800',
  'CON',
  'x'.repeat(300),
  '$key',
  '%2e%2e%2f',
] as const;

/** A short identifier-like name. */
const plainName = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);

/** A label value or name: mostly plain, sometimes hostile or random unicode. */
export const labelArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('cat', 'dog', 'Car', 'PER', 'LOC', 'person', 'a b') },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);

/** A tag name: unique-ish identifiers plus some hostile and unicode ones that XML can still carry. */
const tagNameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: plainName },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '../../etc/passwd',
      'C:\\x',
      'ünï',
      '日本',
      'a b',
      '<x>',
      'q"',
      'x'.repeat(200),
      '🙂',
    ),
  },
);

const OBJECT_TAGS = [
  'Image',
  'Image',
  'Image',
  'Text',
  'Text',
  'Audio',
  'HyperText',
  'TimeSeries',
  'Paragraphs',
  'Video',
] as const;

/** Control tags and whether they carry `<Label>`/`<Choice>` children. */
export const CONTROL_TAGS: Record<string, 'Label' | 'Choice' | null> = {
  RectangleLabels: 'Label',
  PolygonLabels: 'Label',
  KeyPointLabels: 'Label',
  BrushLabels: 'Label',
  EllipseLabels: 'Label',
  Labels: 'Label',
  HyperTextLabels: 'Label',
  TimeSeriesLabels: 'Label',
  Rectangle: null,
  Polygon: null,
  KeyPoint: null,
  Brush: null,
  Choices: 'Choice',
  Taxonomy: 'Choice',
  TextArea: null,
  Rating: null,
  Number: null,
  DateTime: null,
  Relations: 'Label',
  Pairwise: null,
  Ranker: null,
};

/** XML attribute text. */
function xmlAttr(value: string): string {
  return (
    value
      // XML 1.0 cannot carry most control characters even as references, nor a lone
      // surrogate (the `u` flag leaves the pairs of characters beyond U+FFFF alone).
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/gu, '?')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/\n/g, '&#10;')
      .replace(/\r/g, '&#13;')
      .replace(/\t/g, '&#9;')
  );
}

/** The config XML for objects and controls. */
export function configXml(objects: readonly FuzzObject[], controls: readonly FuzzControl[]): string {
  const lines = ['<View>'];
  for (const o of objects) lines.push(`  <${o.tag} name="${xmlAttr(o.name)}" value="$${xmlAttr(o.key)}"/>`);
  for (const c of controls) {
    const child = CONTROL_TAGS[c.tag] ?? null;
    if (!child || c.labels.length === 0) {
      lines.push(`  <${c.tag} name="${xmlAttr(c.name)}" toName="${xmlAttr(c.toName)}"/>`);
      continue;
    }
    lines.push(`  <${c.tag} name="${xmlAttr(c.name)}" toName="${xmlAttr(c.toName)}">`);
    for (const l of c.labels) lines.push(`    <${child} value="${xmlAttr(l)}"/>`);
    lines.push(`  </${c.tag}>`);
  }
  lines.push('</View>');
  return lines.join('\n');
}

function buildConfig(
  objects: { tag: string; name: string; key: string }[],
  controls: { tag: string; name: string; target: number; labels: string[] }[],
): FuzzConfig {
  // Object and control names must differ for the config to mean anything; keep the first.
  const seen = new Set<string>();
  const objs: FuzzObject[] = [];
  for (const o of objects) {
    if (seen.has(o.name)) continue;
    seen.add(o.name);
    objs.push(o);
  }
  const ctrls: FuzzControl[] = [];
  for (const c of controls) {
    if (seen.has(c.name) || objs.length === 0) continue;
    seen.add(c.name);
    ctrls.push({ tag: c.tag, name: c.name, toName: objs[c.target % objs.length]!.name, labels: c.labels });
  }
  return { objects: objs, controls: ctrls, xml: configXml(objs, ctrls) };
}

const dataKeyArb = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('image', 'text', 'audio', 'html', 'ts', 'dialogue', 'video') },
  { weight: 1, arbitrary: plainName },
);

const labelsArb = fc.uniqueArray(labelArb, { minLength: 0, maxLength: 4 });

/** Any config: random object and control tags. */
export const randomConfigArb: fc.Arbitrary<FuzzConfig> = fc
  .tuple(
    fc.array(fc.record({ tag: fc.constantFrom(...OBJECT_TAGS), name: tagNameArb, key: dataKeyArb }), {
      minLength: 1,
      maxLength: 3,
    }),
    fc.array(
      fc.record({
        tag: fc.constantFrom(...Object.keys(CONTROL_TAGS)),
        name: tagNameArb,
        target: fc.nat(5),
        labels: labelsArb,
      }),
      { minLength: 0, maxLength: 5 },
    ),
  )
  .map(([o, c]) => buildConfig(o, c));

/** A config of one family (vision, brush, text, audio) that the formats of that family accept. */
function familyConfigArb(
  objectTag: string,
  key: string,
  controlTags: readonly string[],
  extra: readonly string[],
): fc.Arbitrary<FuzzConfig> {
  return fc
    .tuple(
      tagNameArb,
      fc.subarray([...controlTags], { minLength: 1 }),
      fc.subarray([...extra]),
      fc.array(tagNameArb, { minLength: 6, maxLength: 6 }),
      fc.array(labelsArb, { minLength: 6, maxLength: 6 }),
    )
    .map(([objName, tags, extras, names, labels]) =>
      buildConfig(
        [{ tag: objectTag, name: objName, key }],
        [...tags, ...extras].map((tag, i) => ({
          tag,
          name: `${names[i]}${i}`,
          target: 0,
          labels: labels[i] ?? [],
        })),
      ),
    );
}

/** The config families, each the object and controls one kind of format reads. */
export const FAMILIES: Record<string, fc.Arbitrary<FuzzConfig>> = {
  vision: familyConfigArb(
    'Image',
    'image',
    ['RectangleLabels', 'PolygonLabels'],
    ['KeyPointLabels', 'Choices', 'Rectangle', 'Labels', 'TextArea'],
  ),
  brush: familyConfigArb(
    'Image',
    'image',
    ['BrushLabels', 'Brush'],
    ['Labels', 'Choices', 'RectangleLabels'],
  ),
  text: familyConfigArb(
    'Text',
    'text',
    ['Labels'],
    ['Choices', 'TextArea', 'Taxonomy', 'Relations', 'Rating'],
  ),
  audio: familyConfigArb('Audio', 'audio', ['TextArea'], ['Labels', 'Choices', 'Number', 'DateTime']),
};

/** Configs spread over the families every format accepts, plus random ones. */
export const configArb: fc.Arbitrary<FuzzConfig> = fc.oneof(
  { weight: 3, arbitrary: FAMILIES.vision! },
  { weight: 2, arbitrary: FAMILIES.brush! },
  { weight: 2, arbitrary: FAMILIES.text! },
  { weight: 2, arbitrary: FAMILIES.audio! },
  { weight: 2, arbitrary: randomConfigArb },
);

// ---------------------------------------------------------------- numbers

/** A coordinate: mostly valid percentages, then edges, then nonsense. */
export const coordArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 0, max: 100, noNaN: true }) },
  { weight: 2, arbitrary: fc.constantFrom(0, 100, -0, 50, 99.99999999999999, 1e-300) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      -1,
      -100,
      101,
      1e6,
      1e308,
      -1e308,
      Number.MAX_SAFE_INTEGER,
      2 ** 53 + 2,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('12', '', 'NaN', null, true, [], {}, undefined) },
);

/** An image size in pixels: small valid sizes (brush masks stay cheap), then edges and nonsense. */
export const sizeArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(0, -1, 1.5, 1e9, Number.NaN, Number.POSITIVE_INFINITY, '20', null, undefined),
  },
);

/** An id: small, huge, beyond 2^53, a string, or missing. */
export const idArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.nat(1000) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(2 ** 53 + 2, 1e20, -1, 0, 1.5, 'abc', '../x', '', null, undefined),
  },
);

// ---------------------------------------------------------------- results

// A small pool of ids, so keypoints often name a rectangle of the same annotation as parentID.
const regionId = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('r1', 'r2', 'r3') },
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,10}$/) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
);

/** A brush RLE: a real mask of the declared size, random numbers, or nothing. */
function brushRleArb(width: unknown, height: unknown): fc.Arbitrary<unknown> {
  const w = typeof width === 'number' && Number.isInteger(width) && width > 0 && width <= 64 ? width : 0;
  const h = typeof height === 'number' && Number.isInteger(height) && height > 0 && height <= 64 ? height : 0;
  const valid =
    w && h
      ? fc.array(fc.boolean(), { minLength: w * h, maxLength: w * h }).map((bits) => {
          const mask = new Uint8Array(w * h * 4);
          bits.forEach((on, i) => {
            if (on) mask.fill(255, i * 4, i * 4 + 4);
          });
          return Array.from(encodeBrushMask(mask));
        })
      : fc.constant([] as number[]);
  return fc.oneof(
    { weight: 4, arbitrary: valid },
    { weight: 1, arbitrary: fc.array(fc.integer({ min: -10, max: 300 }), { maxLength: 12 }) },
    { weight: 1, arbitrary: fc.constantFrom([], null, 'abc', [Number.NaN], undefined) },
  );
}

const pointsArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.tuple(coordArb, coordArb), { minLength: 3, maxLength: 6 }) },
  { weight: 2, arbitrary: fc.array(fc.tuple(coordArb, coordArb), { minLength: 0, maxLength: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom([], null, 'x', [[1]], [[1, 2, 3]], [null], [[Number.NaN, 1]]) },
);

/** A result `value` for a control tag. */
function valueFor(
  tag: string,
  labels: readonly string[],
  w: unknown,
  h: unknown,
): fc.Arbitrary<Record<string, unknown>> {
  const label = labels.length
    ? fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...labels) }, { weight: 1, arbitrary: labelArb })
    : labelArb;
  const labelList = fc.oneof(
    { weight: 6, arbitrary: fc.array(label, { minLength: 1, maxLength: 2 }) },
    { weight: 1, arbitrary: fc.constantFrom([], null, 'cat', [1]) },
  );
  const rect = {
    x: coordArb,
    y: coordArb,
    width: coordArb,
    height: coordArb,
    rotation: fc.oneof(fc.constant(0), coordArb),
  };
  const key = (name: string) => name.toLowerCase();
  switch (tag) {
    case 'RectangleLabels':
    case 'Rectangle':
      return fc.record(
        { ...rect, rectanglelabels: labelList },
        { requiredKeys: ['x', 'y', 'width', 'height'] },
      );
    case 'EllipseLabels':
      return fc.record({
        x: coordArb,
        y: coordArb,
        radiusX: coordArb,
        radiusY: coordArb,
        ellipselabels: labelList,
      });
    case 'PolygonLabels':
    case 'Polygon':
      return fc.record(
        { points: pointsArb, closed: fc.boolean(), polygonlabels: labelList },
        { requiredKeys: ['points'] },
      );
    case 'KeyPointLabels':
    case 'KeyPoint':
      return fc.record(
        { x: coordArb, y: coordArb, width: coordArb, keypointlabels: labelList },
        { requiredKeys: ['x', 'y'] },
      );
    case 'BrushLabels':
    case 'Brush':
      return fc.record(
        { format: fc.constantFrom('rle', 'rle', 'png', ''), rle: brushRleArb(w, h), brushlabels: labelList },
        { requiredKeys: ['format', 'rle'] },
      );
    case 'Labels':
    case 'HyperTextLabels':
    case 'TimeSeriesLabels': {
      const pos = fc.oneof(
        { weight: 5, arbitrary: fc.nat(40) },
        { weight: 1, arbitrary: coordArb },
        { weight: 1, arbitrary: fc.constantFrom('/div[1]', '') },
      );
      return fc.record(
        {
          start: pos,
          end: pos,
          startOffset: fc.nat(20),
          endOffset: fc.nat(20),
          text: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...HOSTILE_STRINGS)),
          [key(tag)]: labelList,
        },
        { requiredKeys: ['start', 'end'] },
      );
    }
    case 'Choices':
      return fc.record({ choices: labelList });
    case 'Taxonomy':
      return fc.record({
        taxonomy: fc.oneof(
          fc.array(fc.array(label, { minLength: 1, maxLength: 3 }), { maxLength: 3 }),
          fc.constantFrom([], 'x', [['a'], 'b']),
        ),
      });
    case 'TextArea':
      return fc.record({
        text: fc.oneof(
          {
            weight: 10,
            arbitrary: fc.array(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom(...HOSTILE_STRINGS)), {
              minLength: 1,
              maxLength: 3,
            }),
          },
          { weight: 1, arbitrary: fc.constant([]) },
          { weight: 1, arbitrary: fc.constantFrom('plain string', null, [1, null], ['x'.repeat(5000)]) },
        ),
      });
    case 'Rating':
      return fc.record({ rating: fc.oneof(fc.integer({ min: 0, max: 5 }), coordArb) });
    case 'Number':
      return fc.record({ number: coordArb });
    case 'DateTime':
      return fc.record({ datetime: fc.oneof(fc.constant('2024-01-02T03:04'), fc.string({ maxLength: 10 })) });
    case 'Pairwise':
      return fc.record({ selected: fc.constantFrom('left', 'right', '', 'up') });
    case 'Ranker':
      return fc.record({
        ranker: fc.oneof(
          fc.dictionary(plainName, fc.array(plainName, { maxLength: 3 }), { maxKeys: 2 }),
          fc.constantFrom(null, 'x'),
        ),
      });
    default:
      return fc.record({ [key(tag)]: labelList });
  }
}

/** What a result of a control looks like (its `type`). */
function resultType(tag: string): string {
  return tag.toLowerCase();
}

/** A result for one of the config's controls, valid or broken. */
function controlResultArb(
  config: FuzzConfig,
  control: FuzzControl,
  dense: boolean,
): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({ w: sizeArb, h: sizeArb })
    .chain(({ w, h }) =>
      fc.record(
        {
          id: regionId,
          from_name: fc.oneof(
            { weight: 10, arbitrary: fc.constant(control.name) },
            { weight: 1, arbitrary: labelArb },
          ),
          to_name: fc.oneof(
            { weight: 10, arbitrary: fc.constant(control.toName) },
            { weight: 1, arbitrary: labelArb },
          ),
          type: fc.oneof(
            { weight: 10, arbitrary: fc.constant(resultType(control.tag)) },
            {
              weight: 1,
              arbitrary: fc.constantFrom('rectanglelabels', 'labels', 'choices', 'relation', '', 'textarea'),
            },
          ),
          value: fc.oneof(
            { weight: junk(dense, 12), arbitrary: valueFor(control.tag, control.labels, w, h) },
            { weight: 1, arbitrary: fc.constantFrom(null, 'x', 3, [], undefined) },
          ),
          original_width: fc.constant(w),
          original_height: fc.constant(h),
          image_rotation: fc.oneof(
            { weight: 8, arbitrary: fc.constant(0) },
            { weight: 1, arbitrary: coordArb },
          ),
          origin: fc.constantFrom('manual', 'prediction'),
          parentID: regionId,
          score: coordArb,
        },
        { requiredKeys: ['from_name', 'to_name', 'type', 'value'] },
      ),
    )
    .chain((r) => (config.objects.length === 0 ? fc.constant(r) : brokenKeys(r, dense)));
}

/** Sometimes drops or retypes a field of a result. */
function brokenKeys(r: Record<string, unknown>, dense: boolean): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(r);
  return fc.oneof(
    { weight: junk(dense, 12), arbitrary: fc.constant(r) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...keys).map((k) => {
        const { [k]: _, ...rest } = r;
        return rest;
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...keys), fc.constantFrom(null, 7, 'x', [], {}, true))
        .map(([k, v]) => ({ ...r, [k]: v })),
    },
  );
}

/** A result that belongs to no control, a relation, or junk. */
const strayResultArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({
    id: regionId,
    from_name: labelArb,
    to_name: labelArb,
    type: fc.constantFrom('rectanglelabels', 'choices'),
    value: fc.record({ x: coordArb, choices: fc.constant(['a']) }),
  }),
  fc.record({
    from_id: regionId,
    to_id: regionId,
    type: fc.constant('relation'),
    direction: fc.constantFrom('right', 'left', 'bi'),
    labels: fc.array(labelArb, { maxLength: 2 }),
  }),
  fc.constantFrom(null, 7, 'result', [], {}, { from_name: 7, value: {} }),
);

/**
 * The weight of the valid choice against one of junk: in dense cases junk that makes
 * lsconv refuse the whole input (a task whose `data` or `result` is not what it must be)
 * is five times rarer, so most runs of a case reach the export.
 */
function junk(dense: boolean, weight: number): number {
  return dense ? weight * 5 : weight;
}

/** The results of one annotation (`dense`: at least one, for the config's first control mostly). */
export function resultsArb(config: FuzzConfig, dense = false): fc.Arbitrary<unknown> {
  const one =
    config.controls.length === 0
      ? strayResultArb
      : fc.oneof(
          {
            weight: 8,
            arbitrary: fc.constantFrom(...config.controls).chain((c) => controlResultArb(config, c, dense)),
          },
          // A family config's first control is the one its formats read (see familyConfigArb).
          { weight: dense ? 8 : 0, arbitrary: controlResultArb(config, config.controls[0]!, dense) },
          { weight: 1, arbitrary: strayResultArb },
        );
  return fc.oneof(
    { weight: junk(dense, 12), arbitrary: fc.array(one, { minLength: dense ? 1 : 0, maxLength: 4 }) },
    { weight: 1, arbitrary: fc.constantFrom(null, 'x', {}, undefined) },
  );
}

const dateArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => new Date(s * 1000).toISOString()),
  },
  { weight: 1, arbitrary: fc.constantFrom('', 'yesterday', null, 0, '2024-13-45T99:99:99Z', undefined) },
);

const userArb = fc.oneof(
  { weight: 4, arbitrary: fc.nat(50) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        id: idArb,
        email: fc.oneof(fc.emailAddress(), fc.constantFrom(...HOSTILE_STRINGS)),
        first_name: labelArb,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, 'user', undefined, 2 ** 53 + 2) },
);

/** One annotation (or prediction/draft). */
export function annotationArb(config: FuzzConfig, dense = false): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(
    {
      id: idArb,
      result: resultsArb(config, dense),
      was_cancelled: fc.oneof(
        { weight: 6, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constantFrom(null, 1, 'yes') },
      ),
      ground_truth: fc.boolean(),
      completed_by: userArb,
      created_at: dateArb,
      updated_at: dateArb,
      lead_time: coordArb,
      history: fc.constantFrom([], null, [{ x: 1 }]),
    },
    { requiredKeys: ['result'] },
  );
}

let loopbackPort = 1;
/** Points the generated loopback URLs at a test server (port 1, closed, by default). */
export function setLoopbackPort(port: number): void {
  loopbackPort = port;
}

/** A media reference: relative, hostile local paths, a closed loopback port, cloud keys, data URLs. */
export const mediaUrlArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z0-9]{1,8}$/).map((n) => `/data/upload/1/${n}.jpg`) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9]{1,8}$/).map((n) => `images/${n}.png`) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '../../etc/passwd',
      '/etc/passwd',
      'C:\\x',
      'C:\\x\\..\\y.jpg',
      '/data/local-files/?d=../../etc/passwd',
      '/data/local-files/?d=/etc/passwd',
      'file:///etc/passwd',
      'img\u0000.png',
      'a.jpg\u0000../../x',
      '',
      '.',
      '..',
      '/',
      'http://127.0.0.1:1/a.jpg',
      'http://[::1]:1/b.png',
      'http://127.0.0.1:1/../../etc/passwd',
      's3://bucket/key/../../c.jpg',
      'gs://b/ünï cödé.jpg',
      'data:image/png;base64,AAAA',
      'x'.repeat(3000),
      '日本/画像.jpg',
      '%00%2e%2e/a.jpg',
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('a.png', 'b.jpg', '../x.png', 'none.png', 'q?x=1&y=../../z.png', 'big.png'),
        fc.boolean(),
      )
      .map(([name, loop]) => `http://127.0.0.1:${loop ? loopbackPort : 1}/img/${name}`),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, 7, ['a.jpg'], { url: 'a.jpg' }, true) },
);

/**
 * Media that exist: paths relative to the folder the fuzz exports resolve plain paths
 * against, which holds a 16×12 PNG and a one-second WAV (see the harness's `mediaDir`).
 */
export const LOCAL_MEDIA: Record<string, string> = { Image: 'media/a.png', Audio: 'media/b.wav' };

/** Task data for a config: its object keys filled with media (existing files, mostly), text or junk. */
function dataArb(config: FuzzConfig, dense: boolean): fc.Arbitrary<unknown> {
  const entries = config.objects.map((o) => {
    const text = fc.oneof(
      { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
      { weight: 2, arbitrary: fc.lorem({ maxCount: 8 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('x'.repeat(20_000), '\u0000\u0001\u0002', '\r\n\r\n', ...HOSTILE_STRINGS),
      },
    );
    const local = LOCAL_MEDIA[o.tag];
    const media =
      o.tag === 'Text' || o.tag === 'HyperText' || o.tag === 'Paragraphs'
        ? text
        : local
          ? fc.oneof(
              { weight: dense ? 4 : 2, arbitrary: fc.constant(local) },
              { weight: 1, arbitrary: mediaUrlArb },
            )
          : mediaUrlArb;
    return [
      o.key,
      fc.oneof(
        { weight: junk(dense, 10), arbitrary: media },
        { weight: 1, arbitrary: fc.constantFrom(null, 3, [], {}) },
      ),
    ] as const;
  });
  const data = fc.record(Object.fromEntries(entries) as Record<string, fc.Arbitrary<unknown>>, {
    requiredKeys: dense ? config.objects.map((o) => o.key) : [],
  });
  return fc.oneof(
    { weight: junk(dense, 15), arbitrary: data },
    { weight: 1, arbitrary: fc.constantFrom(null, 'data', [], {}) },
  );
}

/** One task for a config (`dense`: with at least one annotation holding results, mostly). */
export function taskArb(config: FuzzConfig, dense = false): fc.Arbitrary<Record<string, unknown>> {
  const anns = fc.oneof(
    {
      weight: junk(dense, 12),
      arbitrary: fc.array(annotationArb(config, dense), { minLength: dense ? 1 : 0, maxLength: 3 }),
    },
    { weight: 1, arbitrary: fc.constantFrom(null, 'x', {}) },
  );
  return fc
    .record(
      {
        id: idArb,
        data: dataArb(config, dense),
        annotations: anns,
        predictions: fc.array(annotationArb(config), { maxLength: 1 }),
        drafts: fc.array(annotationArb(config), { maxLength: 1 }),
        meta: fc.constantFrom({}, { x: 1 }),
        agreement: coordArb,
      },
      { requiredKeys: dense ? ['data', 'annotations'] : ['data'] },
    )
    .chain((t) =>
      // Old exports use `completions` instead of `annotations`.
      fc.oneof(
        { weight: 10, arbitrary: fc.constant(t) },
        {
          weight: 1,
          arbitrary: fc.constant(
            (() => {
              const { annotations, ...rest } = t;
              return { ...rest, completions: annotations };
            })(),
          ),
        },
      ),
    );
}

/** A config and a short list of tasks for it. */
export interface FuzzCase {
  config: FuzzConfig;
  tasks: Record<string, unknown>[];
}

/**
 * A config with up to three tasks (tiny, so thousands of runs stay fast). `dense` cases
 * hold at least one task, and their tasks mostly hold annotations with results, so most
 * runs give an export something to account for.
 */
export function caseArb(
  configs: fc.Arbitrary<FuzzConfig> = configArb,
  dense = false,
): fc.Arbitrary<FuzzCase> {
  return configs.chain((config) =>
    fc.record({
      config: fc.constant(config),
      tasks: fc.array(taskArb(config, dense), { minLength: dense ? 1 : 0, maxLength: 3 }),
    }),
  );
}

/**
 * Cases for one format: dense ones, mostly of the config families it supports, the rest
 * of any family (so its refusals are fuzzed too, in a sixth of the runs).
 */
export function formatCaseArb(families: readonly fc.Arbitrary<FuzzConfig>[]): fc.Arbitrary<FuzzCase> {
  if (families.length === 0) return caseArb(configArb, true);
  return caseArb(
    fc.oneof({ weight: 5, arbitrary: fc.oneof(...families) }, { weight: 1, arbitrary: configArb }),
    true,
  );
}

/**
 * The case as raw JSON text. JSON cannot hold NaN or Infinity (they become null);
 * integers beyond 2^53 are written as their exact digits, which JSON.stringify cannot.
 * `pythonFloats` writes every integer as a float the way Python does (`3.0`), which
 * JavaScript reads as the same number and `--compat python` must print back as `3.0`.
 */
export function rawJsonText(tasks: readonly unknown[], hugeDigits: boolean, pythonFloats = false): string {
  let text = JSON.stringify(tasks, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
  if (pythonFloats) text = text.replace(/([:,[])(-?\d+)(?=[,}\]])/g, '$1$2.0');
  if (!hugeDigits) return text;
  // Number.MAX_SAFE_INTEGER + 3 prints as 9007199254740994; write more digits than a double holds.
  return text
    .replace(/9007199254740994(\.0)?/g, '9007199254740993123456789')
    .replace(/1e\+308/g, '1' + '0'.repeat(400));
}
