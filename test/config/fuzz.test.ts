// Broken input never crashes or hangs the engine: thousands of truncated and mutated config files and
// overrides go through composition (and resolution), which must return errors, never throw.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compose, MemorySource } from '../../runner/config/index.js';
import { resolveTree } from '../../runner/config/interpolation/resolve.js';
import { CONFORMANCE } from './conformance-cases.js';
import { seededRandom as rng } from '../../runner/config/overrides/sweep.js';
import { fuzzSeed, reproduce } from '../infra/fuzz.js';

const SEED = fuzzSeed(1234);
const AGAIN = reproduce(SEED, 'test/config/fuzz.test.ts');

const BAIT = join(CONFORMANCE, 'bait', 'configs');

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.yaml')) out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

const SNIPPETS = ['${', '}', '${a.b}', '${..}', '???', ':', '- ', '  ', '\n', '#', '# @package _global_\n', '@', '[', ']', '{', '}',
  '"', "'", '&a', '*a', '<<: *a', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\n', '../', 'defaults:\n  - x\n', '_self_', 'override ', 'optional ', '/', '${oc.env:X}', '\t', '=', 'null', '~'];

function mutate(text: string, r: () => number): string {
  const kind = Math.floor(r() * 4);
  const at = Math.floor(r() * (text.length + 1));
  if (kind === 0) return text.slice(0, at); // truncation
  if (kind === 1) return text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 8));
  if (kind === 2) return text.slice(0, at) + SNIPPETS[Math.floor(r() * SNIPPETS.length)] + text.slice(at);
  const other = Math.floor(r() * text.length);
  return text.slice(0, at) + text.slice(other, other + 12) + text.slice(at);
}

const HOSTILE_OVERRIDES = ["a='; rm -rf ~'", 'a=$(id)', 'model.lr=', '+', '++', '~', '=1', 'a=[1,2', 'a={b:', 'a=${', "a='x", 'a=\\', 'a=1,', 'a=choice(', 'a=range(1,x)',
  'hydra/launcher=nope', '+exp_config=1', '~model', 'model=1', '~model.lr=9', 'a.b.c.d.e.f=1', 'data_config.data_options.db=${oc.env:NOPE}',
  'exp_config.name=${exp_config.name}', 'x@y=z', '@=1', 'a..b=1', 'a[0=1', 'model.lr=\n', 'model.lr=\u0000', 'a=interval(0,1)'];

test(`2,500 mutated BAIT config trees compose to errors or configs, never a throw (seed ${SEED})`, () => {
  const files = readTree(BAIT);
  const names = Object.keys(files).filter((f) => !f.startsWith('sweeps/'));
  const r = rng(SEED);
  let errors = 0;
  for (let i = 0; i < 2500; i++) {
    const tree = { ...files };
    const victim = names[Math.floor(r() * names.length)]!;
    let text = tree[victim]!;
    const n = 1 + Math.floor(r() * 3);
    for (let j = 0; j < n; j++) text = mutate(text, r);
    tree[victim] = text;
    const primary = names[Math.floor(r() * names.length)]!.replace(/\.yaml$/, '');
    const overrides = r() < 0.3 ? [HOSTILE_OVERRIDES[Math.floor(r() * HOSTILE_OVERRIDES.length)]!] : [];
    let res;
    try {
      res = compose({ source: new MemorySource(tree), configName: primary, overrides });
      if (res.config) resolveTree(res.config, { env: {}, now: new Date(0), hydra: undefined });
    } catch (e) {
      assert.fail(`case ${i}: compose threw on ${victim} (primary ${primary}, overrides ${JSON.stringify(overrides)}; ${AGAIN}): ${(e as Error).stack}\n---\n${text}`);
    }
    if (res.errors.length) {
      errors++;
      for (const e of res.errors) assert.ok(e.code && e.message, 'errors carry a code and a message');
    }
  }
  assert.ok(errors > 100, `mutations produce errors (${errors})`);
});

test('cyclic defaults are an error naming the cycle, not a crash', () => {
  const src = new MemorySource({ 'a.yaml': 'defaults:\n  - b\n  - _self_\nx: 1\n', 'b.yaml': 'defaults:\n  - c\n', 'c.yaml': 'defaults:\n  - a\n' });
  const res = compose({ source: src, configName: 'a' });
  assert.equal(res.errors[0]?.code, 'defaults-cycle');
  assert.deepEqual(res.errors[0]?.data?.cycle, ['a', 'b', 'c', 'a']);
  assert.match(res.errors[0]!.message, /a -> b -> c -> a/);
});

test('deep nesting does not overflow the stack', () => {
  const deep = 'a:\n' + Array.from({ length: 2000 }, (_, i) => ' '.repeat(2 * (i + 1)) + 'a:').join('\n') + ' 1\n';
  const res = compose({ source: new MemorySource({ 'c.yaml': deep }), configName: 'c' });
  assert.ok(res.errors.length > 0 || res.config);
});
