// The reference-cycle check of diagnostics is linear (issue 16: the quadratic one took most of the 5 MB
// file's 12-70 s). It must agree with the definition it replaced on every graph: a reference to `r` reaches
// every interpolated node at, under or above `r`. Random graphs over a small path space hit all three cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCycle } from '../../language-server/service/diagnostics.js';

const SEP = '\u0001';

/** The definition, written directly (quadratic): the oracle. */
function cycleByDefinition(refs: Map<string, string[]>): boolean {
  const nodes = [...refs.keys()];
  const edges = (from: string) =>
    (refs.get(from) ?? []).flatMap((r) => nodes.filter((n) => n === r || n.startsWith(r + SEP) || r.startsWith(n + SEP)));
  const state = new Map<string, number>();
  const visit = (n: string): boolean => {
    state.set(n, 1);
    for (const m of edges(n)) {
      const st = state.get(m);
      if (st === 1 || (st === undefined && visit(m))) return true;
    }
    state.set(n, 2);
    return false;
  };
  return nodes.some((n) => state.get(n) === undefined && visit(n));
}

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

test('agrees with the quadratic definition on 3,000 random reference graphs', () => {
  const random = rng(16);
  const paths: string[] = [];
  for (const a of ['a', 'b', 'c']) {
    paths.push(a);
    for (const b of ['x', 'y', '0']) {
      paths.push(a + SEP + b);
      for (const c of ['p', 'q']) paths.push(a + SEP + b + SEP + c);
    }
  }
  let cyclic = 0;
  for (let i = 0; i < 3000; i++) {
    const refs = new Map<string, string[]>();
    const n = 1 + Math.floor(random() * 6);
    for (let k = 0; k < n; k++) {
      const from = paths[Math.floor(random() * paths.length)]!;
      const to = Array.from({ length: Math.floor(random() * 3) }, () => paths[Math.floor(random() * paths.length)]!);
      refs.set(from, to);
    }
    const expected = cycleByDefinition(refs);
    if (expected) cyclic++;
    assert.equal(hasCycle(refs), expected, JSON.stringify([...refs].map(([k, v]) => [k.split(SEP).join('.'), v.map((x) => x.split(SEP).join('.'))])));
  }
  assert.ok(cyclic > 300 && cyclic < 2700, `both outcomes are exercised (${cyclic} cyclic)`);
});

test('a chain of 100,000 references (no cycle, then closed into one) does not overflow the stack', () => {
  const refs = new Map<string, string[]>();
  const n = 100_000;
  for (let i = 0; i < n; i++) refs.set(`k${i}`, i + 1 < n ? [`k${i + 1}`] : []);
  assert.equal(hasCycle(refs), false);
  refs.set(`k${n - 1}`, ['k0']);
  assert.equal(hasCycle(refs), true);
});
