import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';
import {
  BROKEN_PLUGIN,
  fakeIo,
  leftovers,
  OLD_PLUGIN,
  REPO,
  TEST_PLUGIN,
  tempDir,
  waitFor,
} from './test-helpers.js';

const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="label" toName="text"><Choice value="a"/></Choices></View>';
const TASKS = JSON.stringify([
  {
    id: 7,
    data: { text: 'hello' },
    annotations: [
      {
        id: 1,
        result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['a'] } }],
      },
    ],
  },
]);
const pkgVersion = (
  JSON.parse(readFileSync(join(REPO, 'apps/cli/package.json'), 'utf8')) as { version: string }
).version;

/** A temp folder with tasks.json and config.xml. */
function workspace(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'tasks.json'), TASKS);
  writeFileSync(join(dir, 'config.xml'), CONFIG);
  return dir;
}

/** Exactly one line, prefixed, without a stack trace. */
function expectOneLineError(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^lsconv: /);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('main: commands, help and version', () => {
  it('prints the package version', async () => {
    const io = fakeIo();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.out()).toBe(`${pkgVersion}\n`);
  });

  it('prints usage on standard error and exits 2 without a command', async () => {
    const io = fakeIo();
    expect(await main([], io)).toBe(2);
    expect(io.err()).toMatch(/Usage:/);
    expect(io.out()).toBe('');
  });

  it('lists the commands in --help', async () => {
    const io = fakeIo();
    expect(await main(['--help'], io)).toBe(0);
    for (const command of ['export', 'formats', 'import']) expect(io.out()).toContain(`  ${command}`);
  });

  it('refuses an unknown command with a suggestion, exit 2', async () => {
    const io = fakeIo();
    expect(await main(['exprot'], io)).toBe(2);
    expect(expectOneLineError(io.err())).toMatch(/unknown command "exprot".*did you mean export\?/);
  });

  it('generates export help from every format and its options', async () => {
    const io = fakeIo();
    expect(await main(['export', '--help', '--plugin', TEST_PLUGIN], io)).toBe(0);
    const out = io.out();
    expect(out).toMatch(/JSON — JSON {2}\(@lsconv\/core /);
    expect(out).toMatch(/TEST_ITEMS — Test items {2}\(lsconv-format-cli-test 1\.2\.3\)/);
    expect(out).toMatch(/--separator VALUE +A separator\. \(default: ","\)/);
    expect(out).toMatch(/--\[no-\]header +Write a header\. \(default: true\)/);
    expect(out).toMatch(/--mode fast\|slow +A mode\. \(default: "fast"\)/);
    expect(out).toMatch(/--limit N +A limit\. \(default: 0\)/);
    expect(out).toMatch(/--ls-token TOKEN .*\(env\s+LABEL_STUDIO_API_KEY\)/s);
  });

  it('shows one format with -f FORMAT --help, matching the id in any case', async () => {
    const io = fakeIo();
    expect(await main(['export', '-f', 'test_items', '--help', '--plugin', TEST_PLUGIN], io)).toBe(0);
    expect(io.out()).toMatch(/Format TEST_ITEMS:/);
    expect(io.out()).toMatch(/--separator VALUE/);
    expect(io.out()).not.toMatch(/JSON — JSON/);
  });

  it('refuses --help for an unknown format', async () => {
    const io = fakeIo();
    expect(await main(['export', '-f', 'NOPE', '--help', '--plugin', TEST_PLUGIN], io)).toBe(2);
    expect(expectOneLineError(io.err())).toMatch(
      /unknown format "NOPE".*installed formats: JSON, TEST_ITEMS/,
    );
  });
});

