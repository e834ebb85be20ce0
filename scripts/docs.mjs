#!/usr/bin/env node
// `pnpm run docs`: regenerates the sections of the READMEs that are derived from the format
// definitions (options, supported tags, example) and the root formats table, from the
// built packages (`dist/`). `pnpm run docs --check` writes nothing and fails when a section
// is stale. Sections sit between `<!-- lsconv:<name>:start -->` and `<!-- lsconv:<name>:end -->`.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const here = import.meta.dirname;

/** The headings every format package README has, in this order. */
export const FORMAT_README_HEADINGS = [
  'What it is',
  'Install',
  'Use (CLI and API)',
  'Options',
  'Supported tags',
  'Example (in → out)',
  'Differences from the Python converter',
];

// Label Studio control tags, each with an object tag it labels, probed through `supports()`.
const PROBES = [
  ['Choices', 'Text'],
  ['Choices', 'Image'],
  ['Labels', 'Text'],
  ['Labels', 'Audio'],
  ['HyperTextLabels', 'HyperText'],
  ['ParagraphLabels', 'Paragraphs'],
  ['TextArea', 'Text'],
  ['TextArea', 'Audio'],
  ['Rating', 'Text'],
  ['Number', 'Text'],
  ['DateTime', 'Text'],
  ['Taxonomy', 'Text'],
  ['Pairwise', 'Text'],
  ['Ranker', 'List'],
  ['RectangleLabels', 'Image'],
  ['Rectangle', 'Image'],
  ['PolygonLabels', 'Image'],
  ['Polygon', 'Image'],
  ['KeyPointLabels', 'Image'],
  ['EllipseLabels', 'Image'],
  ['BrushLabels', 'Image'],
  ['TimeSeriesLabels', 'TimeSeries'],
  ['VideoRectangle', 'Video'],
];

/** A minimal labeling config with one object tag and one control tag. */
function probeConfig(control, object) {
  const children = /Labels$|^Labels$/.test(control)
    ? '<Label value="A"/>'
    : control === 'Choices' || control === 'Taxonomy'
      ? '<Choice value="A"/>'
      : '';
  const extra = control === 'Pairwise' ? `<${object} name="obj2" value="$obj2"/>` : '';
  const toName = control === 'Pairwise' ? 'obj,obj2' : 'obj';
  return `<View><${object} name="obj" value="$obj"/>${extra}<${control} name="ctl" toName="${toName}">${children}</${control}></View>`;
}

/** Loads the built core and the packages carrying the `lsconv` marker, with their definitions. */
export async function loadWorkspace(root) {
  const core = await import(pathToFileURL(join(root, 'packages', 'core', 'dist', 'index.js')).href);
  const packages = [];
  for (const group of ['packages', 'apps']) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const name of readdirSync(groupDir).sort()) {
      const dir = join(groupDir, name);
      const pkgFile = join(dir, 'package.json');
      if (!existsSync(pkgFile)) continue;
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
      if (!pkg.lsconv?.plugins) continue;
      const entry = join(dir, pkg.lsconv.plugins);
      if (!existsSync(entry))
        throw new Error(`${pkg.name}: ${pkg.lsconv.plugins} is missing; run pnpm build first`);
      const module = await import(pathToFileURL(entry).href);
      const formats = Object.values(module).filter((v) => core.isFormatDefinition(v));
      packages.push({ name: pkg.name, dir, pkg, formats });
    }
  }
  return { core, packages };
}

const code = (s) => `\`${String(s).replace(/`/g, 'ˋ')}\``;
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The options table of a package: one row per option, a format column when the formats differ. */
export function renderOptions(core, formats) {
  const rows = new Map();
  for (const format of formats) {
    for (const [name, spec] of Object.entries(format.options)) {
      const key = `${name}\u0000${spec.type}\u0000${spec.description}\u0000${(spec.choices ?? []).join(',')}`;
      const row = rows.get(key) ?? { name, spec, defaults: [] };
      row.defaults.push({ id: format.id, value: spec.default });
      rows.set(key, row);
    }
  }
  if (rows.size === 0)
    return 'None: the CLI flags common to every format (`-i`, `-c`, `-o`, `--compat`…) apply.';
  const everyFormat = [...rows.values()].every((r) => r.defaults.length === formats.length);
  const header = [...(everyFormat ? [] : ['format']), 'flag', 'option', 'type', 'default', 'description'];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const { name, spec, defaults } of rows.values()) {
    const type = spec.type === 'enum' ? spec.choices.map(code).join(' | ') : spec.type;
    const distinct = [...new Set(defaults.map((d) => JSON.stringify(d.value)))];
    const def =
      distinct.length === 1
        ? defaults[0].value === undefined
          ? '—'
          : code(JSON.stringify(defaults[0].value))
        : defaults
            .map((d) => `${d.value === undefined ? '—' : code(JSON.stringify(d.value))} (${d.id})`)
            .join(', ');
    const cells = [
      ...(everyFormat ? [] : [defaults.map((d) => d.id).join(', ')]),
      code(`--${core.optionFlag(name, spec)}`),
      code(name),
      type,
      def,
      spec.description,
    ];
    lines.push(`| ${cells.map(cell).join(' | ')} |`);
  }
  return alignTable(lines).join('\n');
}

