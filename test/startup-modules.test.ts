// A small export loads only what it runs: the format asked for, the parsers it needs in the
// form that loads fastest, and none of the libraries kept for rarer paths (the YAML parser
// for data.yaml datasets and unusual workspace files, semver for unusual version ranges,
// fflate for zip archives).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');
const bin = join(repo, 'apps', 'cli', 'dist', 'bin.js');

describe('the modules a small export loads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lsconv-startup-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const hook = join(dir, 'hook.mjs');
  writeFileSync(
    hook,
    `import { registerHooks } from 'node:module';
import { appendFileSync } from 'node:fs';
registerHooks({ load(url, context, next) { appendFileSync(process.env.LOADED_LOG, url + '\\n'); return next(url, context); } });
`,
  );

  for (const format of ['YOLO', 'COCO', 'VOC']) {
    it(`${format}: its own package, the kit and core, without yaml, semver, fflate or an XML module tree`, () => {
      const log = join(dir, `${format}.log`);
      execFileSync(
        process.execPath,
        [
          '--import',
          pathToFileURL(hook).href,
          bin,
          'export',
          '-i',
          join(repo, 'examples', 'bbox', 'tasks.json'),
          '-c',
          join(repo, 'examples', 'bbox', 'config.xml'),
          '-o',
          join(dir, `out-${format}`),
          '-f',
          format,
        ],
        // In the workspace, so the pnpm-workspace.yaml reading is on the path too.
        { cwd: repo, env: { ...process.env, LOADED_LOG: log }, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      const loaded = readFileSync(log, 'utf8').trim().split('\n');
      const packages = new Set(loaded.flatMap((url) => /\/packages\/([^/]+)\/dist\//.exec(url)?.[1] ?? []));
      expect([...packages].sort()).toEqual(['core', `format-${format.toLowerCase()}`, 'format-kit'].sort());
      const slow = loaded.filter((url) =>
        /\/node_modules\/(yaml|semver|fflate)\/|\/fast-xml-parser\/src\/|\/is-unsafe\//.test(url),
      );
      expect(slow).toEqual([]);
    });
  }
});
