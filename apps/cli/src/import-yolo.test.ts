import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { joinImageDims } from './commands/import.js';
import { main } from './main.js';
import { CONFORMANCE, fakeIo, REPO, tempDir } from './test-helpers.js';

describe('lsconv import yolo', () => {
  it("joins the Python converter's two-value --image-dims", () => {
    expect(joinImageDims(['--image-dims', '640', '329', '-i', 'x'])).toEqual([
      '--image-dims',
      '640x329',
      '-i',
      'x',
    ]);
    expect(joinImageDims(['--image-dims', '640x329'])).toEqual(['--image-dims', '640x329']);
  });

  it("imports a YOLO folder with the Python converter's flags (the format-yolo plugin, built)", async () => {
    const dir = tempDir();
    const io = fakeIo({ cwd: dir });
    const input = join(CONFORMANCE, 'import-yolo-image-dims', 'input');
    const code = await main(
      [
        'import',
        'yolo',
        '-i',
        input,
        '-o',
        'tasks.json',
        '--image-ext',
        '.jpg',
        '--image-dims',
        '640',
        '329',
        '--out-type',
        'predictions',
        '--from-name',
        'bbox',
        '--to-name',
        'img',
        '--image-root-url',
        'https://cdn.example.org/dataset v2/',
        '--plugin',
        join(REPO, 'packages/format-yolo'),
      ],
      io,
    );
    expect(io.err()).toMatch(
      /^import yolo: 5 tasks written to tasks\.json, labeling config in tasks\.label_config\.xml/,
    );
    expect(code).toBe(0);
    const tasks = JSON.parse(readFileSync(join(dir, 'tasks.json'), 'utf8')) as Record<string, any>[];
    expect(tasks.map((t) => t.data.image)).toContain('https://cdn.example.org/dataset v2/img_5.jpg');
    const region = tasks[0]!.predictions[0].result[0];
    expect(region).toMatchObject({
      from_name: 'bbox',
      to_name: 'img',
      original_width: 640,
      original_height: 329,
    });
    expect(readFileSync(join(dir, 'tasks.label_config.xml'), 'utf8')).toContain(
      '<RectangleLabels name="bbox" toName="img">',
    );
  });
});
