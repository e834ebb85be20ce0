import { createRequire } from 'node:module';
import { LsconvError } from './errors.js';
import { CharRefError, decodeCharRefs } from './xml-char-refs.js';

// The parser's CommonJS build is one bundled file: it loads in a few milliseconds, where its
// ES module build is some thirty files (and the XML builder, never used here) that take
// several times as long, at the start of every command that reads a labeling config.
const { XMLParser, XMLValidator } = createRequire(import.meta.url)(
  'fast-xml-parser',
) as typeof import('fast-xml-parser');

/** An object tag: something that shows task data (`Image`, `Text`, `Audio`…). */
export interface ObjectTag {
  /** The tag's `name`. */
  readonly name: string;
  /** The tag as written (`Image`, `HyperText`…). */
  readonly type: string;
  /** The data key it reads (`$image` → `image`), when it uses `value`. */
  readonly value?: string;
  /** The data key of a list of values (multi-image), when it uses `valueList`. */
  readonly valueList?: string;
  /** `valueType`, or null. */
  readonly valueType: string | null;
  /** Every XML attribute as written. */
  readonly attrs: Readonly<Record<string, string>>;
}

/** A control tag: something that produces results (`RectangleLabels`, `Choices`…). */
export interface ControlTag {
  /** The tag's `name`: results carry it as `from_name`. */
  readonly name: string;
  /** The tag as written (`RectangleLabels`, `Choices`…). */
  readonly type: string;
  /** The `toName` list. */
  readonly toName: readonly string[];
  /** The object tags of `toName` that exist in the config. */
  readonly inputs: readonly ObjectTag[];
  /** Label values (`alias` or `value`) of its `Label`/`Choice`/`Relation` children, in order. */
  readonly labels: readonly string[];
  /** Every XML attribute of each label (`category`, `model_index`, `background`…). */
  readonly labelsAttrs: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Every XML attribute of the control as written. */
  readonly attrs: Readonly<Record<string, string>>;
  /** Repeater variables in its `toName` (`{{idx}}` → `.*`). */
  readonly regex?: Readonly<Record<string, string>>;
  /** `perRegion` conditions. */
  readonly conditionals?: { readonly type: 'tag' | 'label' | 'choice'; readonly name: string };
  /** Labels come from task data or an API. */
  readonly dynamicLabels: boolean;
}

/** A parsed labeling config. */
export interface LabelConfig {
  /** The XML text. */
  readonly xml: string;
  /** Control tags by name, in document order. */
  readonly controls: ReadonlyMap<string, ControlTag>;
  /** Object tags by name, in document order. */
  readonly objects: ReadonlyMap<string, ObjectTag>;
  /** The distinct data keys the controls' inputs read, in document order. */
  readonly dataKeys: readonly string[];
  /**
   * The control a result's `from_name` belongs to: an exact name, else the longest
   * Repeater pattern that matches (`label_{{idx}}` for `label_3`).
   */
  matchControl(fromName: string): ControlTag | undefined;
}

/** Where the config came from, for messages. */
export interface ConfigOrigin {
  file?: string;
}

const LABEL_TAGS = new Set(['Label', 'Choice', 'Relation']);
const NOT_CONTROL_TAGS = new Set(['Filter']);
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** An empty config: formats that need no config (JSON, JSON_MIN, CSV) still work. */
export function emptyLabelConfig(): LabelConfig {
  return buildConfig('', [], []);
}

/**
 * Parses a labeling config the way Label Studio's server does (`parse_config` of
 * label_studio_tools): controls are tags with `name` and `toName`, objects are tags
 * with `name` and `value`/`valueList`, labels attach to the nearest control ancestor.
 * DOCTYPE declarations are refused, so entity bombs cannot expand.
 */