/** The control tags each format accepts, probed through its `supports()`. */
export function supportedTags(core, format) {
  const ok = [];
  for (const [control, object] of PROBES) {
    let config;
    try {
      config = core.parseLabelConfig(probeConfig(control, object));
    } catch {
      continue;
    }
    if (format.supports(config).ok) ok.push(`${control} (${object})`);
  }
  return ok;
}

/** The supported-tags lines of a package. */
export function renderTags(core, formats) {
  const lines = [];
  for (const format of formats) {
    const ok = supportedTags(core, format);
    const list =
      ok.length === PROBES.length
        ? 'every labeling config'
        : ok.length
          ? ok.map((t) => code(t.split(' ')[0]) + ` on ${code(t.split(' ')[1].slice(1, -1))}`).join(', ')
          : 'no labeling config on its own (see below)';
    lines.push(`- ${code(format.id)}: ${list}`);
  }
  return lines.join('\n');
}

const LANG = {
  json: 'json',
  jsonl: 'jsonl',
  xml: 'xml',
  csv: 'csv',
  txt: 'text',
  yaml: 'yaml',
  conll: 'text',
};
const MAX_LINES = 60;

function fence(text, lang) {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  const shown =
    lines.length > MAX_LINES
      ? [...lines.slice(0, MAX_LINES), `… (${lines.length - MAX_LINES} more lines)`]
      : lines;
  return `\`\`\`${lang}\n${shown.join('\n')}\n\`\`\``;
}

/** The example: the fixture's config and tasks, and what the package's first format writes for them. */
export async function renderExample(core, pkgDir, formats) {
  const exampleDir = join(pkgDir, 'fixtures', 'example');
  if (!existsSync(join(exampleDir, 'tasks.json')) || formats.length === 0) return 'No example fixture yet.';
  const configText = existsSync(join(exampleDir, 'config.xml'))
    ? readFileSync(join(exampleDir, 'config.xml'), 'utf8')
    : '<View/>';
  const tasksText = readFileSync(join(exampleDir, 'tasks.json'), 'utf8');
  const format = formats[0];
  const sink = core.memorySink();
  // Pins dates some formats write (COCO `info`), so the section is reproducible.
  const previousEpoch = process.env.SOURCE_DATE_EPOCH;
  process.env.SOURCE_DATE_EPOCH = '0';
  try {
    await core.runExport({
      format,
      tasks: core.openTaskSource(join(exampleDir, 'tasks.json')),
      config: core.parseLabelConfig(configText),
      sink,
      ...(existsSync(join(exampleDir, 'upload'))
        ? { resources: { uploadDir: join(exampleDir, 'upload'), baseDir: exampleDir, download: true } }
        : { resources: { baseDir: exampleDir } }),
    });
  } finally {
    if (previousEpoch === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = previousEpoch;
  }
  const parts = [
    `Generated from \`fixtures/example\` with \`lsconv export -f ${format.id}\` (default options).`,
    '',
    '`config.xml`:',
    '',
    fence(configText, 'xml'),
    '',
    '`tasks.json`:',
    '',
    fence(tasksText, 'json'),
    '',
    'Output:',
  ];
  for (const path of [...sink.files.keys()].sort()) {
    const bytes = sink.files.get(path);
    const text = Buffer.from(bytes).toString('utf8');
    const binary = text.includes('\u0000') || text.includes('\uFFFD');
    parts.push('');
    if (binary) {
      parts.push(`\`${path}\`: binary, ${bytes.length} bytes.`);
      continue;
    }
    const ext = path.split('.').pop() ?? '';
    parts.push(`\`${path}\`:`, '', fence(text, LANG[ext] ?? 'text'));
  }
  return parts.join('\n');
}

/** The root README's table of formats. */
export function renderFormatsTable(core, packages) {
  const lines = ['| id | package | what it exports | supported tags |', '| --- | --- | --- | --- |'];
  lines.push(
    `| ${code('JSON')} | ${code('@lsconv/core')} (built in) | ${cell(core.json.description)} | every labeling config |`,
  );
  for (const { name, formats } of packages) {
    for (const format of formats) {
      const ok = supportedTags(core, format);
      const tags =
        ok.length === PROBES.length
          ? 'every labeling config'
          : [...new Set(ok.map((t) => t.split(' ')[0]))].join(', ');
      lines.push(
        `| ${code(format.id)} | ${code(name)} | ${cell(format.description)} | ${cell(tags || '—')} |`,
      );
    }
  }
  return alignTable(lines).join('\n');
}

/** Replaces the body of a marked section; throws when the markers are missing. */
export function replaceSection(text, section, body, file) {
  const start = `<!-- lsconv:${section}:start -->`;
  const end = `<!-- lsconv:${section}:end -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${file}: missing ${start} … ${end}`);
  return `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`;
}

