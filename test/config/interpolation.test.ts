// Interpolation and resolvers against Hydra's own results, plus the behaviour OmegaConf defines case by case.
// Conformance: each compose case's expected YAML is loaded into a node tree, resolved, and printed; the text
// must equal what Hydra printed with `--resolve` (or the first error must be the one Hydra raised, at the
// same key).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toYaml } from '../../runner/config/emit.js';
import type { ErrorCode } from '../../runner/config/errors.js';
import { resolveTree, type ResolveContext } from '../../runner/config/interpolation/resolve.js';
import type { DictNode } from '../../runner/config/nodes.js';
import { composeCasesWithOutput, loadYamlTree } from './yaml-node-fixture.js';

const ERROR_CODES: Record<string, ErrorCode> = {
  InterpolationKeyError: 'interpolation-key',
  InterpolationToMissingValueError: 'interpolation-missing',
  InterpolationResolutionError: 'interpolation-resolver',
  GrammarParseError: 'interpolation-syntax',
};

function contextOf(c: { env?: Record<string, string | null>; fixed_now?: string }): ResolveContext {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(c.env ?? {})) env[k] = v ?? undefined;
  return { env, now: c.fixed_now ? new Date(c.fixed_now) : new Date(2024, 0, 2, 3, 4, 5) };
}

describe('resolveTree reproduces Hydra --resolve for every conformance case', () => {
  const cases = composeCasesWithOutput();
  test('the corpus is there', () => assert.ok(cases.length > 150));
  for (const c of cases) {
    test(c.name, () => {
      const tree = loadYamlTree(c.expected_yaml) as DictNode;
      const r = resolveTree(tree, contextOf(c));
      if (c.expected_resolve_error) {
        const want = ERROR_CODES[c.expected_resolve_error.type];
        assert.ok(want, `unknown error type ${c.expected_resolve_error.type}`);
        assert.ok(r.errors.length > 0, 'expected a resolution error');
        assert.equal(r.errors[0]!.code, want, r.errors[0]!.message);
        const fullKey = /full_key: (\S+)/.exec(c.expected_resolve_error.message)?.[1];
        assert.equal(r.errors[0]!.data?.key, fullKey);
      } else {
        assert.deepEqual(r.errors, []);
        assert.equal(toYaml(r.node!), c.expected_resolved_yaml);
      }
    });
  }
});

// ---- unit behaviour -----------------------------------------------------------------------------------------

import { findInterpolationRefs } from '../../runner/config/interpolation/refs.js';
import { hasOnlyPlainReferences, parseInterpolation } from '../../runner/config/interpolation/grammar.js';
import { resolveNode } from '../../runner/config/interpolation/resolve.js';
import { strftime } from '../../runner/config/interpolation/strftime.js';
import { scalar, type ConfigNode } from '../../runner/config/nodes.js';
import { fuzzSeed, withSeed } from '../infra/fuzz.js';

const NOW = new Date(2024, 0, 2, 3, 4, 5, 678);
const ctx = (extra: Partial<ResolveContext> = {}): ResolveContext => ({ env: {}, now: NOW, ...extra });

/** Resolves a YAML config and returns the printed result, or throws with the errors. */
function resolved(yaml: string, extra: Partial<ResolveContext> = {}): string {
  const r = resolveTree(loadYamlTree(yaml) as DictNode, ctx(extra));
  assert.deepEqual(r.errors.map((e) => e.message), []);
  return toYaml(r.node!);
}

/** The errors (code and key) of resolving a YAML config. */
function errorsOf(yaml: string, extra: Partial<ResolveContext> = {}): { code: string; key: unknown }[] {
  return resolveTree(loadYamlTree(yaml) as DictNode, ctx(extra)).errors.map((e) => ({ code: e.code, key: e.data?.key }));
}

function valueAt(yaml: string, path: (string | number)[], extra: Partial<ResolveContext> = {}): ConfigNode {
  const r = resolveNode(loadYamlTree(yaml) as DictNode, path, ctx(extra));
  assert.deepEqual(r.errors.map((e) => e.message), []);
  return r.node!;
}

