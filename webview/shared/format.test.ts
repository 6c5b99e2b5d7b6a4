import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatNumber, formatTicks } from './format.js';

test('ticks get just enough digits to differ: no repeated labels', () => {
  assert.deepEqual(formatTicks([0.0015, 0.002, 0.0025]), ['0.0015', '0.002', '0.0025']);
  assert.deepEqual(formatTicks([0.1, 0.2, 0.3]), ['0.1', '0.2', '0.3']);
  assert.deepEqual(formatTicks([0.96, 0.97, 0.98]), ['0.96', '0.97', '0.98']);
  assert.deepEqual(formatTicks([0, 5000, 10000, 15000]), ['0', '5000', '10k', '15k']);
  assert.deepEqual(formatTicks([1e-5, 2e-5]), ['1e-5', '2e-5']);
  for (const ticks of [[0.001, 0.0012, 0.0014, 0.0016], [1.0001, 1.0002, 1.0003], [123456, 123457]]) {
    const labels = formatTicks(ticks);
    assert.equal(new Set(labels).size, ticks.length, `${labels} are distinct`);
  }
});

test('single values: 4 significant digits, suffixes for large, exponents for tiny', () => {
  assert.equal(formatNumber(0.123456), '0.1235');
  assert.equal(formatNumber(1234567), '1.235M');
  assert.equal(formatNumber(0.00001234), '1.234e-5');
  assert.equal(formatNumber(-2), '-2');
  assert.equal(formatNumber(NaN), '');
  assert.equal(formatDuration(3725), '1h 02m');
  assert.equal(formatDuration(185), '3m 05s');
  assert.equal(formatDuration(undefined), '');
});
