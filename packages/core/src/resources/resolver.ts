import { existsSync } from 'node:fs';
import { basename, isAbsolute, resolve as resolvePath } from 'node:path';
import type { ConversionReport } from '../report.js';
import { safeBaseName, shortHash } from '../safe-path.js';
import type { Sink } from '../sinks/types.js';
import type { ImageInfo, ResolvedResource, ResourceCallContext, ResourceOptions, ResourceResolver } from './types.js';

/**
 * Creates the resource resolver formats share. (Bootstrap version: classification,
 * naming and local-file resolution.)
 */
export function createResourceResolver(options: ResourceOptions = {}, report?: ConversionReport): ResourceResolver {
  const opts = Object.freeze({ ...options });
  const describe = (url: string): ResolvedResource => {
    const text = String(url);
    if (/^https?:\/\//i.test(text)) {
      const path = new URL(text).pathname;
      return { url: text, kind: 'http', localName: `${shortHash(text)}__${safeBaseName(basename(path))}` };
    }
    return { url: text, kind: 'path', localName: `${shortHash(text)}__${safeBaseName(basename(text))}` };
  };
  const resolve = async (url: string, _context?: ResourceCallContext): Promise<ResolvedResource> => {
    const described = describe(url);
    if (described.kind === 'path') {
      const path = isAbsolute(url) ? url : resolvePath(opts.baseDir ?? process.cwd(), url);
      if (existsSync(path)) return { ...described, path };
    }
    void report;
    return described;
  };
  return {
    options: opts,
    describe,
    resolve,
    async imageInfo(): Promise<ImageInfo | undefined> {
      return undefined;
    },
    async audioDuration(): Promise<number | undefined> {
      return undefined;
    },
    async copyTo(_sink: Sink): Promise<boolean> {
      return false;
    },
    prefetch(): void {},
  };
}
