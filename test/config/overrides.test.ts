// The override grammar: every `parse_override` case of the Hydra conformance corpus (what Hydra 1.3.2's parser
// made of each line), the command-line values of the `cliv_*` compose cases, unit tests for the grammar's
// corners, hostile values that must round-trip unchanged, and a fuzz test that the parser never throws.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { toPlain, type ConfigNode, type KeyValue, type Plain } from '../../runner/config/nodes.js';
import { elementToString, keyElement, overrideToString, pyFloatRepr, pyIntStr, quoteOf } from '../../runner/config/overrides/format.js';
import { parseOverride, parseOverrides } from '../../runner/config/overrides/parser.js';
import { sweepValues } from '../../runner/config/overrides/sweep.js';
import { isSweep, type Override, type Sweep } from '../../runner/config/overrides/types.js';
import { fuzzSeed, withSeed } from '../infra/fuzz.js';

// Test files run as CommonJS under tsx (the package has no "type": "module"), so __dirname is defined.
const CORPUS = join(__dirname, '..', 'conformance', 'hydra');

interface CaseFile {
  kind: string;
  input?: string;
  overrides?: string[];
  expected?: Record<string, unknown>;
  expected_error?: { type: string; message: string };
  expected_json?: Record<string, unknown>;
}

function loadCases(kind: string): Array<[string, CaseFile]> {
  return readdirSync(CORPUS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => [d.name, JSON.parse(readFileSync(join(CORPUS, d.name, 'case.json'), 'utf8')) as CaseFile] as [string, CaseFile])
    .filter(([, c]) => c.kind === kind)
    .sort(([a], [b]) => a.localeCompare(b));
}

/** The corpus writes non-finite floats as {"__float__": "nan"}; turn them back into numbers. */
function decodeFloats(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeFloats);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.__float__ === 'string') return o.__float__ === 'nan' ? NaN : o.__float__ === 'inf' ? Infinity : -Infinity;
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decodeFloats(x)]));
  }
  return v;
}

/** Python's repr of a str. */
function pyStrRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch < ' ' || ch === '\x7f') out += '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + q;
}

function pyKeyRepr(k: KeyValue): string {
  if (typeof k === 'string') return pyStrRepr(k);
  if (typeof k === 'boolean') return k ? 'True' : 'False';
  return Number.isInteger(k) ? pyIntStr(k) : pyFloatRepr(k);
}

/** Python's repr of a parsed element (what Hydra's Override.value() returns), to tell 1, 1.0 and '1' apart. */
function pyRepr(n: ConfigNode): string {
  if (n.kind === 'list') return '[' + n.items.map(pyRepr).join(', ') + ']';
  if (n.kind === 'dict') return '{' + [...n.entries.values()].map((e) => `${pyKeyRepr(e.key)}: ${pyRepr(e.node)}`).join(', ') + '}';
  switch (n.type) {
    case 'null':
      return 'None';
    case 'missing':
      return "'???'";
    case 'bool':
      return n.value ? 'True' : 'False';
    case 'int':
      return pyIntStr(n.value as number);
    case 'float':
      return pyFloatRepr(n.value as number);
    case 'str':
      return pyStrRepr(n.value as string);
  }
}

/** A sweep as the corpus serialises it. */
function sweepAsData(s: Sweep | ConfigNode): unknown {
  switch (s.kind) {
    case 'choice':
      return {
        __type__: 'ChoiceSweep',
        tags: [...s.tags].sort(),
        list: (s.nested ?? s.items).map(sweepAsData),
        simple_form: s.simpleForm,
        shuffle: s.shuffle,
      };
    case 'range':
      return { __type__: 'RangeSweep', tags: [...s.tags].sort(), start: toPlain(s.start), stop: toPlain(s.stop), step: toPlain(s.step), shuffle: s.shuffle };
    case 'interval':
      return { __type__: 'IntervalSweep', tags: [...s.tags].sort(), start: toPlain(s.start), end: toPlain(s.end) };
    case 'glob':
      return { __type__: 'Glob', include: s.include, exclude: s.exclude };
    default:
      return toPlain(s);
  }
}

