import { parseLabelConfig } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { referenceSupport, referenceSupports } from './reference-support.js';

describe('referenceSupport', () => {
  it('computes Label Studio format availability', () => {
    const image = parseLabelConfig(
      '<View><Image name="i" value="$img"/><KeyPointLabels name="k" toName="i"><Label value="a"/></KeyPointLabels></View>',
    );
    const support = referenceSupport(image);
    expect(support.get('COCO')).toMatchObject({ ok: false });
    expect(support.get('YOLO_OBB')).toEqual({ ok: true });
    expect(support.get('CSV')).toEqual({ ok: true });
    const twoKeys = parseLabelConfig(
      '<View><Text name="a" value="$a"/><Text name="b" value="$b"/><Labels name="l" toName="a"><Label value="x"/></Labels><Choices name="c" toName="b"><Choice value="y"/></Choices></View>',
    );
    expect(referenceSupport(twoKeys).get('CONLL2003')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('2 data keys'),
    });
  });

  it('offers JSON for every labeling config, as the built-in JSON format of core assumes', () => {
    const twoKeys = parseLabelConfig('<View><Text name="a" value="$a"/><Text name="b" value="$b"/></View>');
    expect(referenceSupports('JSON')(twoKeys)).toEqual({ ok: true });
    expect(referenceSupports('JSON')(parseLabelConfig('<View></View>'))).toEqual({ ok: true });
  });
});
