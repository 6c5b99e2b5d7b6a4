// Reading run directories as the runner writes them: run.json, checkpoints, metrics.jsonl with a torn last line,
// sweeps, forks; and the explorer tree built from them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFixtureRun, writeFixtureSweep } from '../../test/e2e/fixture-runs.js';
import { MetricsFollower, readMetricsFile } from './metrics.js';
import { readRun } from './read-run.js';
import { scanRunsRoots } from './scan.js';
import { buildExplorerTree, type ExplorerNode } from './tree.js';

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'bait-runs-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('a run directory reads into a record with attempts, checkpoints and the best one marked', (t) => {
  const root = tmp(t);
  const dir = writeFixtureRun({ root, id: 'abc12345', attempts: 2, status: 'running',
    checkpoints: { 'epoch=1-loss=0.50': 0.5, 'epoch=2-loss=0.30': 0.3, last: 0 } });
  const r = readRun(dir);
  assert.equal(r.id, 'abc12345');
  assert.equal(r.status, 'running');
  assert.equal(r.experiment, 'premise_selection');
  assert.deepEqual(r.attempts.map((a) => [a.index, a.status, a.resumedFrom]), [[1, 'stopped', undefined], [2, 'running', 'last']]);
  const best = r.checkpoints.filter((c) => c.isBest).map((c) => c.name);
  assert.deepEqual(best, ['epoch=2-loss=0.30']);
  assert.equal(r.checkpoints.find((c) => c.name === 'last')?.isLast, true);
  assert.equal(r.checkpoints.find((c) => c.name === 'last')?.attempt, 2);
  assert.deepEqual(r.problems, []);
});

test('an interrupted checkpoint (<name>.tmp) and a checkpoint without manifest are never listed', (t) => {
  const root = tmp(t);
  const dir = writeFixtureRun({ root, checkpoints: { last: 0 } });
  mkdirSync(join(dir, 'checkpoints/epoch=3.tmp'), { recursive: true });
  writeFileSync(join(dir, 'checkpoints/epoch=3.tmp/manifest.json'), '{}');
  mkdirSync(join(dir, 'checkpoints/half-written'), { recursive: true });
  assert.deepEqual(readRun(dir).checkpoints.map((c) => c.name), ['last']);
});

test('a torn run.json becomes a problem, not an exception', (t) => {
  const root = tmp(t);
  const dir = writeFixtureRun({ root });
  writeFileSync(join(dir, 'run.json'), '{"id": "x", "stat');
  const r = readRun(dir);
  assert.equal(r.status, 'unknown');
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0], /run\.json: not valid JSON/);
});

test('metrics: a torn last line is held back until its newline arrives, then read once', (t) => {
  const root = tmp(t);
  const dir = writeFixtureRun({ root, steps: 3, tornTail: '{"step": 3, "lo' });
  const file = join(dir, 'metrics.jsonl');
  assert.deepEqual(readMetricsFile(file).map((r) => r.step), [0, 1, 2]);
  const f = new MetricsFollower(file);
  assert.equal(f.read().rows.length, 3);
  assert.equal(f.read().rows.length, 0);
  appendFileSync(file, 'ss": 0.25}\n{"step": 4, "loss": 0.2');
  assert.deepEqual(f.read().rows, [{ step: 3, loss: 0.25 }]);
  appendFileSync(file, '}\n');
  assert.deepEqual(f.read().rows, [{ step: 4, loss: 0.2 }]);
});

test('metrics: multi-byte text split between reads stays whole, bad lines are reported, NaN dropped', (t) => {
  const root = tmp(t);
  const file = join(root, 'metrics.jsonl');
  const line = Buffer.from('{"step": 1, "note": "é", "loss": 0.5, "acc": null}\n');
  const cut = line.indexOf(0xc3) + 1;
  writeFileSync(file, line.subarray(0, cut));
  const f = new MetricsFollower(file);
  assert.deepEqual(f.read().rows, []);
  appendFileSync(file, Buffer.concat([line.subarray(cut), Buffer.from('not json\n')]));
  const r = f.read();
  assert.deepEqual(r.rows, [{ step: 1, loss: 0.5 }]);
  assert.deepEqual(r.badLines, [2]);
});

test('metrics: a file rewritten shorter starts over', (t) => {
  const root = tmp(t);
  const file = join(root, 'metrics.jsonl');
  writeFileSync(file, '{"step":1}\n{"step":2}\n');
  const f = new MetricsFollower(file);
  assert.equal(f.read().rows.length, 2);
  writeFileSync(file, '{"step":9}\n');
  const r = f.read();
  assert.equal(r.restarted, true);
  assert.deepEqual(r.rows, [{ step: 9 }]);
});

test('metrics: a file replaced by rename (a resume moved re-run rows out) starts over, even when it grew meanwhile', (t) => {
  const root = tmp(t);
  const file = join(root, 'metrics.jsonl');
  writeFileSync(file, '{"step":1}\n{"step":2}\n{"step":3}\n');
  const f = new MetricsFollower(file);
  assert.equal(f.read().rows.length, 3);
  writeFileSync(`${file}.new`, '{"step":1}\n{"step":2,"attempt":2}\n{"step":3,"attempt":2}\n{"step":4,"attempt":2}\n');
  renameSync(`${file}.new`, file);
  const r = f.read();
  assert.equal(r.restarted, true);
  assert.deepEqual(r.rows.map((x) => x.step), [1, 2, 3, 4]);
});

