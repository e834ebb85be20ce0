// Records a hash of every output file for every public conformance case × every format ×
// both compat modes, so a change that must not alter behaviour can be checked byte for byte:
//
//   node scripts/output-hashes.mjs > before.txt        (on the old code, after `pnpm build`)
//   node scripts/output-hashes.mjs --check before.txt  (on the new code: lists every difference)
//
// One line per output file (`case format compat path sha256`), or per refused export
// (`case format compat !error code message`). Runs in one thread; COCO and brush dates are
// pinned with SOURCE_DATE_EPOCH. LSCONV_CONFORMANCE_DIR overrides the cases folder.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

process.env.SOURCE_DATE_EPOCH ??= '1700000000';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const core = await import(join(root, 'packages/core/dist/index.js'));
const testkit = await import(join(root, 'packages/testkit/dist/index.js'));

const args = process.argv.slice(2);
const checkFile = args[0] === '--check' ? args[1] : undefined;
const registry = await core.loadRegistry({ cwd: root });
const formats = [...registry.formats.keys()].sort();
// The shared corpus only, so a list stays comparable when the repository adds its own cases.
const cases = testkit.loadConformanceCases(testkit.findConformanceDir()).filter((c) => c.tasksFile);
const work = mkdtempSync(join(tmpdir(), 'lsconv-hashes-'));
const lines = [];

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

try {
  for (const c of cases) {
    const configText = c.configFile ? readFileSync(c.configFile, 'utf8') : undefined;
    for (const formatId of formats) {
      for (const compat of ['default', 'python']) {
        const key = `${c.name} ${formatId} ${compat}`;
        const out = join(work, `${c.name}-${formatId}-${compat}`);
        try {
          const format = registry.format(formatId);
          const extra = testkit.defaultExportArgs(c.exportArgs, c.dir);
          await core.runExport({
            format,
            config:
              configText === undefined
                ? undefined
                : core.parseLabelConfig(configText, { file: c.configFile }),
            tasks: core.openTaskSource(c.tasksFile, { keepRaw: format.id === 'JSON' }),
            sink: core.directorySink(out),
            compat,
            force: true,
            threads: 1,
            ...extra,
          });
          for (const file of walk(out).sort()) {
            const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
            lines.push(`${key} ${relative(out, file)} ${sha}`);
          }
        } catch (error) {
          const code = error?.code ?? error?.name ?? 'Error';
          lines.push(`${key} !error ${code} ${String(error?.message ?? error).split('\n')[0]}`);
        } finally {
          rmSync(out, { recursive: true, force: true });
        }
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (!checkFile) {
  process.stdout.write(`${lines.join('\n')}\n`);
} else {
  const before = new Set(readFileSync(checkFile, 'utf8').split('\n').filter(Boolean));
  const after = new Set(lines);
  const gone = [...before].filter((l) => !after.has(l));
  const added = [...after].filter((l) => !before.has(l));
  for (const l of gone) process.stdout.write(`- ${l}\n`);
  for (const l of added) process.stdout.write(`+ ${l}\n`);
  process.stdout.write(
    `${lines.length} outputs over ${cases.length} cases × ${formats.length} formats × 2 modes; ${gone.length} removed, ${added.length} added\n`,
  );
  process.exitCode = gone.length + added.length ? 1 : 0;
}
