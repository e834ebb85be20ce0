import { arrayTaskSource, type CompatMode, memorySink, parseLabelConfig, runExport } from '@lsconv/core';
import { describeFormatSuite, writeSizes } from '@lsconv/testkit';
import { describe, expect, it } from 'vitest';
import { conll2003, PYTHON_DOCSTART, SPACY_DOCSTART } from './index.js';

// Tokens and tags only: no task or annotation id, and the text split into tokens.
describeFormatSuite(conll2003, { promises: { taskIds: false, annotationIds: false } });

const TWO_CONTROLS = `<View>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="LOC"/></Labels>
  <Labels name="misc" toName="text"><Label value="DATE"/></Labels>
  <Choices name="sentiment" toName="text"><Choice value="pos"/></Choices>
  <Text name="text" value="$text"/>
</View>`;

const ONE_CONTROL = `<View>
  <Labels name="label" toName="text"><Label value="PER"/><Label value="LOC"/><Label value="ORG"/></Labels>
  <Text name="text" value="$text"/>
</View>`;

function region(id: string, fromName: string, start: number, end: number, label: string) {
  return { id, from_name: fromName, to_name: 'text', type: 'labels', value: { start, end, labels: [label] } };
}

async function run(
  config: string,
  tasks: unknown[],
  compat: CompatMode,
  options: Record<string, unknown> = {},
) {
  const sink = memorySink();
  const report = await runExport({
    format: conll2003,
    tasks: arrayTaskSource(tasks),
    config: parseLabelConfig(config),
    sink,
    compat,
    options,
  });
  return { text: sink.text('result.conll'), report };
}

function lines(text: string): string[] {
  return text.split('\n');
}

