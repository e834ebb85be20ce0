export { type JsonMinRecord, jsonMin, jsonMinText, toJsonMinRecord } from './json-min.js';
