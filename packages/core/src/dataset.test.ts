import { describe, expect, it } from 'vitest';
import { datasetStep, splitKey, stratifiedAssignment } from './dataset.js';
import {
  datasetPlan,
  parseAnnotationChoice,
  parseClassMap,
  parseRenames,
  parseSplitShares,
} from './dataset-options.js';
import { parseLabelConfig } from './label-config.js';
import { ConversionReport } from './report.js';
import type { Task } from './task.js';

const CONFIG = parseLabelConfig(
  '<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image"><Label value="a"/><Label value="b"/></RectangleLabels></View>',
);

const task = (id: number, image = `img/${id}.jpg`, annotations: unknown[] = []): Task =>
  ({ id, data: { image }, annotations }) as Task;

describe('dataset options', () => {
  it('reads class maps in every form, and refuses gaps, repeats and empty names with the file', () => {
    expect(parseClassMap('dog\ncat\n\n', 'classes.txt')).toEqual(['dog', 'cat']);
    expect(parseClassMap('names:\n  0: dog\n  1: cat\n', 'data.yaml')).toEqual(['dog', 'cat']);
    expect(parseClassMap('names: [dog, cat]\n', 'm.yaml')).toEqual(['dog', 'cat']);
    expect(parseClassMap('- dog\n- cat\n', 'm.yml')).toEqual(['dog', 'cat']);
    expect(parseClassMap('["dog","cat"]', 'm.json')).toEqual(['dog', 'cat']);
    expect(parseClassMap('{"cat": 1, "dog": 0}', 'm.json')).toEqual(['dog', 'cat']);
    expect(parseClassMap('{"1": "cat", "0": "dog"}', 'm.json')).toEqual(['dog', 'cat']);
    expect(() => parseClassMap('names:\n  0: dog\n  2: cat\n', 'gap.yaml')).toThrow(
      /gap\.yaml: class id 1 is missing/,
    );
    expect(() => parseClassMap('dog\ndog\n', 'twice.txt')).toThrow(/twice\.txt: class "dog" is listed twice/);
    expect(() => parseClassMap('{"dog": -1}', 'neg.json')).toThrow(/neg\.json/);
    expect(() => parseClassMap('names: [', 'bad.yaml')).toThrow(/bad\.yaml: not valid YAML or JSON/);
  });

  it('reads splits, renames and annotation choices, and says what it expected', () => {
    expect(parseSplitShares('train=8,val=2')).toEqual([
      { name: 'train', ratio: 0.8 },
      { name: 'val', ratio: 0.2 },
    ]);
    expect(() => parseSplitShares('train=0.8,val')).toThrow(/--split must be name=ratio pairs/);
    expect(() => parseSplitShares('../x=1')).toThrow(/--split/);
    expect(parseRenames('a=b, c=b')).toEqual([
      ['a', 'b'],
      ['c', 'b'],
    ]);
    expect(() => parseRenames('a=b,a=c')).toThrow(/each old label once/);
    expect(parseAnnotationChoice('by-annotator=me@x.org')).toEqual({ kind: 'by-annotator', who: 'me@x.org' });
    expect(() => parseAnnotationChoice('newest')).toThrow(/latest, first, ground-truth, all or by-annotator/);
    expect(datasetPlan({})).toBeUndefined();
    expect(() => datasetPlan({ stratify: true })).toThrow(/--stratify needs --split with ratios/);
    expect(() => datasetPlan({ classMapExtend: true })).toThrow(/--class-map-extend needs --class-map/);
  });
});

