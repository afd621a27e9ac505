import type * as YamlModule from 'yaml';

/**
 * YAML read the way the CodeDeploy agent reads appspec.yml: Ruby's Psych (libyaml) through
 * `YAML.load`, which on Ruby >= 3.1 (Psych 4) is a safe load that refuses aliases, dates, times,
 * symbols and object tags. Plain scalars are typed by Psych's own rules (YAML 1.1 with Ruby's
 * twists: `0644` is the octal 420, `1,000` is 1000, `1:30` is 90, `y`/`n` stay strings), so the
 * checks that follow see the values the agent's Ruby code sees. The `yaml` package does the
 * syntax; only the typing of scalars and the refusals are ours (internal, not exported).
 */

/** Loaded on first use: most apps never read or render an AppSpec. */
let yamlModule: typeof YamlModule | undefined;
export function yamlLib(): typeof YamlModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  yamlModule ??= require('yaml') as typeof YamlModule;
  return yamlModule;
}

/** A value as Ruby holds it after Psych loads it, with the line it came from (1-based). */
export type RNode =
  | { readonly kind: 'str'; readonly value: string; readonly line: number; readonly plain?: string }
  | { readonly kind: 'int'; readonly value: number; readonly line: number; readonly plain?: string }
  | { readonly kind: 'float'; readonly value: number; readonly line: number; readonly plain?: string }
  | { readonly kind: 'bool'; readonly value: boolean; readonly line: number; readonly plain?: string }
  | { readonly kind: 'nil'; readonly line: number; readonly plain?: string }
  | { readonly kind: 'seq'; readonly items: RNode[]; readonly line: number }
  | { readonly kind: 'map'; readonly entries: Array<[RNode, RNode]>; readonly line: number };

/** One problem, with the line it is on (0 when it concerns the whole file). */
export interface YamlProblem {
  readonly line: number;
  readonly message: string;
}

export interface PsychLoad {
  /** The first document as Ruby sees it; undefined when the agent's loader would raise. */
  readonly root?: RNode;
  /** Problems that make the agent's loader raise (the file is rejected). */
  readonly errors: YamlProblem[];
  /** Things the agent reads without complaint but we refuse on purpose (see each message). */
  readonly strict: YamlProblem[];
}

// Psych 4's ScalarScanner, as regular expressions (the rules, in its order of precedence).
const TIME = /^-?\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|\s+)\d{1,2}:\d\d:\d\d(?:\.\d*)?(?:\s*(?:Z|[-+]\d{1,2}:?(?:\d\d)?))?$/;
const DATE = /^\d{4}-(?:1[012]|0\d|\d)-(?:[12]\d|3[01]|0\d|\d)$/;
const FLOAT = /^(?:[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?)$/;
const INTEGER = /^(?:[-+]?0b[0-1_,]+|[-+]?0[0-7_,]+|[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)|[-+]?0x[0-9a-fA-F_,]+)$/;
const STRINGISH = /^[^\d.:-]?[A-Za-z_\s!@#$%^&*(){}<>|/\\~;=]+/;
const SEXAGESIMAL_INT = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}$/;
const SEXAGESIMAL_FLOAT = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}\.[0-9_]*$/;

type Scalar = { kind: 'str'; value: string } | { kind: 'int' | 'float'; value: number } | { kind: 'bool'; value: boolean } | { kind: 'nil' }
| { kind: 'refused'; what: string };

