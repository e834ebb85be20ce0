import { describe, expect, it } from 'vitest';
import { defaultExportArgs } from './index.js';

describe('defaultExportArgs', () => {
  it('turns upload_dir and download_resources into resource options', () => {
    expect(defaultExportArgs({ upload_dir: 'upload', download_resources: true }, '/cases/tpl-asr')).toEqual({
      resources: { baseDir: '/cases/tpl-asr', uploadDir: '/cases/tpl-asr/upload', download: true },
    });
    expect(defaultExportArgs({}, '/c')).toEqual({ resources: { baseDir: '/c' } });
  });
  it('refuses arguments it cannot translate', () => {
    expect(() => defaultExportArgs({ image_dir: 'x' }, '/c')).toThrow(/image_dir="x" has no translation/);
  });
});
