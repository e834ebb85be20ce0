// End-to-end: spawns the built command (`pnpm test` builds first).
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CLI_BIN,
  CONFORMANCE,
  cleanEnv,
  leftovers,
  REPO,
  runCli,
  TEST_PLUGIN,
  tempDir,
  waitFor,
} from './test-helpers.js';

const CASE = join(CONFORMANCE, 'sdk-chat');
const TASKS = join(CASE, 'tasks.json');
const CONFIG = join(CASE, 'config.xml');
const tasksJson = () => JSON.parse(readFileSync(TASKS, 'utf8'));

/** The entries of a zip file, from its central directory. */
function readZip(file: string): Map<string, Buffer> {
  const zip = readFileSync(file);
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(eocd).toBeGreaterThan(-1);
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + size);
    entries.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** One `lsconv: …` line on stderr, no stack trace, naming what it must name. */
function expectOneLineError(stderr: string, ...mustName: (string | RegExp)[]): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^lsconv: /);
  expect(stderr).not.toMatch(/\n\s+at /);
  for (const part of mustName) {
    if (typeof part === 'string') expect(lines[0]).toContain(part);
    else expect(lines[0]).toMatch(part);
  }
}

beforeAll(() => {
  if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: run pnpm build first (pnpm test does)`);
});

describe('lsconv (built) export', () => {
  it('exports JSON from a conformance case into a new folder', async () => {
    const dir = tempDir();
    const out = join(dir, 'json');
    const run = await runCli(['export', '-i', TASKS, '-c', CONFIG, '-o', out, '-f', 'json'], { cwd: dir });
    expect(run.stderr).toMatch(/^JSON: 1 tasks read/);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toMatch(/\r|\x1b\[/);
    expect(readdirSync(out)).toEqual(['.lsconv-output', 'result.json']);
    expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'))).toEqual(tasksJson());
  });

  it('reads standard input with -i -', async () => {
    const dir = tempDir();
    const out = join(dir, 'stdin');
    const run = await runCli(['export', '-i', '-', '-c', CONFIG, '-o', out, '-q'], {
      cwd: dir,
      input: readFileSync(TASKS, 'utf8'),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'))).toEqual(tasksJson());
  });

  it('writes one zip archive with --zip, adding .zip unless the name has it', async () => {
    const dir = tempDir();
    const first = await runCli(['export', '-i', TASKS, '-c', CONFIG, '-o', 'bundle', '--zip', '-q'], {
      cwd: dir,
    });
    expect(first.code).toBe(0);
    const second = await runCli(['export', '-i', TASKS, '-o', 'named.zip', '--zip', '-q'], { cwd: dir });
    expect(second.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['bundle.zip', 'named.zip']);
    const entries = readZip(join(dir, 'bundle.zip'));
    expect([...entries.keys()]).toEqual(['result.json']);
    expect(JSON.parse(entries.get('result.json')!.toString('utf8'))).toEqual(tasksJson());
  });

  it('accepts a lone task object and the Python converter flags', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'one.json'), JSON.stringify(tasksJson()[0]));
    const run = await runCli(
      ['export', '-i', 'one.json', '-o', 'out', '-f', 'JSON', '--heartex-format', '--csv-separator', ';'],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'result.json'), 'utf8'))).toEqual(tasksJson());
  });

  it('lists a result whose from_name is not in the config in --report, without failing', async () => {
    const dir = tempDir();
    const task = {
      id: 41,
      data: { text: 'hi' },
      annotations: [
        {
          id: 1,
          result: [
            { id: 'r1', from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['a'] } },
            { id: 'r2', from_name: 'ghost', to_name: 'text', type: 'choices', value: { choices: ['b'] } },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'tasks.json'), JSON.stringify([task]));
    writeFileSync(
      join(dir, 'config.xml'),
      '<View><Text name="text" value="$text"/><Choices name="label" toName="text"/></View>',
    );
    const report = join(dir, 'report.json');
    const run = await runCli([
      'export',
      ...[
        '-i',
        join(dir, 'tasks.json'),
        '-c',
        join(dir, 'config.xml'),
        '-o',
        join(dir, 'out'),
        '-f',
        'TEST_ITEMS',
      ],
      ...['--plugin', TEST_PLUGIN, '--report', report],
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/skipped 1 region\(s\): from_name "ghost" is not a control tag/);
    const data = JSON.parse(readFileSync(report, 'utf8'));
    expect(data).toMatchObject({ format: 'TEST_ITEMS', tasksRead: 1, itemsWritten: 1 });
    expect(data.skipped).toEqual([
      expect.objectContaining({
        code: 'unknown-control',
        kind: 'region',
        count: 1,
        examples: [
          expect.objectContaining({ taskId: 41, taskIndex: 0, field: 'annotations[0].result[1].from_name' }),
        ],
      }),
    ]);
    const items = readFileSync(join(dir, 'out', 'items.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(Object.keys(items[0].output)).toEqual(['label']);
  });

  describe('bad input: one clear line, non-zero exit, no output left behind', () => {
    const cases: {
      name: string;
      tasks?: string;
      config?: string;
      noConfig?: boolean;
      names: (string | RegExp)[];
    }[] = [
      {
        name: 'truncated JSON',
        tasks: readFileSync(TASKS, 'utf8').slice(0, 400),
        names: ['tasks.json', /truncated/],
      },
      {
        name: 'a number',
        tasks: '42',
        names: ['tasks.json', /must be a JSON list of tasks or a task object, found a number/],
      },
      { name: 'a string', tasks: '"x"', names: ['tasks.json', /found a string/] },
      {
        name: 'a task without data',
        tasks: '[{"id": 1, "data": {}}, {"id": 99, "annotations": []}]',
        names: ['tasks.json', 'task #1 (id 99)', 'field data', /no "data"/],
      },
      { name: 'a missing config', noConfig: true, names: ['missing.xml', /cannot read the labeling config/] },
      {
        name: 'an XML entity bomb config',
        config:
          '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
          '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>' +
          '<View><Text name="t" value="$text"/><Choices name="c" toName="t"><Choice value="&lol3;"/></Choices></View>',
        names: ['config.xml', /DOCTYPE or ENTITY/],
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const dir = tempDir();
        writeFileSync(join(dir, 'tasks.json'), c.tasks ?? readFileSync(TASKS, 'utf8'));
        writeFileSync(join(dir, 'config.xml'), c.config ?? readFileSync(CONFIG, 'utf8'));
        const config = c.noConfig ? join(dir, 'missing.xml') : join(dir, 'config.xml');
        for (const extra of [[], ['--zip']]) {
          // cwd outside the workspace: only the built-in JSON format is loaded, which keeps these runs fast.
          const run = await runCli(['export', '-i', 'tasks.json', '-c', config, '-o', 'out', ...extra], {
            cwd: dir,
          });
          expect(run.code).toBe(1);
          expectOneLineError(run.stderr, ...c.names);
          expect(readdirSync(dir).sort()).toEqual(['config.xml', 'tasks.json']);
        }
      });
    }
  });

  it('prints a stack trace only with LSCONV_DEBUG=1', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tasks.json'), '42');
    const run = await runCli(['export', '-i', 'tasks.json', '-o', 'out'], {
      cwd: dir,
      env: { LSCONV_DEBUG: '1' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^lsconv: .*found a number.*\n[\s\S]*\n\s+at /);
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`stops on ${signal} with exit ${code}, removing the partial output`, async () => {
      const dir = tempDir();
      const child = spawn(process.execPath, [CLI_BIN, 'export', '-i', '-', '-o', 'out'], {
        cwd: dir,
        env: cleanEnv(),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const closed = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      child.stdin.write('[{"id": 1, "data": {"text": "a"}},');
      await waitFor(() => leftovers(dir).length > 0);
      child.kill(signal);
      expect([await closed, stderr]).toEqual([code, expect.any(String)]);
      expect(stderr).toMatch(/lsconv: interrupted; out was left as it was/);
      expect(readdirSync(dir)).toEqual([]);
    });
  }
});

describe('lsconv (built) formats', () => {
  it('lists JSON and every format package of the workspace (loaded or reported)', async () => {
    const run = await runCli(['formats', '--json']);
    expect(run.code).toBe(0);
    const listing = JSON.parse(run.stdout) as {
      formats: {
        id: string;
        package: string;
        version: string;
        title: string;
        description: string;
        options: unknown[];
      }[];
      importers: unknown[];
      problems: { package: string; reason: string }[];
    };
    expect(listing.formats[0]).toMatchObject({
      id: 'JSON',
      package: '@lsconv/core',
      title: 'JSON',
      options: [],
    });
    // Every workspace package that says it is a plugin (format-kit, a helper library, does not).
    const packages = readdirSync(join(REPO, 'packages'))
      .filter((d) => existsSync(join(REPO, 'packages', d, 'package.json')))
      .map((d) => JSON.parse(readFileSync(join(REPO, 'packages', d, 'package.json'), 'utf8')))
      .filter((pkg) => pkg.keywords?.includes('lsconv-plugin'))
      .map((pkg) => pkg.name as string);
    expect(packages).toContain('@lsconv/format-coco');
    for (const name of packages) {
      const seen =
        listing.formats.some((f) => f.package === name) || listing.problems.some((p) => p.package === name);
      expect(seen, name).toBe(true);
    }
    expect(Array.isArray(listing.importers)).toBe(true);
  });

  it('finds format packages installed beside the CLI in a package that depends on it', async () => {
    // An npm-style install: meta/node_modules/@lsconv/cli (a copy) and a format package next to it.
    const meta = tempDir('lsconv-meta-');
    writeFileSync(
      join(meta, 'package.json'),
      JSON.stringify({
        name: 'meta',
        private: true,
        dependencies: { '@lsconv/cli': '*', 'lsconv-format-cli-test': '*' },
      }),
    );
    const modules = join(meta, 'node_modules');
    mkdirSync(join(modules, '@lsconv', 'cli'), { recursive: true });
    cpSync(join(REPO, 'apps/cli/dist'), join(modules, '@lsconv', 'cli', 'dist'), { recursive: true });
    cpSync(join(REPO, 'apps/cli/package.json'), join(modules, '@lsconv', 'cli', 'package.json'));
    symlinkSync(join(REPO, 'packages/core'), join(modules, '@lsconv', 'core'), 'dir');
    symlinkSync(TEST_PLUGIN, join(modules, 'lsconv-format-cli-test'), 'dir');
    const elsewhere = tempDir();
    const run = await runCli(['formats', '--json'], {
      cwd: elsewhere,
      bin: join(modules, '@lsconv', 'cli', 'dist', 'bin.js'),
    });
    expect(run.code).toBe(0);
    const listing = JSON.parse(run.stdout);
    expect(listing.formats.map((f: { id: string }) => f.id)).toEqual(['JSON', 'TEST_ITEMS']);
    expect(listing.problems).toEqual([]);
  });

  it('prints a human listing', async () => {
    const run = await runCli(['formats']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Formats \(\d+\):\n {2}JSON /);
  });
});

describe('lsconv (built) help', () => {
  it('prints the version and export help', async () => {
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toBe(
      JSON.parse(readFileSync(join(REPO, 'apps/cli/package.json'), 'utf8')).version,
    );
    const help = await runCli(['export', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: lsconv export/);
    expect(help.stdout).toMatch(/ {2}JSON — JSON/);
  });
});
