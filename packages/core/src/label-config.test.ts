import { describe, expect, it } from 'vitest';
import { parseLabelConfig } from './label-config.js';

describe('parseLabelConfig', () => {
  it('reads controls, objects, labels and their attributes, nested views included', () => {
    const config = parseLabelConfig(`
      <View>
        <Image name="image" value="$image"/>
        <View style="x">
          <RectangleLabels name="label" toName="image">
            <Label value="Car" background="green" category="5"/>
            <View><Label value="Airplane" alias="plane"/></View>
          </RectangleLabels>
        </View>
        <Choices name="quality" toName="image" choice="single">
          <Choice value="Good &amp; sharp"/>
        </Choices>
      </View>`);
    const label = config.controls.get('label')!;
    expect(label.type).toBe('RectangleLabels');
    expect(label.toName).toEqual(['image']);
    expect(label.inputs.map((i) => [i.type, i.value])).toEqual([['Image', 'image']]);
    expect(label.labels).toEqual(['Car', 'plane']);
    expect(label.labelsAttrs.Car).toEqual({ value: 'Car', background: 'green', category: '5' });
    expect(config.controls.get('quality')!.labels).toEqual(['Good & sharp']);
    expect(config.dataKeys).toEqual(['image']);
  });

  it('matches Repeater names by the longest pattern', () => {
    const config = parseLabelConfig(`
      <View>
        <Repeater on="$pages" indexFlag="{{idx}}">
          <Image name="page_{{idx}}" value="$pages[{{idx}}].url"/>
          <RectangleLabels name="labels_{{idx}}" toName="page_{{idx}}"><Label value="A"/></RectangleLabels>
        </Repeater>
      </View>`);
    expect(config.matchControl('labels_3')?.name).toBe('labels_{{idx}}');
    expect(config.matchControl('other')).toBeUndefined();
  });

  it('refuses DOCTYPE declarations (entity bombs) quickly', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><View><Text name="t" value="&lol2;"/></View>`;
    expect(() => parseLabelConfig(bomb, { file: 'config.xml' })).toThrow(/DOCTYPE.*config\.xml/);
  });

  it('names the line of malformed XML', () => {
    expect(() => parseLabelConfig('<View>\n<Text name="t" value="$t">\n</View>', { file: 'c.xml' })).toThrow(
      /not well-formed XML.*line/,
    );
  });

  it('makes a parser complaint readable: collapsed excerpt, line and column, the line itself, a hint for JSON', () => {
    const json = '[\n    "View",\n    "Image",\n    "RectangleLabels"\n]';
    let message = '';
    try {
      parseLabelConfig(json, { file: 'c.xml' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^labeling config is not well-formed XML at line 1, column 1: /);
    expect(message).not.toMatch(/ {2}|found\. at line/);
    expect(message).toMatch(/the line reads: \[/);
    expect(message).toMatch(/looks like JSON; give the XML of the labeling config/);
    expect(() =>
      parseLabelConfig('<View>\n  <Text name="t" value="$t">\n</View>', { file: 'c.xml' }),
    ).toThrow(/at line \d+, column \d+: .*\(the line reads: /);
  });

  it('decodes numeric character references as XML parsers do', () => {
    const config = parseLabelConfig(`<View>
  <Image name="img" value="$image"/>
  <!-- &#233; stays in a comment -->
  <Choices name="c" toName="img">
    <Choice value="Caf&#233;"/><Choice value="Caf&#xE9; &#x1F600;"/><Choice value="&#60;b&#62; &#38; &#34;q&#34;"/>
    <Choice value="&amp;#233;"/><Choice value="a&#10;b"/>
  </Choices>
</View>`);
    expect(config.controls.get('c')?.labels).toEqual(['Café', 'Café 😀', '<b> & "q"', '&#233;', 'a\nb']);
  });

  it('refuses a character reference to a character XML does not allow', () => {
    for (const ref of ['&#0;', '&#x1;', '&#xD800;', '&#x110000;', '&#xFFFE;', `&#${'9'.repeat(30)};`])
      expect(() =>
        parseLabelConfig(
          `<View><Text name="t" value="$t"/><Labels name="l" toName="t"><Label value="${ref}"/></Labels></View>`,
          {
            file: 'c.xml',
          },
        ),
      ).toThrow(/not well-formed XML: &#.*does not allow/);
  });
});

describe('labels named like object properties', () => {
  it('keeps __proto__, constructor and toString as labels, in config order, with their attributes', () => {
    const config = parseLabelConfig(`<View><Image name="image" value="$image"/>
      <RectangleLabels name="label" toName="image">
        <Label value="Car"/><Label value="__proto__" category="7"/><Label value="constructor"/><Label value="toString"/>
      </RectangleLabels></View>`);
    const control = config.controls.get('label')!;
    expect(control.labels).toEqual(['Car', '__proto__', 'constructor', 'toString']);
    expect(new Map(Object.entries(control.labelsAttrs)).get('__proto__')).toEqual({
      value: '__proto__',
      category: '7',
    });
    expect(Object.keys(control.labelsAttrs)).toHaveLength(4);
  });
});
