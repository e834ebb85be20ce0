export { prettifyResult } from '@lsconv/core';
export { type JsonMinRecord, jsonMin, jsonMinText, toJsonMinRecord } from './json-min.js';
