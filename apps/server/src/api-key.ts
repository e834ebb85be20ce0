// The API key: given (option or LSCONV_API_KEY), or generated at the first start and
// kept in the data folder as a SHA-256 hash only. `lsconv-server key` replaces a lost
// key with a new one; a running server takes it at the next request.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from './store/types.js';

const HASH_SETTING = 'api_key_sha256';
/** Where data folders written before keys were hashed keep theirs. */
const PLAIN_SETTING = 'api_key';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** How the server checks keys. */
export interface ApiKeyCheck {
  /** The key, when it is known: given to the server, or generated at this start. */
  apiKey?: string;
  generated: boolean;
  check(candidate: string): Promise<boolean>;
}

/** Settles the key: the given one; else the stored hash (a plain key of an older data folder is hashed); else a new one. */
export async function settleApiKey(given: string | undefined, store: Store): Promise<ApiKeyCheck> {
  if (given) {
    const hash = sha256(given);
    return { apiKey: given, generated: false, check: async (candidate) => equal(sha256(candidate), hash) };
  }
  const plain = await store.getSetting(PLAIN_SETTING);
  if (plain) {
    await store.setSetting(HASH_SETTING, sha256(plain).toString('hex'));
    await store.deleteSetting(PLAIN_SETTING);
  }
  let apiKey: string | undefined;
  if (!(await store.getSetting(HASH_SETTING))) apiKey = await rotateApiKey(store);
  return {
    ...(apiKey ? { apiKey } : {}),
    generated: apiKey !== undefined,
    // Read at every request, so that a key replaced with `lsconv-server key` works at once.
    check: async (candidate) =>
      equal(sha256(candidate), Buffer.from((await store.getSetting(HASH_SETTING)) ?? '', 'hex')),
  };
}

/** Generates a new key, stores its hash (the old key stops working) and returns it: it is never stored. */
export async function rotateApiKey(store: Store): Promise<string> {
  const apiKey = randomBytes(20).toString('hex');
  await store.setSetting(HASH_SETTING, sha256(apiKey).toString('hex'));
  await store.deleteSetting(PLAIN_SETTING);
  return apiKey;
}