/** How Psych types a plain (unquoted, untagged) scalar. */
export function psychScalar(text: string): Scalar {
  if (text === '') {
    return { kind: 'nil' };
  }
  if (STRINGISH.test(text) || text.includes('\n')) {
    if (text.length > 5 || /^[^ytonf~]/i.test(text)) {
      return { kind: 'str', value: text };
    }
    if (text === '~' || /^null$/i.test(text)) {
      return { kind: 'nil' };
    }
    if (/^(yes|true|on)$/i.test(text)) {
      return { kind: 'bool', value: true };
    }
    if (/^(no|false|off)$/i.test(text)) {
      return { kind: 'bool', value: false };
    }
    return { kind: 'str', value: text };
  }
  if (TIME.test(text)) {
    return { kind: 'refused', what: `the time ${text} (Psych 4 refuses to load Time values)` };
  }
  if (DATE.test(text)) {
    // Psych 4 asks its restricted class loader for Date before it checks the date is real.
    return { kind: 'refused', what: `the date ${text} (Psych 4 refuses to load Date values)` };
  }
  if (/^\+?\.inf$/i.test(text)) {
    return { kind: 'float', value: Infinity };
  }
  if (/^-\.inf$/i.test(text)) {
    return { kind: 'float', value: -Infinity };
  }
  if (/^\.nan$/i.test(text)) {
    return { kind: 'float', value: NaN };
  }
  if (/^:./.test(text)) {
    return { kind: 'refused', what: `the symbol ${text} (Psych reads it as a Ruby Symbol, which the agent cannot use as a string)` };
  }
  if (SEXAGESIMAL_INT.test(text)) {
    return { kind: 'int', value: sexagesimal(text) };
  }
  if (SEXAGESIMAL_FLOAT.test(text)) {
    return { kind: 'float', value: sexagesimal(text) };
  }
  if (FLOAT.test(text)) {
    if (/^[-+]?\.$/.test(text)) {
      return { kind: 'str', value: text };
    }
    const cleaned = text.replace(/[,_]|\.([Ee]|$)/g, '$1');
    const n = rubyFloat(cleaned);
    return n === undefined ? { kind: 'refused', what: `the number ${text} (Psych raises on it)` } : { kind: 'float', value: n };
  }
  if (INTEGER.test(text)) {
    return { kind: 'int', value: rubyInteger(text.replace(/[,_]/g, '')) };
  }
  return { kind: 'str', value: text };
}

function sexagesimal(text: string): number {
  // Psych: each part's to_i (to_f) times 60 ** |index - 2| (so "1:30" is 1 h 30 min in seconds).
  let total = 0;
  text.split(':').forEach((part, e) => {
    const m = /^[-+]?\d[\d_]*(\.[\d_]*)?/.exec(part);
    total += (m ? parseFloat(m[0].replace(/_/g, '')) : 0) * 60 ** Math.abs(e - 2);
  });
  return total;
}

/** Ruby's Kernel#Float on a cleaned decimal literal (undefined where it raises). */
function rubyFloat(text: string): number | undefined {
  // Kernel#Float wants digits before and after a decimal point.
  if (!/^[-+]?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    return /^[-+]?\d+$/.test(text) ? Number(text) : undefined;
  }
  return Number(text);
}

/** Ruby's Kernel#Integer on an integer literal with its 0b / 0 / 0x prefixes. */
function rubyInteger(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const t = text.replace(/^[-+]/, '');
  if (/^0b/i.test(t)) {
    return sign * parseInt(t.slice(2), 2);
  }
  if (/^0x/i.test(t)) {
    return sign * parseInt(t.slice(2), 16);
  }
  if (/^0\d/.test(t)) {
    return sign * parseInt(t.slice(1), 8);
  }
  return sign * parseInt(t, 10);
}

const CORE_TAG = 'tag:yaml.org,2002:';

/**
 * Loads the first YAML document like Psych 4's `YAML.load`. Also reports, as `strict`, what Psych
 * accepts but a revision should not contain: duplicate keys (Ruby keeps the last), more than one
 * document (the agent reads the first).
 */
