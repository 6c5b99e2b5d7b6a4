// The runs table's rows, config diff and annotations on run directories written in the runner's layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFixtureRun, writeFixtureSweep } from '../../test/e2e/fixture-runs.js';
import { writeRunRecord, type RunRecord as RunnerRecord } from '../../runner/run/run_record.js';
import { annotateRun } from './annotate.js';
import { configDiff, flattenConfig, readRunConfig } from './config-diff.js';
import { scanRunsRoots } from './scan.js';
import { runDuration, tableRows } from './table-rows.js';

test('every run and every job without a run becomes a row, with duration, best score, reason and sweep', () => {
  const root = mkdtempSync(join(tmpdir(), 'bait-table-'));
  try {
    const single = writeFixtureRun({ root, id: 'single01', attempts: 2, checkpoints: { 'epoch=1': 0.4, 'epoch=2': 0.2, last: 0 } });
    const sweep = writeFixtureSweep(root, [{ overrides: ['lr=0.1'] }, { overrides: ['lr=0.01'], status: 'failed' }]);
    // A third job that failed before its run directory had a run.json (config error): only launcher.log.
    const manifest = JSON.parse(readFileSync(join(sweep.dir, 'sweep.json'), 'utf8'));
    manifest.jobs.push({ num: 2, overrides: ['lr=oops'], status: 'failed', dir: '2', error: 'exit 1' });
    writeFileSync(join(sweep.dir, 'sweep.json'), JSON.stringify(manifest));
    mkdirSync(join(sweep.dir, '2'));
    writeFileSync(join(sweep.dir, '2/launcher.log'), "error: Could not override 'lr'\n");
    writeFileSync(join(sweep.runs[1], 'log.txt'), 'Run x in /d\nerror: the experiment failed: NaN loss\n');
    const rows = tableRows(scanRunsRoots([root]), Date.parse('2026-11-28T11:00:00Z'));
    assert.equal(rows.length, 4);
    const s = rows.find((r) => r.key === single)!;
    assert.equal(s.id, 'single01');
    assert.equal(s.durationS, 60, 'two attempts of 30 s each');
    assert.deepEqual(s.best, { metric: 'loss', value: 0.2, mode: 'min' });
    assert.equal(s.sweep, undefined);
    const failed = rows.find((r) => r.key === sweep.runs[1])!;
    assert.deepEqual([failed.label, failed.sweep?.jobNum, failed.reason], ['#1', 1, 'error: the experiment failed: NaN loss']);
    const job = rows.find((r) => r.key === join(sweep.dir, '2'))!;
    assert.deepEqual([job.jobOnly, job.status, job.reason, job.overrides], [true, 'failed', "error: Could not override 'lr'", ['lr=oops']]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a running attempt counts up to now', () => {
  const run = { attempts: [{ index: 1, started: '2026-11-28T10:00:00Z', status: 'running' }], status: 'running' } as never;
  assert.equal(runDuration(run, Date.parse('2026-11-28T10:02:00Z')), 120);
});

test('config diff: only keys whose composed values differ, absent keys shown as such', () => {
  const root = mkdtempSync(join(tmpdir(), 'bait-diff-'));
  try {
    const a = writeFixtureRun({ root, stamp: '2026-11-28/10-00-00' });
    const b = writeFixtureRun({ root, stamp: '2026-11-28/10-00-01' });
    writeFileSync(join(a, '.hydra/config.yaml'), 'model:\n  lr: 0.1\n  layers: [1, 2]\ntrainer:\n  seed: 1\n');
    writeFileSync(join(b, '.hydra/config.yaml'), 'model:\n  lr: 0.01\n  layers: [1, 2]\ntrainer:\n  seed: 1\n  extra: x\n');
    const d = configDiff(['a', 'b'], [readRunConfig(a), readRunConfig(b)]);
    assert.deepEqual(d, { runs: ['a', 'b'], rows: [{ key: 'model.lr', values: ['0.1', '0.01'] }, { key: 'trainer.extra', values: ['(absent)', 'x'] }] });
    writeFileSync(join(a, '.hydra/config.yaml'), `exp_config:\n  directory: ${a}\nseed: 1\n`);
    writeFileSync(join(b, '.hydra/config.yaml'), `exp_config:\n  directory: ${b}\nseed: 2\n`);
    assert.deepEqual(configDiff(['a', 'b'], [readRunConfig(a), readRunConfig(b)], [a, b]).rows.map((r) => r.key), ['seed'],
      'each run\'s own directory is not a difference worth showing');
    assert.deepEqual([...flattenConfig({ a: { b: [1, { c: 2 }] }, e: {} })], [['a.b', '[1,{"c":2}]'], ['e', '{}']]);
    writeFileSync(join(b, '.hydra/config.yaml'), 'model: [unclosed\n');
    assert.match(readRunConfig(b).get('(config)')!, /^unreadable: /);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('tags and notes go into run.json, and the runner keeps them when it rewrites run.json', () => {
  const root = mkdtempSync(join(tmpdir(), 'bait-annotate-'));
  try {
    const dir = writeFixtureRun({ root, status: 'running' });
    annotateRun(dir, { tags: [' baseline ', 'baseline', '', 'lr-sweep'], notes: 'first try' });
    const read = () => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    assert.deepEqual([read().tags, read().notes], [['baseline', 'lr-sweep'], 'first try']);
    // The runner's in-memory record has no tags; its next write (a status change) must not drop the user's.
    const runnerCopy = { ...read(), status: 'completed' } as RunnerRecord;
    delete runnerCopy.tags;
    delete runnerCopy.notes;
    writeRunRecord(dir, runnerCopy);
    assert.deepEqual([read().status, read().tags, read().notes], ['completed', ['baseline', 'lr-sweep'], 'first try']);
    annotateRun(dir, { notes: '  ' });
    assert.equal(read().notes, undefined, 'an empty note is removed');
    assert.equal(scanRunsRoots([root]).runs[0].tags.length, 2);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