function expectedSweepData(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && 'tags' in v) {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = { ...o, tags: [...(o.tags as string[])].sort() };
    if (Array.isArray(o.list)) out.list = o.list.map(expectedSweepData);
    return out;
  }
  return v;
}

function parseOk(text: string): Override {
  const r = parseOverride(text);
  assert.equal(r.error, undefined, `'${text}' should parse: ${r.error?.message}`);
  assert.ok(r.override);
  return r.override;
}

function parseErr(text: string) {
  const r = parseOverride(text);
  assert.equal(r.override, undefined, `'${text}' should be rejected`);
  assert.ok(r.error);
  assert.equal(r.error.code, 'override-syntax');
  assert.equal(r.error.origin?.kind, 'override');
  return r.error;
}

describe('parse_override conformance (Hydra 1.3.2)', () => {
  const cases = loadCases('parse_override');
  it('covers the whole corpus', () => assert.equal(cases.length, 60));
  for (const [name, c] of cases) {
    it(`${name}: ${c.input}`, () => {
      const text = c.input!;
      if (c.expected_error) {
        const err = parseErr(text);
        const o = err.origin as unknown as { range: [number, number] };
        assert.ok(o.range[0] >= 0 && o.range[0] <= o.range[1] && o.range[1] <= text.length, 'the error range lies inside the override');
        assert.ok(err.message.length > 20, 'the message says what to do');
        return;
      }
      const e = c.expected!;
      const o = parseOk(text);
      assert.equal(o.type, e.override_type);
      assert.equal(o.key, e.key_or_group);
      assert.equal(o.package, e.package);
      assert.equal(o.valueType, e.value_type);
      assert.equal(isSweep(o), e.is_sweep);
      assert.equal(keyElement(o), e.key_element);
      if (o.value === null || !isSweep(o)) {
        const value = o.value as ConfigNode | null;
        assert.equal(value === null ? 'None' : pyRepr(value), e.value_repr, 'the value with its Python type');
        assert.deepEqual(value === null ? null : toPlain(value), decodeFloats(e.value));
        const printed = value === null ? 'null' : elementToString(value);
        if (parseOverride('a=' + e.value_element_as_str).override) assert.equal(printed, e.value_element_as_str);
        else {
          // Hydra printed text that it cannot parse again (an escaped quote inside an interpolation); we quote
          // such a string instead, and it must read back as the same value.
          assert.deepEqual(toPlain(parseOk('a=' + printed).value as ConfigNode), toPlain(value as ConfigNode));
        }
        return;
      }
      const sweep = o.value as Sweep;
      assert.deepEqual(sweepAsData(sweep), decodeFloats(expectedSweepData(e.value)));
      if (e.sweep_strings) {
        const r = sweepValues(o, { listOptions: () => [] });
        assert.deepEqual(r.values, e.sweep_strings);
      }
      if (e.sweep_strings_error) assert.ok(sweepValues(o, { listOptions: () => [] }).error, 'Hydra cannot enumerate this sweep either');
    });
  }
});

describe('command-line values of the cliv_* compose cases', () => {
  for (const [name, c] of loadCases('compose').filter(([n]) => n.startsWith('cliv_'))) {
    const text = c.overrides?.[0];
    if (!text || c.overrides!.length !== 1) continue;
    it(`${name}: ${text}`, () => {
      if (c.expected_error) {
        if (c.expected_error.type === 'OverrideParseException') parseErr(text);
        return;
      }
      const o = parseOk(text);
      const key = o.key;
      assert.ok(c.expected_json && key in c.expected_json, `the case sets ${key}`);
      assert.deepEqual(toPlain(o.value as ConfigNode), decodeFloats(c.expected_json[key]) as Plain);
    });
  }
});

