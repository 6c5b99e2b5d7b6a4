import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toColumns } from '../../extension/webviews/to-webview.js';
import type { MetricsRun } from '../contract.js';
import { runMarkers, valueAt } from './markers.js';

const run = (rows: Record<string, number>[], bestStep?: number): MetricsRun =>
  ({ key: 'k', label: 'k', status: 'completed', overrides: [], bestStep, columns: toColumns(rows) });

test('resume markers sit at the first row of each later attempt; the best marker at the first row at or after its step', () => {
  const rows = [0, 10, 20, 30, 40, 50].map((step, i) => ({ step, epoch: Math.floor(i / 2), attempt: i < 2 ? 1 : i < 4 ? 2 : 3, loss: 1 / (i + 1) }));
  const m = runMarkers(run(rows, 25), 'step');
  assert.deepEqual(m.resumes, [{ x: 20, attempt: 2 }, { x: 40, attempt: 3 }]);
  assert.deepEqual(m.best, { x: 30, row: 3 });
  assert.deepEqual(runMarkers(run(rows, 25), 'epoch').resumes.map((r) => r.x), [1, 2]);
  assert.equal(runMarkers(run(rows), 'step').best, undefined);
  assert.equal(valueAt(run(rows), 'loss', 3), 0.25);
  // A metric logged only every other row: the nearest earlier value.
  assert.equal(valueAt(run([{ step: 0, acc: 0.5 }, { step: 1, loss: 1 }]), 'acc', 1), 0.5);
});
