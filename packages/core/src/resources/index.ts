export { isPrivateAddress } from './address-guard.js';
export { isSafeFileName, mediaFileName } from './classify.js';
export { type GetLocalPathOptions, getLocalPath, resourceOptionsFromEnv } from './local-path.js';
export { prefetchAhead, readAhead } from './read-ahead.js';
export { createResourceResolver, defaultCacheDir, RESOURCE_DEFAULTS } from './resolver.js';
export * from './types.js';