function find(nodes: ExplorerNode[], pred: (n: ExplorerNode) => boolean): ExplorerNode | undefined {
  for (const n of nodes) {
    if (pred(n)) return n;
    const c = find(n.children, pred);
    if (c) return c;
  }
  return undefined;
}

test('explorer tree: experiment/name groups, sweeps with their jobs, forks under the checkpoint they came from', (t) => {
  const root = tmp(t);
  const parent = writeFixtureRun({ root, id: 'parent01', stamp: '2026-11-28/09-00-00', attempts: 2,
    checkpoints: { 'epoch=1': 0.4, last: 0 } });
  writeFixtureRun({ root, id: 'fork0001', stamp: '2026-11-28/09-30-00', parent: { run: parent, checkpoint: 'epoch=1' } });
  writeFixtureRun({ root, id: 'fork0002', stamp: '2026-11-28/09-40-00', parent: { run: 'parent01', checkpoint: 'gone' } });
  writeFixtureRun({ root, id: 'other001', name: 'transformer' });
  writeFixtureSweep(root, [{ overrides: ['lr=0.1'] }, { overrides: ['lr=0.01'], status: 'failed' }]);
  const tree = buildExplorerTree(scanRunsRoots([root]));
  assert.deepEqual(tree.map((n) => n.label), ['premise_selection']);
  assert.deepEqual(tree[0].children.map((n) => n.label), ['bag_of_words', 'transformer']);
  const bow = tree[0].children[0];
  // The sweep and the parent run are at the top of the group; forks and sweep jobs are nested.
  assert.deepEqual(bow.children.map((n) => n.kind).sort(), ['run', 'sweep']);
  const sweep = bow.children.find((n) => n.kind === 'sweep')!;
  assert.deepEqual(sweep.children.map((n) => n.label), ['#0 lr=0.1', '#1 lr=0.01']);
  assert.match(sweep.children[1].description ?? '', /^failed/);
  const p = bow.children.find((n) => n.kind === 'run')!;
  assert.equal(p.kind === 'run' && p.run.id, 'parent01');
  assert.deepEqual(p.children.map((n) => n.label), ['attempt 1', 'attempt 2', '★ epoch=1', 'last', '2026-11-28 09-40-00']);
  const ck = p.children.find((n) => n.label === '★ epoch=1')!;
  assert.deepEqual(ck.children.map((n) => n.kind === 'run' && n.run.id), ['fork0001']);
  assert.ok(find(tree, (n) => n.kind === 'run' && n.run.id === 'fork0002'));
});

test('explorer tree: a fork cycle in hand-edited run.json files still shows every run once', (t) => {
  const root = tmp(t);
  writeFixtureRun({ root, id: 'aaaa', stamp: '2026-11-28/01-00-00', parent: { run: 'bbbb', checkpoint: 'last' } });
  writeFixtureRun({ root, id: 'bbbb', stamp: '2026-11-28/02-00-00', parent: { run: 'aaaa', checkpoint: 'last' } });
  const tree = buildExplorerTree(scanRunsRoots([root]));
  const ids: string[] = [];
  const walk = (ns: ExplorerNode[]): void => ns.forEach((n) => { if (n.kind === 'run') ids.push(n.run.id); walk(n.children); });
  walk(tree);
  assert.deepEqual(ids.sort(), ['aaaa', 'bbbb']);
});

test('a run directory as the runner writes it: index.json names the best and describes each checkpoint', (t) => {
  const root = tmp(t);
  const dir = join(root, 'premise_selection/e2e_tiny/2026_11_28/00_54_59');
  mkdirSync(join(dir, 'checkpoints/epoch=0-step=10-acc=0.5'), { recursive: true });
  mkdirSync(join(dir, 'checkpoints/last'), { recursive: true });
  writeFileSync(join(dir, 'checkpoints/epoch=0-step=10-acc=0.5/manifest.json'), '{"format":1,"progress":{"global_step":10}}');
  writeFileSync(join(dir, 'checkpoints/last/manifest.json'), '{"format":1,"progress":{"epoch":0,"global_step":20}}');
  writeFileSync(join(dir, 'checkpoints/index.json'), JSON.stringify({ last: 'last', best: 'epoch=0-step=10-acc=0.5',
    best_k: { 'epoch=0-step=10-acc=0.5': 0.5 }, monitor: 'acc', mode: 'max',
    checkpoints: [{ name: 'epoch=0-step=10-acc=0.5', epoch: 0, step: 10 }, { name: 'last', epoch: 0, step: 20 }] }));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ id: 'nto1n8af', experiment: 'premise_selection', name: 'e2e_tiny',
    status: 'completed', overrides: [], attempts: [
      { attempt: 1, resumed_from: null, started: '2026-11-28T00:55:00.093Z', status: 'completed' },
      { attempt: 2, resumed_from: 'checkpoints/last', started: '2026-11-28T00:55:04.679Z', status: 'completed' }],
    parent: null, sweep: null }));
  const r = readRun(dir);
  assert.deepEqual(r.checkpoints.map((c) => [c.name, c.step, c.isBest, c.isLast]),
    [['epoch=0-step=10-acc=0.5', 10, true, false], ['last', 20, false, true]]);
  assert.deepEqual(r.attempts.map((a) => a.resumedFrom), [undefined, 'last']);
  assert.equal(r.parent, undefined);
  assert.equal(r.mode, 'max');
  const tree = buildExplorerTree(scanRunsRoots([root]));
  assert.equal(tree[0].children[0].children[0].label, '2026_11_28 00_54_59');
});
