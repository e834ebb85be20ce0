export { AUDIO_DIR, asrManifest, type ManifestLine, pythonJsonObject } from './asr-manifest.js';
export { readWavDuration, readWavHeader, WavError, type WavHeader } from './wav.js';