export function loadLikePsych(content: string): PsychLoad {
  const Y = yamlLib();
  const errors: YamlProblem[] = [];
  const strict: YamlProblem[] = [];
  let text = content;
  if (text.startsWith('\uFEFF')) {
    // libyaml, handed the agent's UTF-8 string with its byte-order mark, reads the first line only.
    const firstLine = text.slice(1).split(/\r\n|\r|\n/)[0];
    strict.push({
      line: 1,
      message: 'the file starts with a UTF-8 byte-order mark; the agent then reads only its first line, so everything after line 1 would be ignored. Save it as UTF-8 without BOM.',
    });
    text = firstLine + '\n';
  }
  // libyaml takes a lone carriage return as a line break; the yaml package only \r\n.
  text = text.replace(/\r(?!\n)/g, '\n');
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n') {
      lineStarts.push(i + 1);
    }
  }
  const lineOf = (offset: number | undefined): number => {
    if (offset === undefined) {
      return 0;
    }
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi + 1) / 2);
      if (lineStarts[mid] <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo + 1;
  };

  let docs: YamlModule.Document.Parsed[];
  try {
    docs = Y.parseAllDocuments(text, { version: '1.1', schema: 'failsafe', uniqueKeys: false, prettyErrors: false }) as YamlModule.Document.Parsed[];
  } catch (e) {
    return { errors: [{ line: 0, message: `not readable as YAML: ${(e as Error).message.split('\n')[0]}` }], strict };
  }
  if (!Array.isArray(docs)) {
    // parseAllDocuments returns an EmptyStream for a file of comments and blank lines only.
    return { root: { kind: 'bool', value: false, line: 0 }, errors, strict };
  }
  if (docs.length === 0) {
    return { root: { kind: 'bool', value: false, line: 0 }, errors, strict };
  }
  const doc = docs[0];
  for (const e of doc.errors) {
    errors.push({ line: lineOf(e.pos?.[0]), message: `YAML syntax error: ${e.message.split('\n')[0]}` });
  }
  if (errors.length > 0) {
    return { errors, strict };
  }
  if (docs.length > 1) {
    strict.push({
      line: lineOf(docs[1].range?.[0]),
      message: 'the file holds more than one YAML document (a second "---"); the agent reads only the first and ignores the rest. Keep one document.',
    });
  }

  const convert = (node: unknown): RNode => {
    if (node === null || node === undefined) {
      return { kind: 'nil', line: 0 };
    }
    const n = node as any;
    const line = lineOf(n.range?.[0]);
    if (Y.isAlias(node)) {
      errors.push({
        line,
        message: `the alias *${n.source} makes the agent's YAML loader fail on Ruby 3.1 and later (Psych 4 refuses aliases); write the value out instead of referring to an anchor.`,
      });
      return { kind: 'nil', line };
    }
    const tag: string | undefined = n.tag;
    if (tag === `${CORE_TAG}binary` && Y.isScalar(node)) {
      return { kind: 'str', value: Buffer.from(String(n.value ?? ''), 'base64').toString('latin1'), line };
    }
    if (tag && ![`${CORE_TAG}str`, `${CORE_TAG}int`, `${CORE_TAG}float`, `${CORE_TAG}bool`, `${CORE_TAG}null`, `${CORE_TAG}seq`, `${CORE_TAG}map`].includes(tag)) {
      errors.push({ line, message: `the tag ${tag.replace(CORE_TAG, '!!')} makes the agent's YAML loader fail (Psych's safe load refuses it); remove the tag.` });
      return { kind: 'nil', line };
    }
    if (Y.isMap(node)) {
      const entries: Array<[RNode, RNode]> = [];
      const seen = new Map<string, number>();
      for (const pair of n.items as any[]) {
        const key = convert(pair.key);
        const value = convert(pair.value);
        const keyLine = lineOf(pair.key?.range?.[0]) || line;
        if (key.kind === 'str' && key.value === '<<' && (pair.key as any)?.type === 'PLAIN' && value.kind === 'map') {
          // A merge key (Psych merges the mapping into this one).
          for (const [k, v] of value.entries) {
            setEntry(entries, k, v);
          }
          continue;
        }
        const id = keyId(key);
        if (id !== undefined) {
          if (seen.has(id)) {
            strict.push({
              line: keyLine,
              message: `the key ${JSON.stringify(rubyToS(key))} appears twice in one mapping (lines ${seen.get(id)} and ${keyLine}); the agent silently keeps the last value. Remove one.`,
            });
          }
          seen.set(id, keyLine);
        }
        setEntry(entries, key, value);
      }
      return { kind: 'map', entries, line };
    }
    if (Y.isSeq(node)) {
      return { kind: 'seq', items: (n.items as unknown[]).map(convert), line };
    }
    if (Y.isScalar(node)) {
      const raw = String(n.value ?? '');
      let scalar: Scalar;
      if (tag === `${CORE_TAG}str` || (tag === undefined && n.type !== 'PLAIN')) {
        scalar = { kind: 'str', value: raw };
      } else {
        scalar = psychScalar(raw);
        if (tag === `${CORE_TAG}int` || tag === `${CORE_TAG}float`) {
          if (scalar.kind !== 'int' && scalar.kind !== 'float') {
            errors.push({ line, message: `${JSON.stringify(raw)} tagged ${tag.replace(CORE_TAG, '!!')} is not a number Psych can read.` });
            return { kind: 'nil', line };
          }
        }
      }
      if (scalar.kind === 'refused') {
        errors.push({ line, message: `${scalar.what}; the agent fails on it. Quote the value to make it a string.` });
        return { kind: 'nil', line };
      }
      return { ...scalar, line, plain: tag === undefined && n.type === 'PLAIN' ? raw : undefined } as RNode;
    }
    return { kind: 'nil', line };
  };
  const root = convert(doc.contents);
  if (errors.length > 0) {
    return { errors, strict };
  }
  if (doc.contents === null) {
    // An empty document: Psych's load returns false (a file of blank lines) or nil.
    return { root: { kind: 'bool', value: false, line: 0 }, errors, strict };
  }
  return { root, errors, strict };
}