export function parseLabelConfig(xml: string, origin: ConfigOrigin = {}): LabelConfig {
  const loc = { file: origin.file };
  if (xml.length > MAX_CONFIG_BYTES) {
    throw new LsconvError('CONFIG_PARSE', `labeling config is larger than ${MAX_CONFIG_BYTES} bytes`, loc);
  }
  if (xml.trim() === '') return emptyLabelConfig();
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw new LsconvError('CONFIG_PARSE', 'labeling config contains a DOCTYPE or ENTITY declaration', {
      ...loc,
      hint: 'Label Studio configs never need one; remove it',
    });
  }
  // The parser knows the five predefined entities only; Label Studio (a browser's DOM)
  // and the Python converter (ElementTree) also decode `&#233;` and `&#xE9;`.
  let text: string;
  try {
    text = decodeCharRefs(xml);
  } catch (error) {
    if (!(error instanceof CharRefError)) throw error;
    throw new LsconvError('CONFIG_PARSE', `labeling config is not well-formed XML: ${error.message}`, {
      ...loc,
      hint: 'check the XML of the labeling config',
    });
  }
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: true });
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new LsconvError('CONFIG_PARSE', xmlErrorMessage(text, msg, line, col), {
      ...loc,
      hint: /^\s*[[{]/.test(text)
        ? 'this looks like JSON; give the XML of the labeling config (the Code view of Labeling Interface in the project settings)'
        : 'check the XML of the labeling config',
    });
  }
  let tree: XmlNode[];
  try {
    tree = new XMLParser({
      preserveOrder: true,
      ignoreAttributes: false,
      attributeNamePrefix: '',
      allowBooleanAttributes: true,
      parseAttributeValue: false,
      parseTagValue: false,
      processEntities: true,
      htmlEntities: false,
      trimValues: false,
    }).parse(text) as XmlNode[];
  } catch (error) {
    throw new LsconvError(
      'CONFIG_PARSE',
      `labeling config could not be parsed: ${(error as Error).message}`,
      {
        ...loc,
        cause: error,
      },
    );
  }
  const elements: XmlElement[] = [];
  collectElements(tree, [], elements);
  if (elements.length === 0) {
    throw new LsconvError('CONFIG_PARSE', 'labeling config has no XML element', loc);
  }
  return fromElements(xml, elements);
}

type XmlNode = Record<string, unknown>;
interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  ancestors: XmlElement[];
}

function collectElements(nodes: XmlNode[], ancestors: XmlElement[], out: XmlElement[]): void {
  for (const node of nodes) {
    for (const key of Object.keys(node)) {
      if (key === ':@' || key === '#text' || key.startsWith('?') || key.startsWith('!')) continue;
      const rawAttrs = (node[':@'] ?? {}) as Record<string, unknown>;
      const attrs: Record<string, string> = Object.create(null);
      for (const [name, value] of Object.entries(rawAttrs)) {
        attrs[name] = value === true ? '' : String(value);
      }
      const element: XmlElement = { tag: key, attrs, ancestors };
      out.push(element);
      const children = node[key];
      if (Array.isArray(children)) collectElements(children as XmlNode[], [...ancestors, element], out);
    }
  }
}

interface MutableControl {
  name: string;
  type: string;
  toName: string[];
  attrs: Record<string, string>;
  regex?: Record<string, string>;
  conditionals?: { type: 'tag' | 'label' | 'choice'; name: string };
  dynamicLabels: boolean;
  labelsAttrs: Record<string, Record<string, string>>;
}

function fromElements(xml: string, elements: XmlElement[]): LabelConfig {
  const controls = new Map<string, MutableControl>();
  const objects = new Map<string, ObjectTag>();
  const variables: string[] = [];
  for (const el of elements) {
    const { attrs } = el;
    if ('indexFlag' in attrs) variables.push(attrs.indexFlag ?? '');
    if (attrs.name && attrs.toName && !NOT_CONTROL_TAGS.has(el.tag)) {
      const control: MutableControl = {
        name: attrs.name,
        type: el.tag,
        toName: attrs.toName.split(','),
        attrs,
        dynamicLabels: /^\$[A-Za-z_]+$/.test(attrs.value ?? '') || Boolean(attrs.apiUrl),
        // Keyed by label text: no prototype, so `__proto__` or `constructor` are labels like any other.
        labelsAttrs: controls.get(attrs.name)?.labelsAttrs ?? Object.create(null),
      };
      for (const variable of variables) {
        if (control.toName.some((to) => to.includes(variable))) {
          control.regex ??= {};
          control.regex[variable] = '.*';
        }
      }
      if (attrs.perRegion === 'true') {
        if (attrs.whenTagName) control.conditionals = { type: 'tag', name: attrs.whenTagName };
        else if (attrs.whenLabelValue) control.conditionals = { type: 'label', name: attrs.whenLabelValue };
        else if (attrs.whenChoiceValue)
          control.conditionals = { type: 'choice', name: attrs.whenChoiceValue };
      }
      controls.set(attrs.name, control);
    } else if (attrs.name && (attrs.value || attrs.valueList)) {
      const object: ObjectTag = attrs.value
        ? {
            name: attrs.name,
            type: el.tag,
            value: stripDollar(attrs.value),
            valueType: attrs.valueType ?? null,
            attrs,
          }
        : {
            name: attrs.name,
            type: el.tag,
            valueList: stripDollar(attrs.valueList ?? ''),
            valueType: attrs.valueType ?? null,
            attrs,
          };
      objects.set(attrs.name, object);
    }
    if (!LABEL_TAGS.has(el.tag)) continue;
    for (let i = el.ancestors.length - 1; i >= 0; i--) {
      const parentName = el.ancestors[i]?.attrs.name;
      if (parentName === undefined || !controls.has(parentName)) continue;
      const key = attrs.alias || attrs.value || attrs.valueList;
      if (key) controls.get(parentName)!.labelsAttrs[key] = attrs;
      break;
    }
  }
  const finished: ControlTag[] = [];
  for (const control of controls.values()) {
    const inputs = control.toName.map((to) => objects.get(to)).filter((o): o is ObjectTag => o !== undefined);
    finished.push(freezeDeep({ ...control, inputs, labels: Object.keys(control.labelsAttrs) }));
  }
  return buildConfig(xml, finished, [...objects.values()]);
}

