import { type Item, parseLabelConfig, type Task, taskItems } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { CsvRowBuilder, csvAnnotator, decodeSpillRow, encodeSpillRow, type SpillRow } from './rows.js';

const config = parseLabelConfig(`<View>
  <Text name="doc" value="$text"/>
  <Choices name="text" toName="doc"><Choice value="pos"/><Choice value="neg"/></Choices>
  <Rating name="stars" toName="doc"/>
</View>`);

function itemsOf(tasks: Task[]): Item[] {
  return tasks.flatMap((task, taskIndex) => taskItems(task, { config, taskIndex }));
}

/** Builds the CSV text the way the exporter does (without the spill). */
function table(tasks: Task[], separator = ','): string {
  const builder = new CsvRowBuilder({ separator, escapeSlashes: false });
  const rows = itemsOf(tasks).map((item) => builder.row(item));
  const layout = builder.layout();
  return layout.header() + rows.map((r) => layout.line(r)).join('');
}

const choice = (from: string, value: string) => ({
  from_name: from,
  to_name: 'doc',
  type: 'choices',
  value: { choices: [value] },
});

describe('CsvRowBuilder + CsvLayout', () => {
  it('writes a sorted header, quoted names, and "" for missing cells, with \\r\\n', () => {
    const csv = table([
      {
        id: 1,
        data: { text: 'a' },
        annotations: [{ id: 10, completed_by: 3, result: [choice('text', 'pos')], lead_time: 2.5 }],
      },
      { id: 2, data: { text: 'b', extra: 7 }, annotations: [] },
    ]);
    expect(csv).toBe(
      '"_data_text","annotation_id","annotator","created_at","extra","id","lead_time","text","updated_at"\r\n' +
        '"a",10,"3","",""' +
        ',1,2.5,"pos",""\r\n' +
        '"b","","","",7,2,"","",""\r\n',
    );
  });

  it('renames a data key to _data_<key> in every row once any row has a control of that name', () => {
    // The first row has no "text" result: it is renamed anyway, because the second has one.
    const csv = table([
      { id: 1, data: { text: 'first' }, annotations: [] },
      { id: 2, data: { text: 'second' }, annotations: [{ id: 5, result: [choice('text', 'neg')] }] },
    ]);
    const [header, first, second] = csv.split('\r\n');
    expect(header).toBe(
      '"_data_text","annotation_id","annotator","created_at","id","lead_time","text","updated_at"',
    );
    expect(first).toBe('"first","","","",1,"","",""');
    expect(second).toBe('"second",5,"","",2,"","neg",""');
  });

  it('keeps data keys as they are when nothing collides', () => {
    const builder = new CsvRowBuilder({ separator: ',', escapeSlashes: false });
    builder.row(
      itemsOf([
        {
          id: 1,
          data: { text: 'x' },
          annotations: [{ result: [{ ...choice('stars', 'x'), type: 'rating', value: { rating: 3 } }] }],
        },
      ])[0]!,
    );
    expect(builder.collidingKeys().size).toBe(0);
    expect(builder.layout().columns).toContain('text');
    expect(builder.layout().columns).toContain('stars');
  });

  it('lets a data key named like a fixed column win or lose as in the reference record order', () => {
    // data.id overwrites the task id (data comes after id); data.annotator loses to the annotator.
    const csv = table([
      {
        id: 1,
        data: { id: 'data-id', annotator: 'data-annotator' },
        annotations: [{ completed_by: { email: 'a@b.c' } }],
      },
    ]);
    const [header, row] = csv.split('\r\n');
    expect(header).toBe('"annotation_id","annotator","created_at","id","lead_time","updated_at"');
    expect(row).toBe('"","a@b.c","","data-id","",""');
  });

  it('writes JSON for list and dict data, non-string results and history; history only when non-empty', () => {
    const csv = table([
      {
        id: 1,
        data: { text: 'x', meta: { tags: ['a', 'b'] }, list: [] },
        agreement: 50.5,
        annotations: [
          {
            id: 1,
            result: [{ from_name: 'stars', to_name: 'doc', type: 'rating', value: { rating: 4 } }],
            history: [{ action: 'submitted' }],
          },
        ],
      },
      { id: 2, data: { text: 'y' }, annotations: [{ id: 2, result: [], history: [] }] },
    ]);
    const [header, first, second] = csv.split('\r\n');
    expect(header).toBe(
      '"agreement","annotation_id","annotator","created_at","history","id","lead_time","list","meta","stars","text","updated_at"',
    );
    expect(first).toBe(
      '50.5,1,"","","[{""action"":""submitted""}]",1,"","[]","{""tags"":[""a"",""b""]}","[{""rating"":4}]","x",""',
    );
    expect(second).toBe('"",2,"","","",2,"","","","","y",""');
  });

  it('adds <name>_transcript for chat results, even without a config control', () => {
    const csv = table([
      {
        id: 1,
        data: {},
        annotations: [
          {
            result: [
              {
                from_name: 'chat',
                to_name: 'chat',
                type: 'chatmessage',
                value: { chatmessage: { role: 'user', content: 'hi, "you"' } },
              },
              {
                from_name: 'chat',
                to_name: 'chat',
                type: 'chatmessage',
                value: { chatmessage: { role: 'assistant', content: 'hello' } },
              },
            ],
          },
        ],
      },
    ]);
    const [header, row] = csv.split('\r\n');
    expect(header).toBe(
      '"annotation_id","annotator","chat","chat_transcript","created_at","id","lead_time","updated_at"',
    );
    expect(row).toBe(
      '"","","[{""role"":""user"",""content"":""hi, \\""you\\""""},{""role"":""assistant"",""content"":""hello""}]","user: hi, ""you""\nassistant: hello","",1,"",""',
    );
  });

  it('leaves the id column out for tasks without an id instead of failing', () => {
    const csv = table([{ data: { text: 'x' }, annotations: [] } as Task]);
    expect(csv.split('\r\n')[0]).toBe(
      '"annotation_id","annotator","created_at","lead_time","text","updated_at"',
    );
  });

  it('uses the separator between cells and quotes bare tokens holding it', () => {
    const csv = table([{ id: 1, data: { score: 0.5, ok: true, note: 'a;b\tc' }, annotations: [] }], ';');
    expect(csv.split('\r\n')[1]).toBe('"";"";"";1;"";"a;b\tc";True;0.5;""');
    const dotted = table([{ id: 1, data: { score: 0.5 }, annotations: [] }], '.');
    expect(dotted.split('\r\n')[1]).toBe('"".""."".1.""."0.5".""');
  });

  it('only writes the fixed columns for an empty export', () => {
    expect(table([])).toBe('"annotation_id","annotator","created_at","lead_time","updated_at"\r\n');
  });

  it('does not modify the items', () => {
    const tasks: Task[] = [
      {
        id: 1,
        data: { text: 'a', meta: { k: 1 } },
        annotations: [{ id: 1, result: [choice('text', 'pos')] }],
      },
    ];
    const before = structuredClone(tasks);
    table(tasks);
    expect(tasks).toEqual(before);
  });
});

describe('csvAnnotator', () => {
  it('is the email of an expanded user, else str() of the id', () => {
    expect(csvAnnotator({ id: 1, email: 'x@y.z' })).toBe('x@y.z');
    expect(csvAnnotator({ id: 1 })).toBe(null);
    expect(csvAnnotator(7)).toBe('7');
    expect(csvAnnotator(null)).toBe('None');
  });
});

describe('spill rows', () => {
  it('round-trip every string, with backslashes, newlines, NULs and empty parts', () => {
    const nasty = [
      '',
      '\\',
      '\\0',
      '\\n',
      '\n',
      '\u0000',
      'a\u0000b\nc\\d',
      '"{""a"": ""x\\""}"',
      '1,2',
      '\r\n',
      '日本',
    ];
    const rows: SpillRow[] = [
      [[], [], []],
      [['id', '1'], [], ['annotator', '""']],
      [nasty, ['text', nasty.join('')], nasty.slice().reverse()],
    ];
    for (const row of rows) {
      const line = encodeSpillRow(row);
      expect(line).not.toContain('\n');
      expect(decodeSpillRow(line)).toEqual(row);
    }
  });
});
