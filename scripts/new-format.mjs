#!/usr/bin/env node
// `pnpm new-format <name>`: scaffolds packages/format-<name> — a working definition (one
// JSON line per annotation), a README with the standard headings and generated sections,
// an example fixture with its expected output, and the testkit suite — then links it
// (pnpm install), builds it, adds it to the `lsconv` meta package and fills its README
// (pnpm run docs). `--root <dir>` scaffolds into another workspace; `--no-install` only writes files.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The words of a package name: `my-format` → `['my', 'format']`. */
function words(name) {
  return name.split('-').filter(Boolean);
}

/** The names a new format package gets from its short name. */
export function formatNames(name) {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
    throw new Error(
      `format name "${name}": use lower-case letters, digits and dashes (e.g. "labelme" or "my-format")`,
    );
  }
  const parts = words(name);
  return {
    dirName: `format-${name}`,
    packageName: `@lsconv/format-${name}`,
    id: parts.join('_').toUpperCase(),
    exportName: parts.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join(''),
    title: parts.map((w) => w[0].toUpperCase() + w.slice(1)).join(' '),
    fileName: name,
  };
}

// A new package supports the same Node.js releases as the workspace's own packages.
const ENGINES = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')).engines;

const CONFIG = `<View>
  <Text name="review" value="$text"/>
  <Choices name="sentiment" toName="review" choice="single">
    <Choice value="Positive"/>
    <Choice value="Negative"/>
  </Choices>
</View>
`;

const TASKS = `[
  {
    "id": 1,
    "data": { "text": "Works well." },
    "annotations": [
      {
        "id": 10,
        "completed_by": 1,
        "result": [
          { "from_name": "sentiment", "to_name": "review", "type": "choices", "value": { "choices": ["Positive"] } }
        ]
      }
    ]
  },
  {
    "id": 2,
    "data": { "text": "Broke after a day." },
    "annotations": [
      {
        "id": 20,
        "completed_by": 1,
        "result": [
          { "from_name": "sentiment", "to_name": "review", "type": "choices", "value": { "choices": ["Negative"] } }
        ]
      }
    ]
  }
]
`;

// What the scaffolded definition writes for TASKS with CONFIG; the test compares against it.
const EXPECTED = `{"task":1,"annotation":10,"results":{"sentiment":[{"choices":["Positive"],"type":"Choices"}]}}
{"task":2,"annotation":20,"results":{"sentiment":[{"choices":["Negative"],"type":"Choices"}]}}
`;