describe('CONLL2003 output', () => {
  const text = 'Anna met Bob in Rome on Monday.';
  const task = {
    id: 1,
    data: { text },
    annotations: [
      {
        id: 10,
        completed_by: 1,
        result: [
          region('m', 'misc', 24, 30, 'DATE'),
          region('a', 'ner', 0, 4, 'PER'),
          region('b', 'ner', 9, 12, 'PER'),
          region('r', 'ner', 16, 20, 'LOC'),
          { id: 's', from_name: 'sentiment', to_name: 'text', type: 'choices', value: { choices: ['pos'] } },
        ],
      },
    ],
  };

  it('python mode: three-column header and only the first Labels group of the annotation', async () => {
    const { text: out, report } = await run(TWO_CONTROLS, [task], 'python');
    expect(lines(out)[0]).toBe(PYTHON_DOCSTART);
    // "misc" comes first in the result list, so the reference takes it and drops "ner".
    expect(lines(out).slice(1)).toEqual([
      'Anna -X- _ O',
      'met -X- _ O',
      'Bob -X- _ O',
      'in -X- _ O',
      'Rome -X- _ O',
      'on -X- _ O',
      'Monday -X- _ B-DATE',
      '. -X- _ O',
      '',
      '',
    ]);
    const counts = report.countsByCode();
    expect(counts['other-labels-control']).toBe(3);
    expect(counts['not-a-span']).toBe(1);
  });

  it('default mode: spaCy header and every Labels control', async () => {
    const { text: out, report } = await run(TWO_CONTROLS, [task], 'default');
    expect(lines(out).slice(0, 2)).toEqual([SPACY_DOCSTART, '']);
    expect(
      lines(out)
        .slice(2, 10)
        .map((l) => l.split(' ').at(-1)),
    ).toEqual(['B-PER', 'O', 'B-PER', 'O', 'B-LOC', 'O', 'B-DATE', 'O']);
    expect(report.regionsWritten).toBe(4);
    expect(report.countsByCode()['other-labels-control']).toBeUndefined();
  });

  it('--labels-control picks one control and reports the others', async () => {
    const { text: out, report } = await run(TWO_CONTROLS, [task], 'default', { labelsControl: 'ner' });
    expect(
      lines(out)
        .slice(2, 10)
        .map((l) => l.split(' ').at(-1)),
    ).toEqual(['B-PER', 'O', 'B-PER', 'O', 'B-LOC', 'O', 'O', 'O']);
    expect(report.countsByCode()['other-labels-control']).toBe(1);
  });

  it('--labels-control also applies with --compat python', async () => {
    const { text: out } = await run(TWO_CONTROLS, [task], 'python', { labelsControl: 'ner' });
    expect(
      lines(out)
        .slice(1, 9)
        .map((l) => l.split(' ').at(-1)),
    ).toEqual(['B-PER', 'O', 'B-PER', 'O', 'B-LOC', 'O', 'O', 'O']);
  });

  it('refuses a --labels-control that is not a Labels control', async () => {
    await expect(run(TWO_CONTROLS, [task], 'default', { labelsControl: 'sentiment' })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
  });

  it('default mode keeps a label that starts inside a token and reports overlaps', async () => {
    const t = {
      id: 2,
      data: { text: 'The NewYork-based firm' },
      annotations: [
        {
          id: 1,
          result: [
            region('a', 'label', 7, 11, 'LOC'),
            region('b', 'label', 4, 22, 'ORG'),
            region('c', 'label', 18, 22, 'ORG'),
          ],
        },
      ],
    };
    const python = await run(ONE_CONTROL, [t], 'python');
    expect(lines(python.text).slice(1, 4)).toEqual([
      'The -X- _ O',
      'NewYork-based -X- _ B-ORG',
      'firm -X- _ I-ORG',
    ]);
    expect(python.report.countsByCode()['span-not-tagged']).toBe(2);

    const fixed = await run(ONE_CONTROL, [t], 'default');
    expect(lines(fixed.text).slice(2, 6)).toEqual([
      'The -X- _ O',
      'NewYork-based -X- _ B-ORG',
      'firm -X- _ I-ORG',
      '',
    ]);
    expect(fixed.report.countsByCode()['overlapping-span']).toBe(2);

    const alone = await run(
      ONE_CONTROL,
      [{ ...t, annotations: [{ id: 1, result: [region('a', 'label', 7, 11, 'LOC')] }] }],
      'default',
    );
    expect(lines(alone.text).slice(2, 7)).toEqual([
      'The -X- _ O',
      'New -X- _ O',
      'York -X- _ B-LOC',
      '-based -X- _ O',
      'firm -X- _ O',
    ]);
  });

  it('reports a task whose text is missing instead of failing', async () => {
    const { text: out, report } = await run(
      ONE_CONTROL,
      [{ id: 3, data: { other: 'x' }, annotations: [] }],
      'default',
    );
    expect(out).toBe(`${SPACY_DOCSTART}\n\n`);
    expect(report.countsByCode()['missing-text']).toBe(1);
  });

  it('python mode tags nothing when a span lacks offsets, and says so', async () => {
    const t = {
      id: 4,
      data: { text: 'Anna sings' },
      annotations: [
        {
          id: 1,
          result: [
            region('a', 'label', 0, 4, 'PER'),
            { id: 'b', from_name: 'label', to_name: 'text', type: 'labels', value: { labels: ['PER'] } },
          ],
        },
      ],
    };
    const python = await run(ONE_CONTROL, [t], 'python');
    expect(lines(python.text).slice(1, 3)).toEqual(['Anna -X- _ O', 'sings -X- _ O']);
    expect(python.report.countsByCode()['missing-offsets']).toBe(2);
    const fixed = await run(ONE_CONTROL, [t], 'default');
    expect(lines(fixed.text).slice(2, 4)).toEqual(['Anna -X- _ B-PER', 'sings -X- _ O']);
    expect(fixed.report.countsByCode()['missing-offsets']).toBe(1);
  });

  it('default output reads like spacy convert expects: one delimiter, same column count, valid IOB', async () => {
    const { text: out } = await run(TWO_CONTROLS, [task, { ...task, id: 2 }], 'default');
    const docs = out.trim().split(SPACY_DOCSTART);
    expect(docs.length).toBe(2);
    expect(docs[0]).toBe('');
    const sentences = (docs[1] ?? '').trim().split('\n\n');
    expect(sentences.length).toBe(2);
    for (const sentence of sentences) {
      const cols = sentence.split('\n').map((l) => l.trim().split(/\s+/));
      expect(new Set(cols.map((c) => c.length))).toEqual(new Set([4]));
      for (const c of cols) expect(c.at(-1)).toMatch(/^(O|[BI]-\S+)$/);
    }
  });
});

describe('CONLL2003 keeps its columns whatever the labels and offsets', () => {
  const config = ONE_CONTROL;
  const labelled = (text: string, result: unknown[]) => ({
    id: 7,
    data: { text },
    annotations: [{ id: 1, result }],
  });
  const withLabels = (labels: unknown[]) => ({
    id: 'r',
    from_name: 'label',
    to_name: 'text',
    type: 'labels',
    value: { start: 0, end: 4, labels },
  });

  for (const compat of ['default', 'python'] as const) {
    it(`${compat}: refuses labels with white space or control characters, naming them`, async () => {
      for (const label of ['New York', 'Car\nPedestrian', 'tab\there', 'bell\u0007', '']) {
        const { text, report } = await run(config, [labelled('Anna sings', [withLabels([label])])], compat);
        // Every line keeps its four columns and no tag holds the label.
        for (const line of lines(text).filter((l) => l !== '' && !l.startsWith('-DOCSTART-')))
          expect(line.split(' '), JSON.stringify(label)).toHaveLength(4);
        expect(text).not.toContain(label === '' ? 'B- ' : label);
        expect(report.countsByCode()['label-not-a-tag'], JSON.stringify(label)).toBe(1);
        expect(report.entries()[0]?.reason).toContain(JSON.stringify(label));
      }
    });

    it(`${compat}: skips a text with a -DOCSTART- token, which readers take for a boundary`, async () => {
      const { text, report } = await run(
        config,
        [labelled('Anna said -DOCSTART- twice', [region('a', 'label', 0, 4, 'PER')])],
        compat,
      );
      expect(text.split('\n').filter((l) => l.startsWith('-DOCSTART-'))).toHaveLength(1);
      expect(report.countsByCode()['docstart-token']).toBe(1);
    });
  }

  it('writes a label that is not a string as Python prints it, not "[object Object]"', async () => {
    const { text } = await run(config, [labelled('Anna sings', [withLabels([{ a: 1 }])])], 'python');
    expect(text).not.toContain('[object Object]');
    // Python's str() of a dict holds spaces, so the label is refused rather than breaking the line.
    const plain = await run(config, [labelled('Anna sings', [withLabels([42])])], 'python');
    expect(lines(plain.text)[1]).toBe('Anna -X- _ B-42');
  });

  it('skips spans outside the text by default; compat python cuts them and warns', async () => {
    const task = labelled('Anna sings', [region('a', 'label', -5, 1e9, 'PER')]);
    const fixed = await run(config, [task], 'default');
    expect(fixed.report.countsByCode()['span-out-of-range']).toBe(1);
    expect(lines(fixed.text).slice(2, 4)).toEqual(['Anna -X- _ O', 'sings -X- _ O']);
    const python = await run(config, [task], 'python');
    expect(python.report.warnings.join('\n')).toMatch(/outside the text/);
  });
});

describe('CONLL2003 writes', () => {
  it('go out in pieces of about 32 KB, never one string of many tasks', async () => {
    const sink = memorySink();
    const { sink: watched, sizes } = writeSizes(sink);
    const text = 'Alice met Bob in Paris. '.repeat(20);
    const tasks = Array.from({ length: 2000 }, (_, i) => ({
      id: i + 1,
      data: { text },
      annotations: [{ id: i + 1, result: [region('a', 'label', 0, 5, 'PER')] }],
    }));
    await runExport({
      format: conll2003,
      tasks: arrayTaskSource(tasks),
      config: parseLabelConfig(ONE_CONTROL),
      sink: watched,
      compat: 'default',
    });
    expect(sink.text('result.conll').length).toBeGreaterThan(300_000);
    expect(Math.max(...sizes)).toBeLessThan(40_000);
  });
});