function keyId(key: RNode): string | undefined {
  switch (key.kind) {
    case 'str': return `s:${key.value}`;
    case 'int': case 'float': return `n:${key.value}`;
    case 'bool': return `b:${key.value}`;
    case 'nil': return 'nil';
    default: return undefined;
  }
}

/** Ruby Hash#[]= : a key already present keeps its position and takes the new value. */
function setEntry(entries: Array<[RNode, RNode]>, key: RNode, value: RNode): void {
  const id = keyId(key);
  const i = id === undefined ? -1 : entries.findIndex(([k]) => keyId(k) === id);
  if (i >= 0) {
    entries[i] = [entries[i][0], value];
  } else {
    entries.push([key, value]);
  }
}

/** `hash['key']` in Ruby: the value of the String key, or undefined when absent. */
export function rget(node: RNode | undefined, key: string): RNode | undefined {
  if (node?.kind !== 'map') {
    return undefined;
  }
  return node.entries.find(([k]) => k.kind === 'str' && k.value === key)?.[1];
}

/** Ruby's `to_s` of a scalar (how the agent turns most values into strings). */
export function rubyToS(node: RNode): string {
  switch (node.kind) {
    case 'str': return node.value;
    case 'int': return String(node.value);
    case 'float': return rubyFloatToS(node.value);
    case 'bool': return String(node.value);
    case 'nil': return '';
    case 'seq': return `[${node.items.map((i) => rubyInspect(i)).join(', ')}]`;
    case 'map': return `{${node.entries.map(([k, v]) => `${rubyInspect(k)}=>${rubyInspect(v)}`).join(', ')}}`;
  }
}

function rubyInspect(node: RNode): string {
  if (node.kind === 'str') {
    return JSON.stringify(node.value);
  }
  return node.kind === 'nil' ? 'nil' : rubyToS(node);
}

function rubyFloatToS(v: number): string {
  if (Number.isNaN(v)) {
    return 'NaN';
  }
  if (!Number.isFinite(v)) {
    return v > 0 ? 'Infinity' : '-Infinity';
  }
  if (Number.isInteger(v) && Math.abs(v) < 1e16) {
    return `${v}.0`;
  }
  const s = String(v);
  return s.includes('e') ? s.replace(/e\+?/, s.includes('.') ? 'e+' : '.0e+').replace('e+-', 'e-') : s;
}

/** Ruby's String#to_i: the leading integer after optional whitespace (0 when there is none). */
export function rubyStringToI(s: string): number {
  const m = /^\s*([-+]?\d+(?:_\d+)*)/.exec(s);
  return m ? parseInt(m[1].replace(/_/g, ''), 10) : 0;
}

/** Ruby truthiness: everything but nil and false. */
export function truthy(node: RNode | undefined): boolean {
  return node !== undefined && node.kind !== 'nil' && !(node.kind === 'bool' && !node.value);
}

/** A description of the node's Ruby class, for messages. */
export function rubyClass(node: RNode): string {
  return { str: 'a string', int: 'an integer', float: 'a float', bool: node.kind === 'bool' && node.value ? 'true' : 'false', nil: 'nothing', seq: 'a list', map: 'a mapping' }[node.kind];
}

/**
 * Renders a plain object as YAML that Psych reads back to the same values: every string that
 * Psych would type as something else (`644`, `yes`, `2024-01-31`, `:root`, `1:30`) or that YAML
 * would read as syntax (`**`, `&x`), and any that starts with a digit, sign, dot or colon or is a
 * YAML 1.1 boolean word, is double-quoted; numbers and booleans stay as they are.
 * `plainStrings` are written unquoted (number tokens, which must resolve to numbers).
 */
export function psychSafeYaml(value: unknown, plainStrings: Set<string> = new Set()): string {
  const Y = yamlLib();
  const doc = new Y.Document(value, { version: '1.1' });
  Y.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && plainStrings.has(node.value)) {
        node.type = 'PLAIN';
      } else if (typeof node.value === 'string') {
        const typed = psychScalar(node.value);
        // Also quoted: what another YAML 1.1 parser might type (1.4.0 matches the spec's float
        // pattern; y and n are its booleans), since not every reader of an AppSpec is Psych.
        const plainIsSame = typed.kind === 'str' && typed.value === node.value && node.value.trim() === node.value
          && !/^[*&!|>%@`'"#,[\]{}?:+.\d-]|: | #|^$/.test(node.value) && !/^(y|n|yes|no|on|off|true|false|null)$/i.test(node.value);
        if (!plainIsSame) {
          node.type = 'QUOTE_DOUBLE';
        }
      }
    },
  });
  return doc.toString({ lineWidth: 0 });
}
