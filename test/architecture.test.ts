// The layering ARCHITECTURE.md promises, checked on the sources: apps name no format id,
// core imports nothing from the kit and lists its public API name by name, no format
// package imports another, and the map's folders exist.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { OFFICIAL_FORMAT_PACKAGES } from '@lsconv/core';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');

/** Source files (tests and fixtures aside) under a folder. */
function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : sources(path);
    return /\.(ts|mts|js|mjs)$/.test(name) && !/\.test\.|test-helpers|test-formats/.test(name) ? [path] : [];
  });
}

const packagesOf = (group: string) =>
  readdirSync(join(repo, group)).filter((name) => existsSync(join(repo, group, name, 'package.json')));
const FORMAT_IDS = [...Object.values(OFFICIAL_FORMAT_PACKAGES).flat(), 'JSON'];

describe('the layering', () => {
  it('the apps name no format id (what a host needs is declared on the definitions)', () => {
    const found: string[] = [];
    for (const app of packagesOf('apps')) {
      for (const file of sources(join(repo, 'apps', app, 'src'))) {
        const text = readFileSync(file, 'utf8');
        for (const id of FORMAT_IDS) {
          // A quoted literal: 'COCO', "YOLO_OBB", `CSV`.
          if (new RegExp(`['"\`]${id}['"\`]`).test(text)) found.push(`${relative(repo, file)}: ${id}`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  it('core imports nothing from the format kit and exports its API name by name', () => {
    const coreSrc = join(repo, 'packages', 'core', 'src');
    const offenders = sources(coreSrc).filter((file) => /format-kit/.test(readFileSync(file, 'utf8')));
    expect(offenders.map((f) => relative(repo, f))).toEqual([]);
    expect(readFileSync(join(coreSrc, 'index.ts'), 'utf8')).not.toMatch(/export \*/);
  });

  it('no format package imports another, and the apps import only @lsconv/core', () => {
    const found: string[] = [];
    for (const pkg of packagesOf('packages').filter(
      (name) => name.startsWith('format-') && name !== 'format-kit',
    )) {
      for (const file of sources(join(repo, 'packages', pkg, 'src'))) {
        for (const [, name] of readFileSync(file, 'utf8').matchAll(/from '@lsconv\/(format-[a-z-]+)/g)) {
          if (name !== pkg && name !== 'format-kit') found.push(`${relative(repo, file)} imports ${name}`);
        }
      }
    }
    for (const app of packagesOf('apps')) {
      for (const file of sources(join(repo, 'apps', app, 'src'))) {
        for (const [, name] of readFileSync(file, 'utf8').matchAll(
          /(?:from |import\(?\s*)'(@lsconv\/[a-z-]+)/g,
        )) {
          if (name !== '@lsconv/core') found.push(`${relative(repo, file)} imports ${name}`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  it('ARCHITECTURE.md names folders that exist, and the README points to it', () => {
    const map = readFileSync(join(repo, 'ARCHITECTURE.md'), 'utf8');
    const paths = [...map.matchAll(/`((?:apps|packages)\/[a-z-]+(?:\/[a-zA-Z0-9_./-]+)?)`/g)].map(
      (m) => m[1]!,
    );
    expect(paths.length).toBeGreaterThan(5);
    const missing = paths.filter((p) => !p.includes('<') && !existsSync(join(repo, p.replace(/[./]+$/, ''))));
    expect(missing).toEqual([]);
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toContain('(ARCHITECTURE.md)');
  });
});
