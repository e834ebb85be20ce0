import { json } from './json.js';

export { json } from './json.js';

/** The formats core itself provides. */
export const builtinFormats = [json] as const;