function files(n, coreRange) {
  const definition = `import { defineFormat, taskItems } from '@lsconv/core';

/** ${n.id}: one JSON line per annotation with the task id, the annotation id and its results by control. */
export const ${n.exportName} = defineFormat({
  id: '${n.id}',
  title: '${n.title}',
  description: 'One JSON line per annotation: task id, annotation id and the results of each control tag (result.jsonl).',
  output: 'file',
  options: {
    pretty: { type: 'boolean', default: false, description: 'Indent each record (then one record per block instead of per line).' },
  },
  async export(tasks, ctx) {
    const out = await ctx.sink.createFile('result.jsonl');
    let taskIndex = 0;
    for await (const task of tasks) {
      for (const item of taskItems(task, { config: ctx.config, report: ctx.report, taskIndex })) {
        const record = { task: item.id, annotation: item.annotation_id, results: item.output };
        await out.write(\`\${JSON.stringify(record, null, ctx.options.pretty ? 2 : undefined)}\\n\`);
        ctx.report.itemsWritten++;
        ctx.report.regionsWritten += Object.values(item.output).reduce((sum, values) => sum + values.length, 0);
      }
      taskIndex++;
    }
    await out.close();
  },
});
`;
  const test = `import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memorySink, openTaskSource, parseLabelConfig, runExport } from '@lsconv/core';
import { describeFormatSuite } from '@lsconv/testkit';
import { describe, expect, it } from 'vitest';
import { ${n.exportName} } from './index.js';

const example = join(import.meta.dirname, '..', 'fixtures', 'example');
const config = readFileSync(join(example, 'config.xml'), 'utf8');
const tasks = JSON.parse(readFileSync(join(example, 'tasks.json'), 'utf8')) as unknown[];

// No Label Studio reference output exists for this format: the example fixture is the sample case.
describeFormatSuite(${n.exportName}, { conformance: false, sampleCase: { config, tasks } });

describe('${n.id}', () => {
  it('writes the expected output for the example fixture', async () => {
    const sink = memorySink();
    await runExport({
      format: ${n.exportName},
      tasks: openTaskSource(join(example, 'tasks.json')),
      config: parseLabelConfig(config),
      sink,
    });
    expect(sink.text('result.jsonl')).toBe(readFileSync(join(example, 'expected', 'result.jsonl'), 'utf8'));
  });
});
`;
  const readme = `# ${n.packageName}

## What it is

The \`${n.id}\` format of [lsconv](../../README.md): one JSON line per annotation with the task
id, the annotation id and the results of each control tag, in \`result.jsonl\`.

## Install

\`\`\`sh
npm install @lsconv/core ${n.packageName}
\`\`\`

The \`lsconv\` command finds the format as soon as the package is installed next to it.

## Use (CLI and API)

\`\`\`sh
lsconv export -i tasks.json -c config.xml -o out -f ${n.id}
# → out/result.jsonl
\`\`\`

\`\`\`ts
import { readFileSync } from 'node:fs';
import { directorySink, openTaskSource, parseLabelConfig, runExport } from '@lsconv/core';
import { ${n.exportName} } from '${n.packageName}';

const report = await runExport({
  format: ${n.exportName},
  tasks: openTaskSource('tasks.json'),
  config: parseLabelConfig(readFileSync('config.xml', 'utf8'), { file: 'config.xml' }),
  sink: directorySink('out'),
});
console.log(report.summaryLines().join('\\n'));
\`\`\`

## Options

<!-- lsconv:options:start -->
<!-- lsconv:options:end -->

## Supported tags

<!-- lsconv:tags:start -->
<!-- lsconv:tags:end -->

## Example (in → out)

<!-- lsconv:example:start -->
<!-- lsconv:example:end -->

## Differences from the Python converter

The Python converter has no \`${n.id}\` format.
`;
  const pkg = {
    name: n.packageName,
    version: '0.1.0',
    description: `lsconv format ${n.id}: one JSON line per annotation.`,
    type: 'module',
    license: 'Apache-2.0',
    engines: { node: ENGINES.node },
    sideEffects: false,
    keywords: ['lsconv-plugin', 'lsconv', 'label-studio'],
    repository: {
      type: 'git',
      url: 'git+https://github.com/lsconv/lsconv.git',
      directory: `packages/${n.dirName}`,
    },
    exports: {
      '.': { types: './dist/index.d.ts', import: './dist/index.js' },
      './package.json': './package.json',
    },
    main: './dist/index.js',
    types: './dist/index.d.ts',
    files: ['dist', 'README.md', 'CHANGELOG.md'],
    // The marker lists the format ids too, as every official format package's does.
    lsconv: { plugins: './dist/index.js', formats: [n.id] },
    scripts: { build: 'tsc -p tsconfig.build.json', typecheck: 'tsc -p tsconfig.json --noEmit' },
    peerDependencies: { '@lsconv/core': coreRange },
    devDependencies: { '@lsconv/core': 'workspace:*', '@lsconv/testkit': 'workspace:*' },
  };
  return {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(
      {
        extends: '../../tsconfig.base.json',
        compilerOptions: { rootDir: 'src', outDir: 'dist' },
        include: ['src'],
      },
      null,
      2,
    )}\n`,
    'tsconfig.build.json': `${JSON.stringify({ extends: './tsconfig.json', exclude: ['src/**/*.test.ts'] }, null, 2)}\n`,
    'README.md': readme,
    'CHANGELOG.md': `# ${n.packageName}\n`,
    'src/index.ts': `export { ${n.exportName} } from './${n.fileName}.js';\n`,
    [`src/${n.fileName}.ts`]: definition,
    [`src/${n.fileName}.test.ts`]: test,
    'fixtures/example/config.xml': CONFIG,
    'fixtures/example/tasks.json': TASKS,
    'fixtures/example/expected/result.jsonl': EXPECTED,
  };
}

/** Writes the package; returns its folder. Refuses to overwrite an existing one. */
export function scaffold(root, name) {
  const n = formatNames(name);
  const dir = join(root, 'packages', n.dirName);
  if (existsSync(dir)) throw new Error(`${relative(process.cwd(), dir) || dir} already exists`);
  const corePkg = join(root, 'packages', 'core', 'package.json');
  const coreVersion = existsSync(corePkg) ? JSON.parse(readFileSync(corePkg, 'utf8')).version : '0.1.0';
  const [major, minor] = coreVersion.split('.');
  // Any later core minor satisfies it, so a core minor release does not force a plugin major.
  const coreRange = major === '0' ? `>=0.${minor}.0 <1.0.0` : `^${major}.${minor}.0`;
  for (const [path, text] of Object.entries(files(n, coreRange))) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  // The batteries-included package ships every official format.
  const metaFile = join(root, 'packages', 'lsconv', 'package.json');
  if (existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
    meta.dependencies = { ...meta.dependencies, [n.packageName]: 'workspace:^' };
    meta.dependencies = Object.fromEntries(
      Object.entries(meta.dependencies).sort(([a], [b]) => a.localeCompare(b)),
    );
    writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
  }
  return { dir, names: n };
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const args = process.argv.slice(2);
  const rootAt = args.indexOf('--root');
  const root = rootAt >= 0 ? args[rootAt + 1] : join(import.meta.dirname, '..');
  const name = args.find((a, i) => !a.startsWith('--') && (rootAt < 0 || i !== rootAt + 1));
  if (!name) {
    console.error('usage: pnpm new-format <name>   (e.g. pnpm new-format labelme)');
    process.exit(2);
  }
  try {
    const { dir, names } = scaffold(root, name);
    console.log(`created ${relative(root, dir)} (${names.packageName}, format ${names.id})`);
    if (!args.includes('--no-install')) {
      const opts = { cwd: root, stdio: 'inherit' };
      execFileSync('pnpm', ['install', '--offline'], opts);
      execFileSync(
        'pnpm',
        ['exec', 'turbo', 'run', 'build', `--filter=${names.packageName}`, '--output-logs=errors-only'],
        opts,
      );
      execFileSync(process.execPath, [join(root, 'scripts', 'docs.mjs')], opts);
      console.log(
        `next: edit packages/${names.dirName}/src/${names.fileName}.ts, then pnpm run docs && pnpm test`,
      );
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