function buildConfig(xml: string, controlList: ControlTag[], objectList: ObjectTag[]): LabelConfig {
  const controls = new Map(controlList.map((c) => [c.name, c]));
  const objects = new Map(objectList.map((o) => [o.name, o]));
  const dataKeys: string[] = [];
  for (const control of controlList) {
    for (const input of control.inputs) {
      const key = input.value ?? input.valueList;
      if (key !== undefined && !dataKeys.includes(key)) dataKeys.push(key);
    }
  }
  const patterns: { control: ControlTag; pattern: string; regex: RegExp }[] = [];
  for (const control of controlList) {
    if (!control.regex) continue;
    let pattern = control.name;
    for (const [variable, regex] of Object.entries(control.regex))
      pattern = pattern.split(variable).join(regex);
    try {
      patterns.push({ control, pattern, regex: new RegExp(`^(?:${pattern})`) });
    } catch {
      // A name that is no valid pattern can only match exactly.
    }
  }
  const matchCache = new Map<string, ControlTag | undefined>();
  return Object.freeze({
    xml,
    controls,
    objects,
    dataKeys: Object.freeze(dataKeys),
    matchControl(fromName: string): ControlTag | undefined {
      const exact = controls.get(fromName);
      if (exact) return exact;
      if (patterns.length === 0) return undefined;
      if (matchCache.has(fromName)) return matchCache.get(fromName);
      let best: ControlTag | undefined;
      let bestLength = 0;
      for (const { control, pattern, regex } of patterns) {
        if (regex.test(fromName) && pattern.length > bestLength) {
          best = control;
          bestLength = pattern.length;
        }
      }
      if (matchCache.size < 10_000) matchCache.set(fromName, best);
      return best;
    },
  });
}

function stripDollar(value: string): string {
  return value.replace(/^\$+/, '');
}

function freezeDeep<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) freezeDeep(child);
  }
  return value;
}

/** The control types of a config, as a set. */
export function controlTypes(config: LabelConfig): Set<string> {
  return new Set([...config.controls.values()].map((c) => c.type));
}

/** The object types the controls point at, as a set (Text with `valueType="url"` left out, as the reference does). */
export function inputTypes(config: LabelConfig): Set<string> {
  const types = new Set<string>();
  for (const control of config.controls.values()) {
    for (const input of control.inputs) {
      if (input.type === 'Text' && input.valueType === 'url') continue;
      types.add(input.type);
    }
  }
  return types;
}

/** True when an object tag of the config reads a list of values (multi-image projects). */
export function hasValueList(config: LabelConfig): boolean {
  for (const control of config.controls.values()) {
    if (control.inputs.some((i) => i.valueList)) return true;
  }
  return false;
}

/**
 * A parser's complaint made readable: its words with any quoted excerpt collapsed and
 * shortened, the line and column, and that line of the config.
 */
function xmlErrorMessage(text: string, msg: string, line: number, col: number): string {
  const words = msg
    .replace(/'([^']*)'/g, (_, quoted: string) => {
      const flat = quoted.replace(/\s+/g, ' ').trim();
      return `'${flat.length > 30 ? `${flat.slice(0, 30)}…` : flat}'`;
    })
    .replace(/\.\s*$/, '');
  const source = (text.split(/\r?\n/)[line - 1] ?? '').trim();
  const shown = source.length > 60 ? `${source.slice(0, 60)}…` : source;
  return `labeling config is not well-formed XML at line ${line}, column ${col}: ${words}${shown ? ` (the line reads: ${shown})` : ''}`;
}