/** Every generated file with its expected text. */
export async function generate(
  root,
  { overrideFormats, readText = (file) => readFileSync(file, 'utf8') } = {},
) {
  const { core, packages } = await loadWorkspace(root);
  const files = [];
  for (const p of packages) {
    const formats = overrideFormats?.get(p.name) ?? p.formats;
    const file = join(p.dir, 'README.md');
    let text = readText(file);
    text = replaceSection(text, 'options', renderOptions(core, formats), file);
    text = replaceSection(text, 'tags', renderTags(core, formats), file);
    text = replaceSection(text, 'example', await renderExample(core, p.dir, formats), file);
    files.push({ file, text });
  }
  const table = renderFormatsTable(
    core,
    packages.map((p) => ({ name: p.name, formats: overrideFormats?.get(p.name) ?? p.formats })),
  );
  for (const file of [join(root, 'README.md'), join(root, 'packages', 'lsconv', 'README.md')]) {
    if (!existsSync(file)) continue;
    const section = file.endsWith(join('lsconv', 'README.md')) ? 'meta-formats' : 'formats';
    files.push({ file, text: replaceSection(readText(file), section, table, file) });
  }
  return files;
}

/**
 * The text as the freshness check compares it: the repository formatter (Biome) aligns
 * Markdown tables and re-indents JSON code blocks, so tables lose their padding and JSON
 * blocks are compared as parsed values.
 */
export function normaliseDoc(text) {
  const jsonBlocks = text.replace(/\r\n/g, '\n').replace(/^```json\n([\s\S]*?)\n```$/gm, (block, body) => {
    try {
      return `\`\`\`json\n${JSON.stringify(JSON.parse(body))}\n\`\`\``;
    } catch {
      return block;
    }
  });
  return normaliseTables(jsonBlocks);
}

function normaliseTables(text) {
  return text
    .split('\n')
    .map((line) =>
      line.startsWith('|')
        ? line
            .split(/(?<!\\)\|/)
            .map((c) => c.trim().replace(/^-{3,}$/, '---'))
            .join('|')
        : line,
    )
    .join('\n');
}

/** Pads the cells of a Markdown table so its columns line up. */
function alignTable(lines) {
  const rows = lines.map((line) => line.slice(2, -2).split(/ (?<!\\)\| /));
  const widths = rows[0].map((_, i) => Math.max(3, ...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r, ri) =>
    ri === 1
      ? `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`
      : `| ${r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join(' | ')} |`,
  );
}

/** The generated files whose text on disk differs from what `generate` gives. */
export async function staleFiles(root, options = {}) {
  const files = await generate(root, options);
  const read = options.readText ?? ((file) => readFileSync(file, 'utf8'));
  return files
    .filter(({ file, text }) => normaliseDoc(read(file)) !== normaliseDoc(text))
    .map(({ file }) => relative(root, file));
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const root = join(here, '..');
  if (process.argv.includes('--check')) {
    const stale = await staleFiles(root);
    if (stale.length) {
      console.error(`stale generated docs (run pnpm run docs): ${stale.join(', ')}`);
      process.exit(1);
    }
    console.log('generated docs are up to date');
  } else {
    for (const { file, text } of await generate(root)) {
      if (normaliseDoc(readFileSync(file, 'utf8')) !== normaliseDoc(text)) {
        writeFileSync(file, text);
        console.log(`updated ${relative(root, file)}`);
      }
    }
  }
}