describe('grammar', () => {
  test('parses the forms OmegaConf accepts', () => {
    for (const s of [
      '${a}', '${a.b}', '${.x}', '${..x}', '${a[0]}', '${a[0].b}', '${[a].b}', '${a.${b}}', 'x_${a}_y', '\\${a}',
      '${foo:}', '${foo:a,b}', "${foo:'q, r',\"s\"}", '${foo:[1,2],{a:1}}', '${foo:${bar:x}}', '${ns.${n}:x}',
      '${ a }', '${foo: a b }', '${oc.env:HOME,/tmp}', '${now:%Y-%m-%d}', '${a-b}', '${$x}', '${foo:a,,b}', '}{$',
    ]) {
      const r = parseInterpolation(s);
      assert.ok(r.ok, `${s}: ${r.ok ? '' : r.error.message}`);
    }
  });
  test('reports errors with the offset of the problem', () => {
    const cases: [string, number][] = [
      ['${..}', 4],
      ['${}', 2],
      ['${a', 3],
      ['${a b}', 3],
      ['${a.}', 4],
      ['x ${a:b', 7],
      ["${foo:'x}", 9],
      ['${foo:a#b}', 7],
      ['${foo:[1,2}', 10],
      ['${a..b}', 4],
    ];
    for (const [s, offset] of cases) {
      const r = parseInterpolation(s);
      assert.equal(r.ok, false, s);
      if (!r.ok) assert.equal(r.error.offset, offset, `${s}: ${r.error.message}`);
    }
  });
  test('nesting bombs are errors, not stack overflows', () => {
    for (const s of ['${'.repeat(5000), '${a.'.repeat(3000) + '}'.repeat(3000), '${f:' + '['.repeat(5000)]) {
      assert.equal(parseInterpolation(s).ok, false);
    }
  });
  test('the plain-reference shortcut accepts only what the parser accepts, and the big-file forms', () => {
    // Seeded pieces glued at random: the shortcut (which replaces the parser when validating files) must never
    // call valid what the parser rejects.
    const pieces = ['${', '}', 'a', '_b9', '.', '..', '$', 'x', ' ', '{', '\n', '9', ':', '"', "'", '${a}', '${.a}', '-', '[', ']', '\\', '\t'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let accepted = 0;
    for (let i = 0; i < 40_000; i++) {
      let s = '';
      for (let n = 1 + Math.floor(next() * 8); n > 0; n--) s += pieces[Math.floor(next() * pieces.length)];
      if (!hasOnlyPlainReferences(s)) continue;
      accepted++;
      assert.equal(parseInterpolation(s).ok, true, JSON.stringify(s));
    }
    assert.ok(accepted > 1000, `only ${accepted} strings took the shortcut`);
    for (const s of ['${exp_config.directory}/section_1', '${.name}-${.lr}', '${..a.b_2}', 'cost: $5 ${a}', '$${a}']) {
      assert.equal(hasOnlyPlainReferences(s), true, s);
    }
    for (const s of ['${a:b}', '${ a}', '\\${a}', '${a[0]}', '${a.}', '${', '${a', '${a-b}', '${oc.env:X}', '${a.${b}}']) {
      assert.equal(hasOnlyPlainReferences(s), false, s);
    }
  });
});

describe('resolution semantics', () => {
  test('a whole-string interpolation keeps the type; string interpolation uses Python str()', () => {
    const out = resolved(
      'i: 1\nf: 1.0\nb: true\nnu: null\nd: {a: 1, s: x}\nl: [1, x]\n' +
        "wi: ${i}\nwf: ${f}\nwb: ${b}\nwn: ${nu}\nwd: ${d}\nwl: ${l}\nsi: x${i}\nsf: x${f}\nsb: x${b}\nsn: x${nu}\nsd: x${d}\nsl: x${l}\n",
    );
    assert.equal(
      out,
      "i: 1\nf: 1.0\nb: true\nnu: null\nd:\n  a: 1\n  s: x\nl:\n- 1\n- x\nwi: 1\nwf: 1.0\nwb: true\nwn: null\nwd:\n  a: 1\n  s: x\nwl:\n- 1\n- x\n" +
        "si: x1\nsf: x1.0\nsb: xTrue\nsn: xNone\nsd: 'x{''a'': 1, ''s'': ''x''}'\nsl: x[1, 'x']\n",
    );
  });
  test('relative keys start at the parent of the holding node', () => {
    assert.equal(
      resolved('top: 1\na:\n  x: 2\n  b:\n    x: 3\n    p: ${.x}\n    q: ${..x}\n    r: ${...top}\n  l:\n  - ${..x}\n'),
      'top: 1\na:\n  x: 2\n  b:\n    x: 3\n    p: 3\n    q: 2\n    r: 1\n  l:\n  - 2\n',
    );
    assert.deepEqual(errorsOf('a:\n  b: ${...x}\n'), [{ code: 'interpolation-key', key: 'a.b' }]);
  });
  test('list indices, nested keys, intermediate interpolations', () => {
    assert.equal(
      resolved('l: [10, 20]\nk: b\na: {b: 5}\nalias: ${a}\nx1: ${l[1]}\nx2: ${l.0}\nx3: ${a.${k}}\nx4: ${alias.b}\n'),
      'l:\n- 10\n- 20\nk: b\na:\n  b: 5\nalias:\n  b: 5\nx1: 20\nx2: 10\nx3: 5\nx4: 5\n',
    );
    assert.deepEqual(errorsOf('l: [1]\nx: ${l.5}\ny: ${l.z}\nz: ${nope}\nw: ${l.0.q}\n'), [
      { code: 'interpolation-key', key: 'x' },
      { code: 'interpolation-key', key: 'y' },
      { code: 'interpolation-key', key: 'z' },
      { code: 'interpolation-key', key: 'w' },
    ]);
  });
  test('a missing key says where it is missing and lists the keys there', () => {
    const r = resolveTree(loadYamlTree('a:\n  b: 1\n  c: 2\nx: ${a.zz}\ny: ${nope}\n') as DictNode, ctx());
    assert.deepEqual(r.errors[0]!.data?.options, ['b', 'c']);
    assert.match(r.errors[0]!.message, /'a' has no key 'zz'/);
    assert.deepEqual(r.errors[1]!.data?.options, ['a', 'x', 'y']);
  });
  test('escapes, and results are never resolved twice', () => {
    assert.equal(resolved('a: 1\ne: \\${a}\nb: \\\\${a}\nc: ${e}\n'), 'a: 1\ne: ${a}\nb: \\1\nc: ${a}\n');
  });
  test('a node interpolated whole resolves its own interpolations where it is', () => {
    assert.equal(resolved('a:\n  x: 1\n  z: ${.x}\nb:\n  x: 2\n  c: ${a}\n'), 'a:\n  x: 1\n  z: 1\nb:\n  x: 2\n  c:\n    x: 1\n    z: 1\n');
  });
  test('??? is an error when used, and stays ??? when not', () => {
    assert.deepEqual(errorsOf('m: ???\nx: ${m}\ny: ${m.z}\n'), [
      { code: 'interpolation-missing', key: 'x' },
      { code: 'interpolation-missing', key: 'y' },
    ]);
    assert.equal(resolved('m: ???\n'), 'm: ???\n');
  });
  test('pointing at an ancestor is an error', () => {
    assert.deepEqual(errorsOf('a:\n  b: ${a}\n'), [{ code: 'interpolation-cycle', key: 'a.b' }]);
  });
  test('resolveNode gives one value', () => {
    const v = valueAt('a: {b: 2}\nc: x_${a.b}\n', ['c']);
    assert.deepEqual({ type: (v as { type: string }).type, value: (v as { value: unknown }).value }, { type: 'str', value: 'x_2' });
    const r = resolveNode(loadYamlTree('a: 1\n') as DictNode, ['zz'], ctx());
    assert.equal(r.errors[0]?.code, 'interpolation-key');
  });
  test('errors carry the origin of the node holding the interpolation', () => {
    const origin = { kind: 'file' as const, file: 'config.yaml', valueRange: [3, 10] as const };
    const root: DictNode = { kind: 'dict', entries: new Map() };
    root.entries.set('a', { key: 'a', node: { ...scalar('str', '${nope}'), origin } });
    const r = resolveTree(root, ctx());
    assert.equal(r.errors.length, 1);
    assert.deepEqual(r.errors[0]!.origin, origin);
    assert.equal(r.node!.kind === 'dict' && r.node!.entries.get('a')!.node.origin, origin);
  });
  test('syntax errors are collected with the offset', () => {
    const r = resolveTree(loadYamlTree('a:\n  b: ${..}\n') as DictNode, ctx());
    assert.equal(r.errors[0]!.code, 'interpolation-syntax');
    assert.equal(r.errors[0]!.data?.offset, 4);
  });
});

describe('resolvers', () => {
  test('oc.env', () => {
    const env = { HOME: '/home/u', EMPTY: '' };
    assert.equal(
      resolved("a: ${oc.env:HOME}\nb: ${oc.env:NOPE,null}\nc: ${oc.env:NOPE,5}\nd: ${oc.env:NOPE,'x, y'}\ne: ${oc.env:EMPTY,z}\nf: p/${oc.env:HOME}\n", { env }),
      "a: /home/u\nb: null\nc: '5'\nd: x, y\ne: ''\nf: p//home/u\n",
    );
    // The variable's text is kept as it is: never typed, never resolved again.
    assert.equal(
      resolved('a: ${oc.env:V1}\nb: ${oc.env:V2}\nc: ${oc.env:V3}\n', { env: { V1: '10', V2: '${a}', V3: 'null' } }),
      "a: '10'\nb: ${a}\nc: 'null'\n",
    );
    assert.deepEqual(errorsOf('a: ${oc.env:NOPE}\nb: ${oc.env:1}\nc: ${oc.env:}\n'), [
      { code: 'interpolation-resolver', key: 'a' },
      { code: 'interpolation-resolver', key: 'b' },
      { code: 'interpolation-resolver', key: 'c' },
    ]);
  });
  test('oc.select', () => {
    assert.equal(
      resolved('a: {b: 1, m: ???, s: 1}\ns1: ${oc.select:a.b,9}\ns2: ${oc.select:a.zz,9}\ns3: ${oc.select:a.zz}\ns4: ${oc.select:a.m,fb}\ns5: ${oc.select:a.s.deeper,d}\nr:\n  x: 4\n  y: ${oc.select:.x}\n'),
      "a:\n  b: 1\n  m: ???\n  s: 1\ns1: 1\ns2: 9\ns3: null\ns4: fb\ns5: d\nr:\n  x: 4\n  'y': 4\n",
    );
  });
  test('oc.decode', () => {
    assert.equal(
      resolved("i: '3'\na: \"${oc.decode:'[1, 2.5, x, {k: true}]'}\"\nb: ${oc.decode:${i}}\nc: ${oc.decode:null}\nd: ${oc.decode:'\"q\"'}\n"),
      "i: '3'\na:\n- 1\n- 2.5\n- x\n- k: true\nb: 3\nc: null\nd: q\n",
    );
    // Blanks around a number make it a string; interpolations in the decoded text resolve from the holder.
    assert.equal(
      resolved("p:\n  s: 1\n  a: ${oc.decode:'  123  '}\n  b: \"${oc.decode:'{x: ${.s}}'}\"\n"),
      "p:\n  s: 1\n  a: '  123  '\n  b:\n    x: 1\n",
    );
    assert.deepEqual(errorsOf("a: ${oc.decode:'[1,'}\nb: ${oc.decode:1}\n"), [
      { code: 'interpolation-resolver', key: 'a' },
      { code: 'interpolation-resolver', key: 'b' },
    ]);
  });
  test('oc.create', () => {
    assert.equal(
      resolved("x: 7\nsrc:\n  v: ${..x}\na: \"${oc.create:{k: 1, l: [1, 2]}}\"\nb: ${oc.create:${src}}\nc: ${oc.create:'[1, 2]'}\n"),
      'x: 7\nsrc:\n  v: 7\na:\n  k: 1\n  l:\n  - 1\n  - 2\nb:\n  v: 7\nc:\n- 1\n- 2\n',
    );
    assert.deepEqual(errorsOf('a: ${oc.create:1}\n'), [{ code: 'interpolation-resolver', key: 'a' }]);
  });
  test('oc.dict.keys and oc.dict.values', () => {
    assert.equal(
      resolved('d:\n  a: 1\n  b: ${.a}\nk: ${oc.dict.keys:d}\nv: ${oc.dict.values:d}\nr:\n  d2: {x: 5}\n  v2: ${oc.dict.values:.d2}\n'),
      'd:\n  a: 1\n  b: 1\nk:\n- a\n- b\nv:\n- 1\n- 1\nr:\n  d2:\n    x: 5\n  v2:\n  - 5\n',
    );
    assert.deepEqual(errorsOf('l: [1]\na: ${oc.dict.keys:l}\nb: ${oc.dict.values:nope}\n'), [
      { code: 'interpolation-resolver', key: 'a' },
      { code: 'interpolation-key', key: 'b' },
    ]);
  });
  test('now formats the fixed clock like Python strftime', () => {
    assert.equal(resolved('d: ${now:%Y-%m-%d_%H-%M-%S}\n'), 'd: 2024-01-02_03-04-05\n');
    assert.equal(strftime('%Y %m %d %H %M %S %f %j %a %A %b %B %p %I %y %% %U %W %w %u %e %Z%z|', NOW), '2024 01 02 03 04 05 678000 002 Tue Tuesday Jan January AM 03 24 % 00 01 2 2  2 |');
    assert.equal(strftime('%c', NOW), 'Tue Jan  2 03:04:05 2024');
  });
  test('hydra: reads the hydra node, and is an error without one (compose API)', () => {
    const hydra = loadYamlTree('runtime:\n  choices:\n    db: mysql\n  output_dir: ${.cwd}/out\n  cwd: /w\n') as DictNode;
    assert.equal(resolved('a: ${hydra:runtime.choices.db}\nb: ${hydra:runtime.output_dir}\nc: ${hydra:nope}\n', { hydra }), 'a: mysql\nb: /w/out\nc: null\n');
    assert.deepEqual(errorsOf('a: ${hydra:runtime.choices.db}\n'), [{ code: 'interpolation-resolver', key: 'a' }]);
    // As in Hydra, the hydra node sees the whole config: its interpolations may use the job's keys.
    const runHydra = loadYamlTree('run:\n  dir: ${exp.dir}/x\n') as DictNode;
    assert.equal(resolved('exp:\n  dir: runs\nd: ${hydra:run.dir}\n', { hydra: runHydra }), 'exp:\n  dir: runs\nd: runs/x\n');
  });
  test('an unknown resolver is an error naming it', () => {
    const r = resolveTree(loadYamlTree('a: ${nope:1}\n') as DictNode, ctx());
    assert.equal(r.errors[0]!.code, 'interpolation-resolver');
    assert.match(r.errors[0]!.message, /nope/);
  });
});

describe('cycles and long chains', () => {
  test('a: ${b}, b: ${a} is an error naming the cycle, for both', () => {
    const r = resolveTree(loadYamlTree('a: ${b}\nb: ${a}\nc: ${a}\nd: 1\n') as DictNode, ctx());
    assert.deepEqual(r.errors.map((e) => [e.code, e.data?.key]), [
      ['interpolation-cycle', 'a'],
      ['interpolation-cycle', 'b'],
      ['interpolation-cycle', 'c'],
    ]);
    assert.deepEqual(r.errors[0]!.data?.cycle, ['a', 'b', 'a']);
  });
  test('self reference, string cycles and cycles through oc.select', () => {
    assert.deepEqual(errorsOf('a: ${a}\n'), [{ code: 'interpolation-cycle', key: 'a' }]);
    assert.deepEqual(errorsOf('a: x${b}\nb: y${a}\n').map((e) => e.code), ['interpolation-cycle', 'interpolation-cycle']);
    assert.deepEqual(errorsOf('a: ${oc.select:b}\nb: ${oc.select:a,1}\n').map((e) => e.code), ['interpolation-cycle', 'interpolation-cycle']);
  });
  test('containers that contain themselves through interpolations are reported, not expanded forever', () => {
    const codes = errorsOf('a:\n  x: ${c}\nc:\n  y: ${a}\n').map((e) => e.code);
    assert.ok(codes.length > 0 && codes.every((c) => c === 'interpolation-cycle'), codes.join());
  });
  function chain(n: number, link: (next: string) => string, end: string): DictNode {
    const root: DictNode = { kind: 'dict', entries: new Map() };
    for (let i = 0; i < n; i++) root.entries.set(`k${i}`, { key: `k${i}`, node: scalar('str', link(`k${i + 1}`)) });
    root.entries.set(`k${n}`, { key: `k${n}`, node: end === '???' ? scalar('missing', null) : scalar('int', Number(end)) });
    return root;
  }
  test('a chain of 10,000 links resolves without overflowing the stack', () => {
    const r = resolveTree(chain(10_000, (next) => `\${${next}}`, '7'), ctx());
    assert.deepEqual(r.errors, []);
    const out = r.node as DictNode;
    assert.deepEqual(out.entries.get('k0')!.node, { kind: 'scalar', type: 'int', value: 7 });
    const s = resolveTree(chain(10_000, (next) => `x\${${next}}`, '7'), ctx());
    assert.equal((s.node as DictNode).entries.get('k9990')!.node.kind === 'scalar' && ((s.node as DictNode).entries.get('k9990')!.node as { value: string }).value, 'xxxxxxxxxx7');
  });
  test('a 10,000-link chain ending in ??? and a 10,000-link cycle give errors, not crashes', () => {
    const missing = resolveTree(chain(10_000, (next) => `\${${next}}`, '???'), ctx());
    assert.equal(missing.errors.length, 10_000);
    assert.ok(missing.errors.every((e) => e.code === 'interpolation-missing'));
    const cyc = chain(10_000, (next) => `\${${next}}`, '0');
    cyc.entries.set('k10000', { key: 'k10000', node: scalar('str', '${k0}') });
    const r = resolveTree(cyc, ctx());
    assert.equal(r.errors.length, 10_001);
    assert.ok(r.errors.every((e) => e.code === 'interpolation-cycle'));
    assert.equal((r.errors[0]!.data?.cycle as string[]).length, 10_002);
  });
});

describe('real OmegaConf 2.2.2 on 1,600 curated and mutated interpolations (fixtures/omegaconf-goldens.json)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gold = require('./fixtures/omegaconf-goldens.json') as {
    base: string;
    env: Record<string, string>;
    now: string;
    cases: [string, string | { error: string }][];
  };
  // OmegaConf raises InterpolationResolutionError for a bad index or a key under a plain value too, where we
  // say interpolation-key; Python's RecursionError is our cycle error.
  const accepted: Record<string, string[]> = {
    GrammarParseError: ['interpolation-syntax'],
    InterpolationKeyError: ['interpolation-key'],
    InterpolationToMissingValueError: ['interpolation-missing'],
    InterpolationResolutionError: ['interpolation-resolver', 'interpolation-cycle', 'interpolation-key'],
    RecursionError: ['interpolation-cycle'],
  };
  test('the same value or the same kind of error, for every case', () => {
    const mismatches: string[] = [];
    for (const [text, expected] of gold.cases) {
      const root = loadYamlTree(gold.base) as DictNode;
      const x: DictNode = { kind: 'dict', entries: new Map([['t', { key: 't', node: scalar('str', text) }]]) };
      root.entries.set('x', { key: 'x', node: x });
      const r = resolveTree(root, { env: gold.env, now: new Date(gold.now) });
      let ok: boolean;
      if (typeof expected === 'string') {
        const t = r.node && r.node.kind === 'dict' && r.node.entries.get('x')!.node;
        const got = t && t.kind === 'dict' ? toYaml({ kind: 'dict', entries: new Map([['t', { key: 't', node: t.entries.get('t')!.node }]]) }) : '';
        ok = r.errors.length === 0 && got === expected;
      } else ok = r.errors.length > 0 && (accepted[expected.error] ?? []).includes(r.errors[0]!.code);
      if (!ok) mismatches.push(`${JSON.stringify(text)}: OmegaConf ${JSON.stringify(expected)}, we ${JSON.stringify(r.errors[0]?.code ?? 'ok')}`);
    }
    assert.deepEqual(mismatches, []);
  });
});

