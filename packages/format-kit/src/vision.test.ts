import { parseLabelConfig } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { cacheFileName, classifyImageRef, safeStem, stripExtension, urlBaseName } from './image-names.js';
import {
  codePointCompare,
  configCategories,
  envelope,
  imageDataKey,
  keypointOrder,
  percentRotatedEnvelope,
  polygonArea,
  pyInt,
  rectangleCorners,
} from './vision.js';

describe('category ids', () => {
  const config = parseLabelConfig(`<View>
    <Image name="image" value="$image"/>
    <RectangleLabels name="box" toName="image">
      <Label value="Zebra" category="7"/><Label value="Car"/><Label value="Airplane"/><Label value="Bus" category="1"/>
    </RectangleLabels>
    <Choices name="quality" toName="image"><Choice value="Blurry"/><Choice value="Sharp"/></Choices>
  </View>`);

  it('honours category="N" and numbers the rest alphabetically from the lowest free id', () => {
    const { categories } = configCategories(config, { shapeOnly: true });
    expect(categories).toEqual([
      { id: 7, name: 'Zebra' },
      { id: 1, name: 'Bus' },
      { id: 0, name: 'Airplane' },
      { id: 2, name: 'Car' },
    ]);
  });

  it('counts Choices only when asked to (the Python converter does)', () => {
    const names = configCategories(config, { shapeOnly: false }).categories.map((c) => c.name);
    expect(names).toContain('Blurry');
    expect(names).toContain('Sharp');
    expect(configCategories(config, { shapeOnly: true }).categories.map((c) => c.name)).not.toContain(
      'Blurry',
    );
  });

  it('parses integers like Python int()', () => {
    expect(pyInt(' 12 ')).toBe(12);
    expect(pyInt('1_000')).toBe(1000);
    expect(pyInt('-3')).toBe(-3);
    expect(pyInt('1.0')).toBeUndefined();
    expect(pyInt('x')).toBeUndefined();
  });

  it('sorts by code point like Python sorted()', () => {
    expect(['b', 'B', 'a', 'é'].sort(codePointCompare)).toEqual(['B', 'a', 'b', 'é']);
  });
});

describe('keypoint order', () => {
  it('follows model_index and drops labels without one or with a repeated one', () => {
    const config = parseLabelConfig(`<View><Image name="i" value="$img"/>
      <KeyPointLabels name="kp" toName="i">
        <Label value="tail" model_index="2"/><Label value="nose" model_index="0"/><Label value="ear"/><Label value="eye" model_index="0"/>
      </KeyPointLabels></View>`);
    expect(keypointOrder(config)).toEqual(['nose', 'tail']);
  });
});

describe('image names', () => {
  it('names missing plain paths and URLs <md5(url)[:8]>__<basename>, as the reference corpus shows', () => {
    expect(cacheFileName('/image1')).toBe('718f1d05__image1');
    expect(cacheFileName('test_image1.jpg')).toBe('235b37ac__test_image1.jpg');
    expect(cacheFileName('https://data.example.org/receipts/r-0042.png')).toBe('99ec8c47__r-0042.png');
  });

  it('classifies references like the Python converter', () => {
    expect(classifyImageRef('/data/upload/7/a.jpg')).toBe('upload');
    expect(classifyImageRef('upload/7/a.jpg')).toBe('upload');
    expect(classifyImageRef('/data/local-files/?d=x/a.jpg')).toBe('local-files');
    expect(classifyImageRef('s3://bucket/a.jpg')).toBe('cloud');
    expect(classifyImageRef('gs://bucket/a.jpg')).toBe('cloud');
    expect(classifyImageRef('/storage-data/uploaded/?filepath=upload/1/a.jpg')).toBe('storage-proxy');
    expect(classifyImageRef('HTTPS://x/a.jpg')).toBe('http');
    expect(classifyImageRef('/image1')).toBe('path');
  });

  it('takes the base name of the URL path, without query', () => {
    expect(urlBaseName('https://h/a/b%20c.jpg?sig=1#x')).toBe('b%20c.jpg');
    expect(urlBaseName('/data/upload/7/x.png')).toBe('x.png');
  });

  it('strips one extension like os.path.splitext and makes stems safe', () => {
    expect(stripExtension('a.b.jpg')).toBe('a.b');
    expect(stripExtension('.hidden')).toBe('.hidden');
    expect(stripExtension('noext')).toBe('noext');
    expect(safeStem('..')).not.toBe('..');
    expect(safeStem('a\\b.jpg')).toBe('a_b');
    expect(safeStem(`${'x'.repeat(300)}.jpg`)).toHaveLength(251);
  });

  it('finds the image data key among several keys', () => {
    const config =
      parseLabelConfig(`<View><Text name="t" value="$text"/><Choices name="c" toName="t"><Choice value="x"/></Choices>
      <Image name="i" value="$photo"/><RectangleLabels name="r" toName="i"><Label value="a"/></RectangleLabels></View>`);
    expect(imageDataKey(config)).toBe('photo');
  });
});

describe('geometry', () => {
  it('rotates rectangle corners about the top-left corner, clockwise in image coordinates', () => {
    const corners = rectangleCorners(10, 20, 30, 10, 90);
    const rounded = corners.map(([x, y]) => [Math.round(x * 1e9) / 1e9, Math.round(y * 1e9) / 1e9]);
    expect(rounded).toEqual([
      [10, 20],
      [10, 50],
      [0, 50],
      [0, 20],
    ]);
  });

  it('computes envelopes and shoelace areas', () => {
    expect(
      envelope([
        [1, 5],
        [4, 2],
        [3, 9],
      ]),
    ).toEqual([1, 2, 3, 7]);
    expect(polygonArea([0, 4, 4, 0], [0, 0, 3, 3])).toBe(12);
    expect(polygonArea([0, 4, 0], [0, 0, 3])).toBe(6);
  });

  it('shows why the percent-space envelope is wrong on non-square images', () => {
    // A 10%×10% box on a 1000×100 image is 100×10 px; rotated 90° its envelope is 10×100 px.
    const [, , pw, ph] = percentRotatedEnvelope(40, 40, 10, 10, 90);
    // Percent math keeps it 100 px wide (10% of 1000) and 10 px high (10% of 100).
    expect([pw * 10, ph * 1]).toEqual([expect.closeTo(100), expect.closeTo(10)]);
    const [, , w, h] = envelope(rectangleCorners(400, 40, 100, 10, 90));
    expect([w, h].map((v) => Math.round(v))).toEqual([10, 100]);
  });
});