describe('main: export', () => {
  it('passes format flags, Python flags and resource flags through', async () => {
    const dir = workspace();
    const io = fakeIo({ cwd: dir, env: { LABEL_STUDIO_URL: 'http://ls.example', LS_UPLOAD_DIR: 'up' } });
    const code = await main(
      [
        'export',
        ...['-i', 'tasks.json', '-c', 'config.xml', '-o', 'out', '-f', 'test_items', '--plugin', TEST_PLUGIN],
        ...[
          '--csv-separator',
          ';',
          '--csv-no-header',
          '--mode',
          'SLOW',
          '--limit',
          '3',
          '--image-dir',
          'pics',
        ],
        ...['--heartex-format', '--compat', 'python', '--concurrency', '4', '--local-files-root', 'lf', '-q'],
        ...['--download-deadline', '2.5'],
      ],
      io,
    );
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const echoed = JSON.parse(readFileSync(join(dir, 'out', 'options.json'), 'utf8'));
    expect(echoed.options).toEqual({
      separator: ';',
      header: false,
      mode: 'slow',
      limit: 3,
      imageDir: 'pics',
      crash: false,
    });
    expect(echoed.compat).toBe('python');
    expect(echoed.resources).toEqual({
      localFilesRoot: join(dir, 'lf'),
      uploadDir: join(dir, 'up'),
      baseDir: dir,
      lsUrl: 'http://ls.example',
      concurrency: 4,
      deadlineMs: 2500,
    });
    const items = readFileSync(join(dir, 'out', 'items.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(JSON.parse(items[0]!)).toMatchObject({
      id: 7,
      output: { label: [{ choices: ['a'], type: 'Choices' }] },
    });
  });

  it("lets a format's own flag win over the Python alias and --no- negate it", async () => {
    const dir = workspace();
    const io = fakeIo({ cwd: dir });
    const args = [
      'export',
      '-i',
      'tasks.json',
      '-c',
      'config.xml',
      '-o',
      'out',
      '-f',
      'TEST_ITEMS',
      '--plugin',
      TEST_PLUGIN,
    ];
    expect(await main([...args, '--separator', '|', '--csv-separator', ';', '--no-header', '-q'], io)).toBe(
      0,
    );
    const echoed = JSON.parse(readFileSync(join(dir, 'out', 'options.json'), 'utf8'));
    expect(echoed.options).toMatchObject({ separator: '|', header: false });
  });

  it('ignores Python flags a format does not use, as the Python CLI does', async () => {
    const dir = workspace();
    const io = fakeIo({ cwd: dir });
    const code = await main(
      [
        'export',
        '-i',
        'tasks.json',
        '-o',
        'out',
        '--csv-separator',
        ';',
        '--csv-no-header',
        '--image-dir',
        'x',
        '--heartex-format',
      ],
      io,
    );
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'result.json'), 'utf8'))).toEqual(JSON.parse(TASKS));
    expect(io.err()).toMatch(/^JSON: 1 tasks read/);
  });

  it('reads a folder of per-task JSON files and JSON Lines, with media paths relative to the input', async () => {
    const dir = workspace();
    const task = JSON.parse(TASKS)[0];
    mkdirSync(join(dir, 'tasks'));
    writeFileSync(join(dir, 'tasks', '10.json'), JSON.stringify({ ...task, id: 10 }));
    writeFileSync(join(dir, 'tasks', '2.json'), JSON.stringify({ ...task, id: 2 }));
    writeFileSync(
      join(dir, 'tasks.jsonl'),
      `${JSON.stringify({ ...task, id: 3 })}\n${JSON.stringify({ ...task, id: 4 })}\n`,
    );
    for (const [input, ids, baseDir] of [
      ['tasks', [2, 10], join(dir, 'tasks')],
      ['tasks.jsonl', [3, 4], dir],
    ] as const) {
      const io = fakeIo({ cwd: dir });
      const args = ['-i', input, '-c', 'config.xml', '-o', `out-${input}`, '-f', 'TEST_ITEMS', '-q'];
      expect(await main(['export', ...args, '--plugin', TEST_PLUGIN], io)).toBe(0);
      const lines = readFileSync(join(dir, `out-${input}`, 'items.jsonl'), 'utf8')
        .trim()
        .split('\n');
      expect(lines.map((l) => JSON.parse(l).id)).toEqual(ids);
      const echoed = JSON.parse(readFileSync(join(dir, `out-${input}`, 'options.json'), 'utf8'));
      expect(echoed.resources.baseDir).toBe(baseDir);
    }
  });

  it('reads standard input with -i -', async () => {
    const dir = tempDir();
    const io = fakeIo({ cwd: dir, stdin: TASKS });
    expect(await main(['export', '-i', '-', '-o', 'out', '-q'], io)).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'result.json'), 'utf8'))).toEqual(JSON.parse(TASKS));
  });

  it('refuses unknown flags, missing -i/-o and bad values with exit 2 and no output', async () => {
    const dir = workspace();
    const cases: [string[], RegExp][] = [
      [
        ['-i', 'tasks.json', '-o', 'out', '--sepparator', ';'],
        /unknown flag --sepparator for lsconv export -f JSON/,
      ],
      [
        ['-i', 'tasks.json', '-o', 'out', '-f', 'TEST_ITEMS', '--sepparator', ';'],
        /did you mean --separator\?/,
      ],
      [['-o', 'out'], /missing -i INPUT/],
      [['-i', 'tasks.json'], /missing -o OUTPUT/],
      [
        ['-i', 'tasks.json', '-o', 'out', '-f', 'TEST_ITEMS', '--mode', 'medium'],
        /--mode must be one of fast, slow/,
      ],
      [['-i', 'tasks.json', '-o', 'out', '-f', 'TEST_ITEMS', '--limit', 'x'], /--limit must be a number/],
      [
        ['-i', 'tasks.json', '-o', 'out', '--concurrency', '0'],
        /--concurrency must be a whole number of at least 1/,
      ],
      [
        ['-i', 'tasks.json', '-o', 'out', '--download-deadline', '0'],
        /--download-deadline must be a number of seconds above 0/,
      ],
      [['-i', 'tasks.json', '-o', 'out', '--compat', 'perl'], /--compat must be one of default, python/],
      [['-i', 'tasks.json', '-o', 'out', 'extra'], /unexpected argument "extra"/],
      [['-i', 'tasks.json', '-o', 'out', '-f', 'JSON_MINN'], /unknown format "JSON_MINN"/],
    ];
    for (const [args, message] of cases) {
      const io = fakeIo({ cwd: dir });
      const code = await main(['export', '--plugin', TEST_PLUGIN, ...args], io);
      expect(expectOneLineError(io.err()), args.join(' ')).toMatch(message);
      expect(code, args.join(' ')).toBe(2);
    }
    expect(readdirSync(dir).sort()).toEqual(['config.xml', 'tasks.json']);
  });

  it('makes a format that needs a labeling config refuse to run without -c, unless forced', async () => {
    const dir = workspace();
    const io = fakeIo({ cwd: dir });
    expect(
      await main(
        ['export', '-i', 'tasks.json', '-o', 'out', '-f', 'TEST_ITEMS', '--plugin', TEST_PLUGIN],
        io,
      ),
    ).toBe(1);
    expect(expectOneLineError(io.err())).toMatch(
      /format TEST_ITEMS needs a labeling config: it needs at least one control tag — give .* with -c config\.xml/,
    );
    expect(existsSync(join(dir, 'out'))).toBe(false);
    const forced = fakeIo({ cwd: dir });
    expect(
      await main(
        [
          'export',
          '-i',
          'tasks.json',
          '-o',
          'out',
          '-f',
          'TEST_ITEMS',
          '--plugin',
          TEST_PLUGIN,
          '--force',
          // Without a config every region is skipped: nothing but empty items is written.
          '--allow-empty',
          '-q',
        ],
        forced,
      ),
    ).toBe(0);
    expect(existsSync(join(dir, 'out', 'items.jsonl'))).toBe(true);
  });

  it('reports a crashing format in one line, exit 1, without a stack unless LSCONV_DEBUG=1', async () => {
    const dir = workspace();
    const args = [
      'export',
      '-i',
      'tasks.json',
      '-c',
      'config.xml',
      '-o',
      'out',
      '-f',
      'TEST_ITEMS',
      '--plugin',
      TEST_PLUGIN,
      '--crash',
    ];
    const io = fakeIo({ cwd: dir });
    expect(await main(args, io)).toBe(1);
    expect(expectOneLineError(io.err())).toMatch(
      /format TEST_ITEMS failed: deliberate failure in TEST_ITEMS/,
    );
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(leftovers(dir)).toEqual([]);
    const debug = fakeIo({ cwd: dir, env: { LSCONV_DEBUG: '1' } });
    expect(await main(args, debug)).toBe(1);
    expect(debug.err()).toMatch(/\n\s+at /);
    expect(debug.err()).toMatch(/caused by:\nError: deliberate failure/);
  });

  it('refuses an output path that is a file before reading anything', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'out'), 'x');
    const io = fakeIo({ cwd: dir });
    expect(await main(['export', '-i', 'tasks.json', '-o', 'out'], io)).toBe(1);
    expect(expectOneLineError(io.err())).toMatch(/the output out exists and is not a folder/);
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('x');
  });

  it('writes the report to standard output with --report -', async () => {
    const dir = workspace();
    const io = fakeIo({ cwd: dir });
    expect(await main(['export', '-i', 'tasks.json', '-o', 'out', '--report', '-', '-q'], io)).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({
      format: 'JSON',
      tasksRead: 1,
      itemsWritten: 1,
      skipped: [],
    });
  });

  it('cancels on the abort signal: exit 130, nothing left behind', async () => {
    const dir = tempDir();
    const controller = new AbortController();
    const stdin = new PassThrough();
    stdin.write('[{"id": 1, "data": {"a": 1}},');
    const io = fakeIo({ cwd: dir, stdin, signal: controller.signal });
    const running = main(['export', '-i', '-', '-o', 'out'], io);
    await waitFor(() => leftovers(dir).length > 0);
    controller.abort('SIGINT');
    expect(await running).toBe(130);
    expect(io.err()).toMatch(/^lsconv: interrupted; out was left as it was\n$/m);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('exits 143 when stopped by SIGTERM', async () => {
    const dir = tempDir();
    const controller = new AbortController();
    const stdin = new PassThrough();
    stdin.write('[');
    const io = fakeIo({ cwd: dir, stdin, signal: controller.signal });
    const running = main(['export', '-i', '-', '-o', 'out', '--zip'], io);
    await waitFor(() => leftovers(dir).length > 0);
    controller.abort('SIGTERM');
    expect(await running).toBe(143);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('main: formats', () => {
  it('lists formats with their package, and broken plugins by name with the reason', async () => {
    const io = fakeIo();
    expect(
      await main(['formats', '--plugin', TEST_PLUGIN, '--plugin', BROKEN_PLUGIN, '--plugin', OLD_PLUGIN], io),
    ).toBe(0);
    const out = io.out();
    expect(out).toMatch(/TEST_ITEMS +Test items {2}\(lsconv-format-cli-test 1\.2\.3\)/);
    expect(out).toMatch(
      /lsconv-format-cli-broken: loading \.\/index\.js failed: this plugin is broken on purpose/,
    );
    expect(out).toMatch(/lsconv-format-cli-old: it needs @lsconv\/core \^9\.0\.0/);
    expect(out).toMatch(/test-lines +Test lines/);
  });

  it('prints JSON with --json', async () => {
    const io = fakeIo();
    expect(await main(['formats', '--json', '--plugin', TEST_PLUGIN, '--plugin', BROKEN_PLUGIN], io)).toBe(0);
    const listing = JSON.parse(io.out());
    expect(listing.formats.map((f: { id: string }) => f.id)).toEqual(['JSON', 'TEST_ITEMS']);
    const test = listing.formats[1];
    expect(test).toMatchObject({
      id: 'TEST_ITEMS',
      title: 'Test items',
      tags: ['test'],
      output: 'folder',
      package: 'lsconv-format-cli-test',
      version: '1.2.3',
    });
    expect(test.options).toContainEqual({
      name: 'mode',
      flag: '--mode',
      type: 'enum',
      description: 'A mode.',
      default: 'fast',
      choices: ['fast', 'slow'],
    });
    expect(test.options).toContainEqual({
      name: 'imageDir',
      flag: '--image-dir',
      type: 'string',
      description: 'Where images go.',
      default: 'images',
    });
    expect(listing.importers).toEqual([
      expect.objectContaining({ id: 'test-lines', package: 'lsconv-format-cli-test', version: '1.2.3' }),
    ]);
    expect(listing.problems).toEqual([
      expect.objectContaining({
        package: 'lsconv-format-cli-broken',
        code: 'PLUGIN_LOAD',
        reason: expect.stringMatching(/broken on purpose/),
      }),
    ]);
  });
});

describe('main: import', () => {
  it('says clearly that no importer is installed', async () => {
    const io = fakeIo();
    expect(await main(['import', 'yolo', '-i', 'x', '--plugin', BROKEN_PLUGIN], io)).toBe(2);
    expect(expectOneLineError(io.err())).toMatch(/unknown importer "yolo" — no importer is installed/);
  });

  it('writes tasks and <stem>.label_config.xml with importer flags', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'lines.txt'), 'first\nsecond\n');
    const io = fakeIo({ cwd: dir });
    const code = await main(
      [
        'import',
        'test-lines',
        '-i',
        'lines.txt',
        '-o',
        'sub/tasks.json',
        '--from-name',
        'sentiment',
        '--plugin',
        TEST_PLUGIN,
      ],
      io,
    );
    expect(io.err()).toMatch(
      /^import test-lines: 2 tasks written to sub\/tasks\.json, labeling config in sub\/tasks\.label_config\.xml/,
    );
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'sub', 'tasks.json'), 'utf8'))).toEqual([
      { data: { text: 'first' } },
      { data: { text: 'second' } },
    ]);
    expect(readFileSync(join(dir, 'sub', 'tasks.label_config.xml'), 'utf8')).toMatch(
      /<Choices name="sentiment"/,
    );
    expect(leftovers(join(dir, 'sub'))).toEqual([]);
  });

  it('leaves nothing behind when the importer fails mid-way', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'lines.txt'), 'a\nb\nc\n');
    mkdirSync(join(dir, 'out'));
    const io = fakeIo({ cwd: dir });
    const code = await main(
      [
        'import',
        'test-lines',
        '-i',
        'lines.txt',
        '-o',
        'out/tasks.json',
        '--fail-at',
        '2',
        '--plugin',
        TEST_PLUGIN,
      ],
      io,
    );
    expect(code).toBe(1);
    expect(expectOneLineError(io.err())).toMatch(/importer test-lines failed: deliberate failure at line 2/);
    expect(readdirSync(join(dir, 'out'))).toEqual([]);
  });

  it('shows importer help and wants the kind first', async () => {
    const help = fakeIo();
    expect(await main(['import', 'test-lines', '--help', '--plugin', TEST_PLUGIN], help)).toBe(0);
    expect(help.out()).toMatch(/--from-name VALUE +Name of the control tag\. \(default: "label"\)/);
    const wrong = fakeIo();
    expect(await main(['import', '-i', 'x', 'yolo'], wrong)).toBe(2);
    expect(expectOneLineError(wrong.err())).toMatch(/lsconv import takes the importer first/);
  });
});
