// Smoothing, LTTB and alignment of the metrics charts, in Node (no DOM).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignSeries, lttb, smoothEma, validPoints } from './downsample.js';
import { overrideColumns } from './overrides.js';

test('validPoints drops nulls and non-finite values and keeps the later row of a repeated x (a resume)', () => {
  const p = validPoints([0, 1, 2, 1, 2, 3, null], [10, 11, NaN, 21, 22, 23, 5]);
  assert.deepEqual([...p.x], [0, 1, 2, 3]);
  assert.deepEqual([...p.y], [10, 21, 22, 23]);
});

test('EMA smoothing is debiased: a constant series stays constant, weight 0 is the identity', () => {
  const y = Float64Array.from([5, 5, 5, 5]);
  assert.deepEqual([...smoothEma(y, 0.9)].map((v) => Number(v.toFixed(12))), [5, 5, 5, 5]);
  assert.equal(smoothEma(y, 0), y);
  const s = smoothEma(Float64Array.from([0, 10]), 0.5);
  assert.ok(s[1] > 0 && s[1] < 10);
});

test('LTTB keeps first, last and a lone spike, and returns exactly the threshold', () => {
  const n = 10_000;
  const x = Float64Array.from({ length: n }, (_, i) => i);
  const y = Float64Array.from({ length: n }, (_, i) => (i === 4321 ? 100 : Math.sin(i / 500)));
  const idx = lttb(x, y, 500);
  assert.equal(idx.length, 500);
  assert.equal(idx[0], 0);
  assert.equal(idx[499], n - 1);
  assert.ok(idx.includes(4321), 'the spike survives');
  for (let i = 1; i < idx.length; i++) assert.ok(idx[i] > idx[i - 1]);
  assert.equal(lttb(x.subarray(0, 10), y.subarray(0, 10), 500).length, 10);
});

test('alignSeries joins shared x values exactly and snaps many distinct ones to a grid', () => {
  const a = { x: Float64Array.from([0, 1, 2]), y: Float64Array.from([1, 2, 3]) };
  const b = { x: Float64Array.from([1, 3]), y: Float64Array.from([5, 6]) };
  const exact = alignSeries([a, b], 100);
  assert.deepEqual([...exact.x], [0, 1, 2, 3]);
  assert.deepEqual(exact.ys, [[1, 2, 3, null], [null, 5, null, 6]]);
  const many = { x: Float64Array.from({ length: 1000 }, (_, i) => i + 0.5), y: new Float64Array(1000).fill(1) };
  const snapped = alignSeries([many, a], 50);
  assert.equal(snapped.x.length, 50);
  // Points closer than a column share it; the later one is drawn.
  assert.equal(snapped.ys[1][0], 3);
  assert.equal(snapped.ys[0][49], 1);
});

test('override columns: keys in first-seen order, +/++ stripped, missing values empty', () => {
  assert.deepEqual(overrideColumns([['a=1', '+b=x'], ['++b=y', 'c=[1,2]'], ['~a']]), {
    columns: ['a', 'b', 'c'], values: [['1', 'x', ''], ['', 'y', '[1,2]'], ['(deleted)', '', '']],
  });
});
