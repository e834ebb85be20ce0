export { type JsonMinRecord, jsonMin, jsonMinText, toJsonMinRecord } from './json-min.js';
export { prettifyResult } from './prettify.js';