describe('pathological depth', () => {
  test('trees nested past 1,000 levels (Python stops there too) give an error, not a stack overflow', () => {
    let n: ConfigNode = scalar('int', 1);
    for (let i = 0; i < 5000; i++) n = { kind: 'list', items: [n] };
    const root: DictNode = { kind: 'dict', entries: new Map([['a', { key: 'a', node: n }]]) };
    const r = resolveTree(root, ctx());
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]!.code, 'yaml-bad-value');
    assert.throws(() => toYaml(root), /nested more than 1000 levels/);
  });
  test('containers interpolating each other 1,200 deep give an error, not a stack overflow', () => {
    const root: DictNode = { kind: 'dict', entries: new Map() };
    for (let i = 0; i < 1200; i++) {
      const d: DictNode = { kind: 'dict', entries: new Map([['x', { key: 'x', node: scalar('str', `\${k${i + 1}}`) }]]) };
      root.entries.set(`k${i}`, { key: `k${i}`, node: d });
    }
    root.entries.set('k1200', { key: 'k1200', node: scalar('int', 1) });
    const r = resolveTree(root, ctx());
    assert.ok(r.errors.length > 0 && r.errors.every((e) => e.code === 'yaml-bad-value'));
  });
});

describe('findInterpolationRefs', () => {
  test('keys and resolvers with their offsets', () => {
    assert.deepEqual(findInterpolationRefs('x_${a.b}_${..c[0]}'), [
      { kind: 'key', key: 'a.b', dots: 0, segments: ['a', 'b'], range: [4, 7] },
      { kind: 'key', key: '..c[0]', dots: 2, segments: ['c', '0'], range: [11, 17] },
    ]);
    assert.deepEqual(findInterpolationRefs('${oc.select:.a.b,1}'), [
      { kind: 'resolver', name: 'oc.select', range: [2, 11], known: true },
      { kind: 'key', key: '.a.b', dots: 1, segments: ['a', 'b'], range: [12, 16], via: 'oc.select' },
    ]);
    assert.deepEqual(findInterpolationRefs('${a.${k}}').map((r) => [r.kind === 'key' && r.key, r.range]), [
      ['a.${k}', [2, 8]],
      ['k', [6, 7]],
    ]);
    assert.deepEqual(findInterpolationRefs('${mine:x}'), [{ kind: 'resolver', name: 'mine', range: [2, 6], known: false }]);
    assert.deepEqual(findInterpolationRefs('plain'), []);
    assert.deepEqual(findInterpolationRefs('${broken'), []);
  });
});

