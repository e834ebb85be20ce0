import { parseLabelConfig } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { importColor, importLabelConfig, joinImageUrl, pyQuote } from './import-config.js';

describe('joinImageUrl', () => {
  it('appends to the d parameter of a local-files URL and encodes it', () => {
    expect(joinImageUrl('/data/local-files/?d=images', 'img 6.jpeg')).toBe(
      '/data/local-files/?d=images/img%206.jpeg',
    );
    expect(joinImageUrl('/data/local-files/?d=', 'a\\b?.jpg')).toBe('/data/local-files/?d=a/b%3F.jpg');
    expect(joinImageUrl('http://ls:8080/data/local-files/?d=x/&t=1', 'y.png')).toBe(
      'http://ls:8080/data/local-files/?d=x/y.png&t=1',
    );
  });
  it('keeps the root of a plain URL and encodes the path only', () => {
    expect(joinImageUrl('https://cdn.example.org/dataset v2/', 'img_5.jpg')).toBe(
      'https://cdn.example.org/dataset v2/img_5.jpg',
    );
    expect(joinImageUrl('s3://bucket', 'a b.jpg')).toBe('s3://bucket/a%20b.jpg');
    expect(joinImageUrl('images/', 'ü.jpg')).toBe('images/%C3%BC.jpg');
  });
  it('refuses an empty root or path', () => {
    expect(() => joinImageUrl('', 'a.jpg')).toThrow();
    // A blank --image-root-url is the user's error: an LsconvError, not a TypeError.
    expect(() => joinImageUrl(' ', 'a.jpg')).toThrow(
      expect.objectContaining({ name: 'LsconvError', code: 'INVALID_OPTION' }),
    );
    expect(() => joinImageUrl('/x', '/')).toThrow();
  });
});

describe('importLabelConfig', () => {
  it('writes a config Label Studio parses, with escaped labels and palette colours', () => {
    const xml = importLabelConfig({
      toName: 'img',
      controls: [{ tag: 'RectangleLabels', name: 'label', labels: [{ value: 'a&"b', colorIndex: 0 }] }],
    });
    const config = parseLabelConfig(xml);
    expect(config.controls.get('label')?.labels).toEqual(['a&"b']);
    expect(config.controls.get('label')?.toName).toEqual(['img']);
    expect(xml).toContain(importColor(0));
    expect(importColor(196)).toBe(importColor(0));
  });
  it('keeps tabs and line breaks in labels (an XML parser would read them raw as spaces)', () => {
    const labels = ['Car\nTruck', 'a\tb'];
    const xml = importLabelConfig({
      toName: 'img',
      controls: [
        {
          tag: 'RectangleLabels',
          name: 'label',
          labels: labels.map((value, i) => ({ value, colorIndex: i })),
        },
      ],
    });
    expect(xml).not.toMatch(/value="[^"]*[\n\t\r]/);
    expect(parseLabelConfig(xml).controls.get('label')?.labels).toEqual(labels);
  });

  it('points controls at "image" in python mode, as the Python converter does', () => {
    const xml = importLabelConfig({
      toName: 'img',
      compat: 'python',
      controls: [{ tag: 'PolygonLabels', name: 'p', labels: [] }],
    });
    expect(xml).toContain('toName="image"');
  });
  it('quotes like Python', () => {
    expect(pyQuote("a b/c~!'()*")).toBe('a%20b/c~%21%27%28%29%2A');
  });
});
