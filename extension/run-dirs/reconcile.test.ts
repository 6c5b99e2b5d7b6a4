import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFixtureRun } from '../../test/e2e/fixture-runs.js';
import { reconcile } from './reconcile.js';
import { scanRunsRoots } from './scan.js';
import { buildExplorerTree, type ExplorerNode } from './tree.js';

function find(ns: ExplorerNode[], pred: (n: ExplorerNode) => boolean): ExplorerNode | undefined {
  for (const n of ns) {
    if (pred(n)) return n;
    const c = find(n.children, pred);
    if (c) return c;
  }
  return undefined;
}

test('a reload keeps node objects and names only the rows that changed; a new top-level group refreshes all', () => {
  const root = mkdtempSync(join(tmpdir(), 'bait-reconcile-'));
  try {
    const a = writeFixtureRun({ root, stamp: '2026-11-28/10-00-00', status: 'running', checkpoints: { last: 0 } });
    writeFixtureRun({ root, stamp: '2026-11-28/11-00-00' });
    const first = reconcile([], buildExplorerTree(scanRunsRoots([root])));
    assert.equal(first.changed, undefined);
    const runA = find(first.roots, (n) => n.kind === 'run' && n.run.dir === a)!;
    // Nothing changed on disk: nothing to refresh, same objects.
    const same = reconcile(first.roots, buildExplorerTree(scanRunsRoots([root])));
    assert.deepEqual(same.changed, []);
    assert.equal(find(same.roots, (n) => n.id === runA.id), runA);
    // The running run completes: its row (and its group's count row stays) is refreshed, the object is the same.
    const rj = JSON.parse(readFileSync(join(a, 'run.json'), 'utf8'));
    writeFileSync(join(a, 'run.json'), JSON.stringify({ ...rj, status: 'completed' }));
    const done = reconcile(same.roots, buildExplorerTree(scanRunsRoots([root])));
    assert.deepEqual(done.changed!.map((n) => n.id), [runA.id]);
    assert.equal(find(done.roots, (n) => n.id === runA.id), runA);
    assert.equal(runA.kind === 'run' && runA.run.status, 'completed', 'the kept object carries the new data');
    // A run of a new experiment adds a top-level row: everything is refreshed.
    writeFixtureRun({ root, experiment: 'other_exp', stamp: '2026-11-28/12-00-00' });
    assert.equal(reconcile(done.roots, buildExplorerTree(scanRunsRoots([root]))).changed, undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