describe('overrides of every compose case', () => {
  // Hydra rejects a compose case's overrides with OverrideParseException exactly when our parser rejects one.
  const roots = [CORPUS, join(CORPUS, '..', 'bait', 'cases')];
  const cases = roots.flatMap((root) =>
    readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => [d.name, JSON.parse(readFileSync(join(root, d.name, 'case.json'), 'utf8')) as CaseFile] as const)
      .filter(([, c]) => c.kind === 'compose' && c.overrides?.length),
  );
  it('parse exactly where Hydra parsed them', () => {
    assert.ok(cases.length > 50);
    for (const [name, c] of cases) {
      const failed = c.overrides!.filter((t) => parseOverride(t).error);
      const hydraFailed = c.expected_error?.type === 'OverrideParseException';
      assert.equal(failed.length > 0, hydraFailed, `${name}: ${failed.join(' ') || c.overrides!.join(' ')}`);
    }
  });
});

describe('override grammar', () => {
  it('reads prefixes, keys, packages and group paths', () => {
    const cases: Array<[string, string, string, string | null]> = [
      ['+a.b=1', 'ADD', 'a.b', null],
      ['++a=1', 'FORCE_ADD', 'a', null],
      ['~a=1', 'DEL', 'a', null],
      ['db@backup=mysql', 'CHANGE', 'db', 'backup'],
      ['+server/db@srv.db=pg', 'ADD', 'server/db', 'srv.db'],
      ['$x.y=1', 'CHANGE', '$x.y', null],
      ['list.0.a=1', 'CHANGE', 'list.0.a', null],
      ['hydra/job_logging=disabled', 'CHANGE', 'hydra/job_logging', null],
      ['@pkg=x', 'CHANGE', '', 'pkg'],
    ];
    for (const [text, type, key, pkg] of cases) {
      const o = parseOk(text);
      assert.deepEqual([o.type, o.key, o.package], [type, key, pkg], text);
    }
  });

  it('types values as Hydra does', () => {
    const cases: Array<[string, string]> = [
      ['1_000', '1000'],
      ['+5', '5'],
      ['-0', '0'],
      ['.5', '0.5'],
      ['1.', '1.0'],
      ['1e-3', '0.001'],
      ['+inf', 'inf'],
      ['NaN', 'nan'],
      ['fAlSe', 'False'],
      ['Null', 'None'],
      ['010', "'010'"],
      ['0x10', "'0x10'"],
      ['yes', "'yes'"],
      ['1___0___', "'1___0___'"],
      ['a b c', "'a b c'"],
      [' x ', "'x'"],
      ['c:\\foo\\a-b.txt', "'c:\\\\foo\\\\a-b.txt'"],
      ['\\(a\\,b\\)', "'(a,b)'"],
      ['$\\{x\\}', "'${x}'"],
      ['xyz_${a.b}', "'xyz_${a.b}'"],
      ['${oc.env:A,${b}}', "'${oc.env:A,${b}}'"],
      ["'${x:\"\\' }\"}'", "'${x:\"\\' }\"}'"],
      ['[1, [a, b], {k: v}]', "[1, ['a', 'b'], {'k': 'v'}]"],
      ['{1:a,true:b,x y:c}', "{1: 'a', True: 'b', 'x y': 'c'}"],
      ['int(-3.9)', '-3'],
      ['float("1_5")', '15.0'],
      ['str(1.50)', "'1.5'"],
      ['str(false)', "'false'"],
      ['bool("TRUE")', 'True'],
      ['bool(null)', 'False'],
      ['int([1.5,"2"])', '[1, 2]'],
      ['sort([b,a,c])', "['a', 'b', 'c']"],
      ['sort(list=[1,3,2],reverse=true)', '[3, 2, 1]'],
      ['shuffle(5)', '[5]'],
      ['sort(x)', "'x'"],
    ];
    for (const [value, repr] of cases) {
      const o = parseOk('a=' + value);
      assert.equal(o.valueType, 'ELEMENT', value);
      assert.equal(pyRepr(o.value as ConfigNode), repr, value);
    }
  });

  it('reads ??? as a missing value', () => {
    const o = parseOk('a=???');
    assert.deepEqual([(o.value as ConfigNode).kind, (o.value as { type: string }).type], ['scalar', 'missing']);
    assert.equal(elementToString(o.value as ConfigNode), '???');
  });

  it('keeps where each value came from', () => {
    const o = parseOk('+a={x: 1, y: [b, "c d"]}');
    assert.deepEqual(o.keyRange, [1, 2]);
    const d = o.value as Extract<ConfigNode, { kind: 'dict' }>;
    const slice = (n: ConfigNode) => (n.origin?.kind === 'override' ? o.text.slice(...n.origin.range) : undefined);
    assert.equal(slice(d), '{x: 1, y: [b, "c d"]}');
    assert.equal(slice(d.entries.get('x')!.node), '1');
    const y = d.entries.get('y')!.node as Extract<ConfigNode, { kind: 'list' }>;
    assert.equal(slice(y.items[1]!), '"c d"');
    assert.equal(quoteOf(y.items[1] as Extract<ConfigNode, { kind: 'scalar' }>), '"');
    const e = d.entries.get('y')!.keyOrigin;
    assert.equal(e?.kind === 'override' ? o.text.slice(...e.range) : '', 'y');
    const r = parseOverrides(['a=1', 'b=int(2.5)']);
    const b = r.overrides[1]!;
    assert.deepEqual(b.value && 'origin' in b.value && b.value.origin, { kind: 'override', index: 1, text: 'b=int(2.5)', range: [2, 10] });
  });

  it('reads sweeps and the sweep functions', () => {
    const strings = (text: string) => {
      const o = parseOk(text);
      assert.ok(isSweep(o), text);
      return sweepValues(o, { listOptions: () => ['mysql', 'postgres', 'sqlite'] });
    };
    assert.deepEqual(strings('a=range(5)').values, ['0', '1', '2', '3', '4']);
    assert.deepEqual(strings('a=range(1,2,0.25)').values, ['1.0', '1.25', '1.5', '1.75']);
    assert.deepEqual(strings('a=range(0,1,0.1)').values, ['0.0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7000000000000001', '0.8', '0.9']);
    assert.deepEqual(strings('a=sort(range(1,10,3),reverse=true)').values, ['7', '4', '1']);
    assert.deepEqual(strings('a=sort(range(5,1,-2))').values, ['3', '5']);
    assert.deepEqual(strings('a=float(range(1,3))').values, ['1.0', '2.0']);
    assert.deepEqual(strings('a=sort(b,a,c)').values, ['a', 'b', 'c']);
    assert.deepEqual(strings('a=str(1,2)').values, ['1', '2']);
    assert.deepEqual(strings("a=choice('x y',[1,'2'],{k:v})").values, ['x\\ y', "[1,'2']", '{k:v}']);
    assert.deepEqual(strings('a="a,b",c').values, ['"a,b"', 'c']);
    assert.deepEqual(strings('db=glob(*s*,exclude=my*)').values, ['postgres', 'sqlite']);
    assert.deepEqual(strings('db=glob([m*,s?lite])').values, ['mysql', 'sqlite']);
    assert.deepEqual(strings('a=choice(sort(2,1))').values, ['1', '2']);
    const tagged = parseOk('a=tag(lr,log,interval(1e-4,1))');
    assert.deepEqual((tagged.value as Sweep).tags, ['lr', 'log']);
    assert.equal(tagged.valueType, 'INTERVAL_SWEEP');
    assert.equal(parseOk('a=tag(x,sweep=range(2))').valueType, 'RANGE_SWEEP');
    assert.equal(parseOk('a=shuffle(choice(1,2))').valueType, 'CHOICE_SWEEP');
    assert.equal(parseOk('a=shuffle(sweep=range(3))').valueType, 'RANGE_SWEEP');
  });

  it('reads extend_list() as an EXTEND_LIST override', () => {
    const o = parseOk('a=extend_list(1,"b c")');
    assert.equal(o.type, 'EXTEND_LIST');
    assert.deepEqual(toPlain(o.value as ConfigNode), [1, 'b c']);
    assert.equal(overrideToString(o), 'a=extend_list(1,b\\ c)');
    parseErr('+a=extend_list(1)');
    parseErr('a=[extend_list(1)]');
  });

  it('rejects bad input with the range of the offending characters', () => {
    const cases: Array<[string, [number, number]]> = [
      ['a', [1, 1]],
      ['a b=1', [1, 2]],
      ['a=1 # note', [4, 5]],
      ["a='x", [2, 3]],
      ['a=x=y', [3, 4]],
      ['a=[1,2', [6, 6]],
      ['a={x:1', [6, 6]],
      ['a={x}', [4, 5]],
      ['a=choice()', [2, 10]],
      ['a=range(1,2,3,4)', [2, 16]],
      ['a=range(a)', [2, 10]],
      ['a=int(x)', [2, 8]],
      ['a=bool(2,value=1)', [2, 17]],
      ['a=sort(1,b)', [2, 11]],
      ['a=choice(x=1)', [2, 13]],
      ['a=glob([1])', [2, 11]],
      ['a=tag(1,choice(1))', [2, 18]],
      ['a=choice(choice(1,2))', [2, 21]],
      ['a=f(x=1,2)', [8, 9]],
      ['a=[choice(1,2)]', [3, 14]],
      ['a={k:range(3)}', [5, 13]],
      ['a={null:1}', [3, 7]],
      ['a=$(id)', [3, 4]],
      ['a=1,,2', [4, 5]],
      ['a=1\n', [3, 4]],
      ["a='x' ", [5, 6]],
      ['a=${}', [3, 4]],
    ];
    for (const [text, range] of cases) {
      const err = parseErr(text);
      assert.deepEqual((err.origin as { range: unknown }).range, range, `${text}: ${err.message}`);
    }
  });

  it('reports very deep nesting as an error', () => {
    const err = parseErr('a=' + '['.repeat(20000) + ']'.repeat(20000));
    assert.equal(err.data?.internal, undefined);
    assert.match(err.message, /nested too deeply/);
  });

  it('names the fix in its messages', () => {
    assert.match(parseErr('a=x=y').message, /quote the value/);
    assert.match(parseErr("a='x").message, /closing '/);
    assert.match(parseErr('a').message, /a=<value>/);
    assert.match(parseErr('a=foo(1)').message, /Unknown function 'foo'.*choice/);
  });

  it('prints overrides so that they parse back to the same override', () => {
    for (const text of ['+a.b@p=[1,{x:y z}]', '~a', '++b="q\'s"', 'c=1,2.5,x', 'd=choice(1,2)', 'e=shuffle(range(0,3))', 'f=tag(t,interval(0,1))', 'g=glob(a*,exclude=[b*])', 'h=range(1,3),4']) {
      const once = overrideToString(parseOk(text));
      assert.equal(overrideToString(parseOk(once)), once, text);
    }
  });
});

describe('hostile values', () => {
  const hostile = [
    '; rm -rf ~',
    '$(id)',
    '`id`',
    "it's",
    'say "hi"',
    "both ' and \"",
    'line1\nline2',
    'tab\there',
    '  spaces  ',
    'back\\slash\\',
    '\\\'',
    '${oc.env:HOME}',
    'a,b=c:d[e]{f}',
    '#!/bin/sh',
    'ünïcödé ☃',
    '',
  ];
  it('round-trip through quoting, parsing and printing unchanged', () => {
    for (const value of hostile) {
      for (const q of ["'", '"'] as const) {
        // Backslashes before a quote of the same kind (or the closing quote) are doubled; every such quote escaped.
        const quoted = q + value.replace(new RegExp(`\\\\+(?=$|${q})`, 'g'), (m) => m + m).split(q).join('\\' + q) + q;
        const o = parseOk('a=' + quoted);
        const node = o.value as ConfigNode;
        assert.equal(toPlain(node), value, quoted);
        assert.equal(elementToString(node), quoted, 'a quoted value prints exactly as written');
        assert.equal(toPlain(parseOk('a=' + elementToString(node)).value as ConfigNode), value);
      }
    }
  });
  it('stay whole when they come out of a sweep', () => {
    const o = parseOk('a=choice(' + hostile.filter((v) => v !== '${oc.env:HOME}').map((v) => "'" + v.replace(/\\+(?=$|')/g, (m) => m + m).split("'").join("\\'") + "'").join(',') + ')');
    const values = sweepValues(o, { listOptions: () => [] }).values!;
    const back = values.map((v) => toPlain(parseOk('a=' + v).value as ConfigNode));
    assert.deepEqual(back, hostile.filter((v) => v !== '${oc.env:HOME}'));
  });
});

describe('fuzz', () => {
  // A small deterministic generator, so a failure reproduces (FUZZ_SEED runs another set).
  const SEED = fuzzSeed(12345);
  let seed = SEED;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const atoms = ['a', 'b.c', 'x/y', '=', '+', '~', '@', ',', '[', ']', '{', '}', '(', ')', ':', "'", '"', '\\', ' ', '$', '${a}', '1', '-2.5e3', 'inf',
    'null', 'true', 'choice', 'range', 'glob', 'tag', 'sort', 'shuffle', 'int', 'str', 'extend_list', 'interval', '*', '?', '\t', '\n', '#', 'é', '???', '_', '0'];
  const corpus = loadCases('parse_override').map(([, c]) => c.input!);

  function mutate(s: string): string {
    const chars = [...s];
    const edits = 1 + rand(3);
    for (let i = 0; i < edits; i++) {
      const at = rand(chars.length + 1);
      const op = rand(3);
      if (op === 0) chars.splice(at, 0, atoms[rand(atoms.length)]!);
      else if (op === 1) chars.splice(at, 1);
      else chars[at] = atoms[rand(atoms.length)]!;
    }
    return chars.join('');
  }

  it(`6,000 mutated overrides: never throws, and whatever parses prints back to a stable form (seed ${SEED})`, () => withSeed(SEED, 'test/config/overrides.test.ts', () => {
    let parsed = 0;
    for (let i = 0; i < 6000; i++) {
      const text = i % 2 ? mutate(corpus[rand(corpus.length)]!) : Array.from({ length: 1 + rand(12) }, () => atoms[rand(atoms.length)]).join('');
      const r = parseOverride(text, 3);
      assert.ok((r.override === undefined) !== (r.error === undefined), text);
      if (r.error) {
        assert.equal(r.error.code, 'override-syntax');
        assert.equal(r.error.data?.internal, undefined, `${JSON.stringify(text)} hit a parser bug: ${r.error.message}`);
        const o = r.error.origin as unknown as { index: number; range: [number, number] };
        assert.equal(o.index, 3);
        assert.ok(o.range[0] >= 0 && o.range[0] <= o.range[1] && o.range[1] <= text.length, `${JSON.stringify(text)}: ${o.range}`);
        continue;
      }
      parsed++;
      const once = overrideToString(r.override!);
      const again = parseOverride(once);
      assert.ok(again.override, `${JSON.stringify(text)} printed as ${JSON.stringify(once)}, which does not parse: ${again.error?.message}`);
      assert.equal(overrideToString(again.override), once, JSON.stringify(text));
      if (isSweep(r.override!)) sweepValues(r.override!, { listOptions: () => ['a', 'b'], maxJobs: 1000 });
    }
    assert.ok(parsed > 500, `enough inputs parse to exercise printing (${parsed})`);
  }));
});
