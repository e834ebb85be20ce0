import { LsconvError, shortValue } from '../errors.js';
import { createResourceResolver } from './resolver.js';
import type { ResourceOptions } from './types.js';

/** Options of {@link getLocalPath}: the resolver options plus the task the URL belongs to. */
export interface GetLocalPathOptions extends ResourceOptions {
  /** The task id; needed for `s3://`, `gs://` and `azure-blob://` URLs (presigned per task). */
  taskId?: unknown;
  /**
   * Environment to fill unset options from (see {@link resourceOptionsFromEnv});
   * `false` to ignore the environment. Default `process.env`.
   */
  env?: Readonly<Record<string, string | undefined>> | false;
}

/**
 * The TypeScript counterpart of `label_studio_tools`' `get_local_path(url, ...)`:
 * turns a task data URL into a local file path — the file itself for local-files,
 * upload-folder and plain-path references, otherwise a download into the cache
 * folder. Unset options come from the environment like the SDK's
 * (`LABEL_STUDIO_URL`, `LABEL_STUDIO_API_KEY`, `LOCAL_FILES_DOCUMENT_ROOT`, `LS_UPLOAD_DIR`…).
 * `download` defaults to `true` here, as `download_resources` does in the SDK.
 * Throws an `LsconvError` with code `RESOURCE` when the file cannot be had.
 */
export async function getLocalPath(url: string, options: GetLocalPathOptions = {}): Promise<string> {
  const { taskId, env, ...rest } = options;
  const fromEnv = env === false ? {} : resourceOptionsFromEnv(env ?? process.env);
  const merged: ResourceOptions = { ...fromEnv, download: true };
  for (const [key, value] of Object.entries(rest)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  const resolver = createResourceResolver({ ...merged, strict: true });
  const resolved = await resolver.resolve(url, { taskId });
  if (resolved.path) return resolved.path;
  throw new LsconvError(
    'RESOURCE',
    `cannot get ${shortValue(url, 200)}: not on disk or in the cache, and downloads are off`,
    {
      hint: 'pass download: true to fetch it',
    },
  );
}

/**
 * Resource options from environment variables, as the Label Studio SDK reads them:
 * `LOCAL_FILES_DOCUMENT_ROOT` (also with a `LABEL_STUDIO_` or `HEARTEX_` prefix),
 * `LS_UPLOAD_DIR`, `LABEL_STUDIO_URL` (or `LABEL_STUDIO_HOST`), `LABEL_STUDIO_API_KEY`
 * (or `LABEL_STUDIO_ACCESS_TOKEN`), and lsconv's own `LSCONV_CACHE_DIR`. Only the
 * variables that are set (and not empty) appear in the result.
 */
export function resourceOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ResourceOptions {
  const pick = (...names: string[]) => {
    for (const name of names) {
      const value = env[name];
      if (value !== undefined && value !== '') return value;
    }
    return undefined;
  };
  const options: ResourceOptions = {};
  const localFilesRoot = pick(
    'LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT',
    'HEARTEX_LOCAL_FILES_DOCUMENT_ROOT',
    'LOCAL_FILES_DOCUMENT_ROOT',
  );
  const uploadDir = pick('LS_UPLOAD_DIR');
  const lsUrl = pick('LABEL_STUDIO_URL', 'LABEL_STUDIO_HOST');
  const lsToken = pick('LABEL_STUDIO_API_KEY', 'LABEL_STUDIO_ACCESS_TOKEN');
  const cacheDir = pick('LSCONV_CACHE_DIR');
  if (localFilesRoot) options.localFilesRoot = localFilesRoot;
  if (uploadDir) options.uploadDir = uploadDir;
  if (lsUrl) options.lsUrl = lsUrl;
  if (lsToken) options.lsToken = lsToken;
  if (cacheDir) options.cacheDir = cacheDir;
  return options;
}