describe('fuzz: mutated interpolation strings give errors, never exceptions', () => {
  const seeds = [
    '${a.b}', 'x_${a.b}_y', '${.x}', '${..x}', '${a[0]}', '${a.${k}}', '\\${a}', '\\\\${a}', "${oc.env:HOME,'d'}",
    '${oc.select:a.b,9}', "${oc.decode:'[1, {a: ${x}}]'}", '${oc.create:{a: 1}}', '${oc.dict.values:a}',
    '${now:%Y-%m-%d}', '${hydra:runtime.cwd}', '${foo:a,,b}', '${ns.${n}:x}', '${oc.dict.keys:a}', "${f:'a\\'b'}",
  ];
  const alphabet = ['$', '{', '}', '.', '[', ']', ':', ',', "'", '"', '\\', ' ', 'a', 'x', '0', '${', 'oc.', '\t', 'é'];
  const SEED = fuzzSeed(12345);
  let seed = SEED;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  function mutate(s: string): string {
    let out = s;
    const edits = 1 + rand(4);
    for (let i = 0; i < edits; i++) {
      const at = rand(out.length + 1);
      const op = rand(3);
      if (op === 0) out = out.slice(0, at) + alphabet[rand(alphabet.length)] + out.slice(at);
      else if (op === 1) out = out.slice(0, at) + out.slice(at + 1 + rand(3));
      else out = out.slice(0, at) + out.slice(rand(out.length + 1));
    }
    return out;
  }
  test(`5,000 mutated strings through the parser, the resolver and the ref finder (seed ${SEED})`, () => withSeed(SEED, 'test/config/interpolation.test.ts', () => {
    const base = 'a:\n  b: 1\n  0: z\nk: b\nx: 2\nn: ns\nl: [1, 2]\n';
    let failures = 0;
    for (let batch = 0; batch < 50; batch++) {
      const root = loadYamlTree(base) as DictNode;
      for (let i = 0; i < 100; i++) {
        const s = mutate(seeds[rand(seeds.length)]!);
        parseInterpolation(s);
        findInterpolationRefs(s);
        root.entries.set(`m${i}`, { key: `m${i}`, node: scalar('str', s) });
      }
      // A few of them point at each other, so cycles and chains through mutated text happen too.
      root.entries.set('c1', { key: 'c1', node: scalar('str', '${m1}${c2}') });
      root.entries.set('c2', { key: 'c2', node: scalar('str', '${m2}${c1}') });
      const r = resolveTree(root, { env: { HOME: '/h' }, now: NOW });
      assert.ok(r.node);
      for (const e of r.errors) {
        assert.ok(e.code.startsWith('interpolation-'), e.code);
        assert.ok(e.message.length > 0);
      }
      failures += r.errors.length;
    }
    assert.ok(failures > 100, 'the mutations should produce errors');
  }));
});
