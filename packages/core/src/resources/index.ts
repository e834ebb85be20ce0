export * from './types.js';
export { createResourceResolver } from './resolver.js';