describe('the dataset step', () => {
  const report = () => new ConversionReport('T');
  const splitOf = (step: ReturnType<typeof datasetStep>, t: Task) =>
    (step.apply(t, 0, report()).meta as { split: string }).split;

  it('keeps every earlier task in its split when the project grows, whatever the order', () => {
    const plan = datasetPlan({ split: 'train=0.7,val=0.3', splitSeed: 's' })!;
    const step = datasetStep(plan, CONFIG);
    const before = Array.from({ length: 200 }, (_, i) => task(i));
    const first = new Map(before.map((t) => [t.id, splitOf(step, t)]));
    const grown = [...before.slice().reverse(), ...Array.from({ length: 100 }, (_, i) => task(1000 + i))];
    for (const t of grown) if (first.has(t.id)) expect(splitOf(step, t)).toBe(first.get(t.id));
    // Another seed gives another split; the same image in another task gives the same one.
    const other = datasetStep(datasetPlan({ split: 'train=0.7,val=0.3', splitSeed: 't' })!, CONFIG);
    expect(before.some((t) => splitOf(other, t) !== first.get(t.id))).toBe(true);
    expect(splitOf(step, task(5000, 'img/7.jpg'))).toBe(first.get(7));
    expect(splitKey(task(3, ''), CONFIG)).toBe('id:3');
    // A meta that is not an object is replaced by one holding the split.
    expect(step.apply({ ...task(4), meta: 'note' } as unknown as Task, 0, report()).meta).toEqual({
      split: first.get(4),
    });
  });

  it('deals each stratum out at the ratios', () => {
    const plan = datasetPlan({ split: 'train=0.75,val=0.25', stratify: true })!;
    const groups = new Map<string, Set<string>>();
    for (let i = 0; i < 40; i++) groups.set(`k${i}`, new Set([i < 8 ? 'rare' : 'common']));
    const assigned = new Map(stratifiedAssignment(plan, groups));
    const rare = [...assigned].filter(([k]) => Number(k.slice(1)) < 8);
    expect(rare.filter(([, s]) => s === 'val')).toHaveLength(2);
    expect([...assigned.values()].filter((s) => s === 'val')).toHaveLength(10);
  });

  it('reads a recorded split, and names a task without one', () => {
    const step = datasetStep(datasetPlan({ split: 'from-tasks' })!, CONFIG);
    expect(splitOf(step, { ...task(1), meta: { split: 'val' } } as Task)).toBe('val');
    expect(() => step.apply(task(2), 4, report())).toThrow(
      /task 2.*no recorded split \(meta\.split\)|no recorded split/,
    );
    const field = datasetStep(datasetPlan({ split: 'fold' })!, CONFIG);
    expect(splitOf(field, { ...task(3), data: { image: 'x', fold: 'f1' } } as Task)).toBe('f1');
    expect(() => field.apply({ ...task(4), data: { fold: '../up' } } as Task, 0, report())).toThrow(
      /not a name of letters/,
    );
  });

  it('chooses annotations by annotator id or e-mail and reports the others', () => {
    const annotations = [
      { id: 1, completed_by: 7, created_at: '2024-01-01', result: [] },
      { id: 2, completed_by: { id: 8, email: 'Ann@Example.com' }, created_at: '2024-01-02', result: [] },
      { id: 3, completed_by: 9, was_cancelled: true, result: [] },
    ];
    const r = report();
    const byId = datasetStep(datasetPlan({ annotation: 'by-annotator=7' })!, CONFIG).apply(
      task(1, 'x', annotations),
      0,
      r,
    );
    expect(byId.annotations!.map((a) => a.id)).toEqual([1, 3]);
    expect(r.countsByCode()['annotation-not-chosen']).toBe(1);
    const byMail = datasetStep(datasetPlan({ annotation: 'by-annotator=ann@example.com' })!, CONFIG).apply(
      task(1, 'x', annotations),
      0,
      report(),
    );
    expect(byMail.annotations!.map((a) => a.id)).toEqual([2, 3]);
    // Nobody's annotation: the task has nothing to export, rather than an empty list (an image without objects).
    const nobody = datasetStep(datasetPlan({ annotation: 'by-annotator=42' })!, CONFIG).apply(
      task(1, 'x', annotations),
      0,
      report(),
    );
    expect('annotations' in nobody).toBe(false);
  });

  it('renames labels in the regions and the config, and pins ids with the class map', () => {
    const region = {
      id: 'r',
      from_name: 'label',
      to_name: 'image',
      type: 'rectanglelabels',
      value: { rectanglelabels: ['a'] },
    };
    const plan = datasetPlan({ map: 'a=c', classMap: { text: 'b\nc\n', file: 'm.txt' } })!;
    const step = datasetStep(plan, CONFIG);
    const r = report();
    const out = step.apply(task(1, 'x', [{ result: [region] }]), 0, r);
    expect((out.annotations![0]!.result![0]!.value as { rectanglelabels: string[] }).rectanglelabels).toEqual(
      ['c'],
    );
    expect(r.tallyOf('--map a=c')).toBe(1);
    const control = step.config.controls.get('label')!;
    expect(control.labels).toEqual(['b', 'c']);
    expect(control.labelsAttrs.c!.category).toBe('1');
    const unknown = { ...region, value: { rectanglelabels: ['zebra'] } };
    expect(() => step.apply(task(2, 'x', [{ result: [unknown] }]), 3, report())).toThrow(
      /label "zebra" is not in the class map m\.txt/,
    );
  });
});
