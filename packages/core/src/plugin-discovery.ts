/**
 * Finding plugin packages on disk for the registry: workspace packages, declared
 * dependencies, packages installed beside the host, and the package.json reading they share.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);

/** A package that may be a plugin: its name and folder. */
export interface Candidate {
  name: string;
  dir: string;
}

export function readJson(path: string): Record<string, any> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Workspace packages (pnpm-workspace.yaml or package.json "workspaces") around a folder that carry the marker. */
export function workspacePackages(start: string): Candidate[] {
  let dir = start;
  for (;;) {
    const patterns = workspacePatterns(dir);
    if (patterns) {
      const out: Candidate[] = [];
      for (const pattern of patterns) {
        for (const pkgDir of expandPattern(dir, pattern)) {
          const pkg = readJson(join(pkgDir, 'package.json'));
          if (pkg?.lsconv && typeof pkg.name === 'string') out.push({ name: pkg.name, dir: pkgDir });
        }
      }
      return out;
    }
    const parent = dirname(dir);
    if (parent === dir) return [];
    dir = parent;
  }
}

function workspacePatterns(dir: string): string[] | undefined {
  const yaml = join(dir, 'pnpm-workspace.yaml');
  if (existsSync(yaml)) {
    let text: string;
    try {
      text = readFileSync(yaml, 'utf8');
    } catch {
      return [];
    }
    const simple = simpleWorkspacePackages(text);
    if (simple) return simple;
    // Loaded only here: a YAML parser takes longer to load than the rest of a small export.
    const { parse } = require('yaml') as typeof import('yaml');
    let doc: unknown;
    try {
      doc = parse(text);
    } catch {
      return [];
    }
    const packages = (doc as { packages?: unknown } | null)?.packages;
    return Array.isArray(packages) ? packages.filter((p): p is string => typeof p === 'string') : [];
  }
  const pkg = readJson(join(dir, 'package.json'));
  const workspaces = Array.isArray(pkg?.workspaces) ? pkg.workspaces : pkg?.workspaces?.packages;
  return Array.isArray(workspaces)
    ? workspaces.filter((w: unknown): w is string => typeof w === 'string')
    : undefined;
}

/**
 * The `packages` of a pnpm-workspace.yaml written the usual way (a top-level `packages:`
 * followed by `- pattern` lines, plain or quoted, and comments), without a YAML parser;
 * undefined for anything else (flow lists, anchors, escapes), which the parser then reads.
 */
export function simpleWorkspacePackages(text: string): string[] | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => /^packages:\s*(#.*)?$/.test(line));
  if (start < 0) return text.includes('packages') ? undefined : [];
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    if (!/^\s/.test(line) && !line.startsWith('-')) break;
    const quoted = /^\s*-\s+(?:'([^']*)'|"([^"\\]*)")(?:\s+#.*)?\s*$/.exec(line);
    // A plain entry ends where a comment (` #`) starts.
    const plain = quoted ? null : /^\s*-\s+([^\s'"#&*!|>%@`[\]{},].*)$/.exec(line.replace(/\s+#.*$/, ''));
    const value = quoted ? (quoted[1] ?? quoted[2]) : plain?.[1]?.trimEnd();
    if (value === undefined || (!quoted && /: |:$|^- /.test(value))) return undefined;
    out.push(value);
  }
  return out;
}

function expandPattern(root: string, pattern: string): string[] {
  if (pattern.startsWith('!')) return [];
  const clean = pattern.replace(/\/+$/, '');
  if (!clean.includes('*')) return existsSync(join(root, clean, 'package.json')) ? [join(root, clean)] : [];
  const star = clean.indexOf('*');
  const base = join(root, clean.slice(0, star).replace(/\/$/, ''));
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .sort()
    .map((name) => join(base, name))
    .filter((d) => {
      try {
        return statSync(d).isDirectory() && existsSync(join(d, 'package.json'));
      } catch {
        return false;
      }
    });
}

/** The `lsconv.pluginPatterns` a package.json declares, if any. */
export function pluginPatternsOf(dir: string): readonly string[] | undefined {
  const patterns = readJson(join(dir, 'package.json'))?.lsconv?.pluginPatterns;
  return Array.isArray(patterns) ? patterns.filter((p): p is string => typeof p === 'string') : undefined;
}

/**
 * True for a package that says it is a plugin: the marker's entry, or the `lsconv-plugin`
 * keyword (then a missing marker is reported). A package whose name matches without
 * either (a helper library the format packages share, or a meta package that only
 * brings plugins) is passed over in silence.
 */
export function isPlugin(dir: string): boolean {
  const pkg = readJson(join(dir, 'package.json'));
  if (pkg?.lsconv?.plugins !== undefined) return true;
  return Array.isArray(pkg?.keywords) && pkg.keywords.includes('lsconv-plugin');
}

/** A package name against a pattern where `*` matches within one path segment (a scope or a name). */
export function matchesPattern(name: string, pattern: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${source}$`).test(name);
}

/** The dependencies a package.json declares whose names match, resolved from its folder. */
export function declaredPlugins(dir: string, matches: (name: string) => boolean): Candidate[] {
  const pkg = readJson(join(dir, 'package.json'));
  if (!pkg) return [];
  const names = new Set<string>();
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    for (const name of Object.keys(pkg[field] ?? {})) if (matches(name)) names.add(name);
  }
  const out: Candidate[] = [];
  for (const name of names) {
    const found = resolvePackageDir(name, dir);
    if (found) out.push({ name, dir: found });
  }
  return out;
}

/**
 * Where a package is installed: the node_modules folder that holds it, and the project
 * whose node_modules it is, i.e. the first folder with a package.json above any of its
 * enclosing node_modules folders (a package manager's store such as pnpm's
 * `node_modules/.pnpm/<pkg>/node_modules` has none of its own). No project: a global install.
 */
export function installationOf(dir: string): { project?: string; nodeModules?: string } {
  let nodeModules: string | undefined;
  let current = resolve(dir);
  for (;;) {
    const parent = dirname(current);
    if (parent === current) return { nodeModules };
    if (basename(current) === 'node_modules') {
      nodeModules ??= current;
      if (existsSync(join(parent, 'package.json'))) return { project: parent, nodeModules };
    }
    current = parent;
  }
}

/** Packages installed directly in a node_modules folder whose names match (one level, scopes included). */
export function installedPlugins(nodeModules: string, matches: (name: string) => boolean): Candidate[] {
  const out: Candidate[] = [];
  const list = (dir: string) => {
    try {
      return readdirSync(dir).sort();
    } catch {
      return [];
    }
  };
  for (const entry of list(nodeModules)) {
    const names = entry.startsWith('@')
      ? list(join(nodeModules, entry)).map((n) => `${entry}/${n}`)
      : [entry];
    for (const name of names) {
      const dir = join(nodeModules, name);
      if (matches(name) && existsSync(join(dir, 'package.json'))) out.push({ name, dir });
    }
  }
  return out;
}

/** The nearest folder with a package.json, from `start` upward. */
export function nearestPackageDir(start: string): string | undefined {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The folder of a package: a path, or a name looked up in node_modules folders upward from `from`. */
export function resolvePackageDir(spec: string, from: string): string | undefined {
  if (spec.startsWith('.') || isAbsolute(spec)) {
    const dir = resolve(from, spec);
    return existsSync(join(dir, 'package.json')) ? dir : undefined;
  }
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', spec);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
