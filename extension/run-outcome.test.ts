// How a runner process's end is read: on the real bundled runner's output (a bad override, an unavailable
// accelerator, a finished tiny run), and on the files a failed sweep job leaves (launcher.log, sweep.json's error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyExit, endLine, errorLocation, firstErrorLine, runDirOf, stripAnsi } from './run-outcome.js';
import { failureReason, logFileOf } from './run-dirs/failure.js';
import { splitOverrideText } from './override-text.js';

const root = join(__dirname, '..');
const runner = join(root, 'dist/runner.js');

function bait(args: string[], cwd: string): { code: number | null; output: string } {
  const r = spawnSync(process.execPath, [runner, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

test('exit codes: 0 completed, 130 and SIGINT/SIGTERM stopped (not errors), anything else failed', () => {
  assert.equal(classifyExit(0, null), 'completed');
  assert.equal(classifyExit(130, null), 'stopped');
  assert.equal(classifyExit(null, 'SIGTERM'), 'stopped');
  assert.equal(classifyExit(null, 'SIGINT'), 'stopped');
  assert.equal(classifyExit(1, null), 'failed');
  assert.equal(classifyExit(3, null), 'failed');
  assert.equal(classifyExit(null, 'SIGKILL'), 'failed');
  assert.equal(endLine('run', 'failed', 1, null), 'run ended: failed (exit 1)');
  assert.equal(endLine('run', 'completed', 0, null), 'run ended: completed');
  assert.equal(endLine('sweep', 'stopped', null, 'SIGTERM'), 'sweep ended: stopped (SIGTERM)');
});

test('the real runner: an unknown accelerator fails with a first line that says why', { skip: !existsSync(runner) && 'dist not built' }, () => {
  const cwd = mkdtempSync(join(tmpdir(), 'bait-outcome-'));
  try {
    const r = bait(['run', 'premise_selection/mizar40/bag_of_words', 'trainer.accelerator=tpu', '--config-dir', join(root, 'configs')], cwd);
    assert.equal(classifyExit(r.code, null), 'failed');
    const line = firstErrorLine(r.output)!;
    assert.match(line, /^override #1 'trainer\.accelerator=tpu', column \d+: error: .*unknown accelerator "tpu"/);
    assert.equal(runDirOf(r.output), undefined, 'no run directory is made for a config error');
    const bad = bait(['run', 'premise_selection/mizar40/bag_of_words', 'trainer.nope=1', '--config-dir', join(root, 'configs')], cwd);
    assert.match(firstErrorLine(bad.output)!, /Could not override 'trainer\.nope'/);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('run directory and error location are read from the runner\'s lines', () => {
  assert.equal(runDirOf('Run ab12cd34 in /w/runs/x/y/2026-12-05/01-02-03\nbackend cpu\n'), '/w/runs/x/y/2026-12-05/01-02-03');
  assert.equal(runDirOf('Resuming run ab12cd34 (attempt 2) from checkpoints/last in /w/r/1\n'), '/w/r/1');
  assert.equal(runDirOf('\u001b[1mRun directory: /w/r/2\u001b[0m\n'), '/w/r/2');
  assert.deepEqual(errorLocation("premise_selection/mizar40/x.yaml:12:5: error: unknown _target_ 'a.B'"),
    { file: 'premise_selection/mizar40/x.yaml', line: 12, col: 5 });
  assert.deepEqual(errorLocation('/abs/configs/a.yml:1:2 bad'), { file: '/abs/configs/a.yml', line: 1, col: 2 });
  assert.equal(errorLocation('error: no file here'), undefined);
  assert.equal(stripAnsi('\u001b[31mred\u001b[0m'), 'red');
  // With no error-looking line, the last line is the best guess; a sweep names its failing job.
  assert.equal(firstErrorLine('a\nb\n\nKilled\n'), 'Killed');
  // A Hydra app's failure: the CLI's closing line with the app's reason, not Hydra's "Error executing job" line.
  const app = "Run abc in /w/outputs/x\nError executing job with overrides: ['+a=1']\nError in call to target 'T':\nTypeError(\"bad a\")\n" +
    "Set the environment variable HYDRA_FULL_ERROR=1 for a complete stack trace.\nbait: run abc failed: the app exited with code 1 (TypeError(\"bad a\")). Log: /w/log.txt\n";
  assert.equal(firstErrorLine(app), 'bait: run abc failed: the app exited with code 1 (TypeError("bad a")). Log: /w/log.txt');
  assert.match(firstErrorLine("bait: cannot start the app: '/no/python' does not exist or is not executable. Point bait.pythonPath\n")!, /^bait: cannot start the app/);
  assert.equal(firstErrorLine('[sweep] job #0 completed\n[sweep] job #1 failed: exit 1 on local\n[sweep] 1 completed, 1 failed'),
    '[sweep] job #1 failed: exit 1 on local');
});

test('a failed sweep job: the reason comes from launcher.log, else from sweep.json; the log is launcher.log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bait-job-'));
  try {
    assert.equal(failureReason(dir, 'exit 1 on local'), 'exit 1 on local');
    assert.equal(logFileOf(dir), undefined);
    writeFileSync(join(dir, 'launcher.log'), 'starting\nerror: config key \'trainer.accelerator\': needs tfjs-node\n');
    assert.equal(failureReason(dir, 'exit 1 on local'), "error: config key 'trainer.accelerator': needs tfjs-node");
    assert.equal(logFileOf(dir), join(dir, 'launcher.log'));
    // A run's own log.txt wins: it is what the training loop wrote.
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'log.txt'), 'Run x in /d\nerror: the experiment failed: NaN loss at step 3\n');
    assert.equal(failureReason(dir), 'error: the experiment failed: NaN loss at step 3');
    assert.equal(logFileOf(dir), join(dir, 'log.txt'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('typed overrides split at spaces outside quotes and brackets; an open quote or bracket is named', () => {
  assert.deepEqual(splitOverrideText("a=1  model.name='x y' +t.devices=[0, 1] d={k: v}").overrides,
    ['a=1', "model.name='x y'", '+t.devices=[0, 1]', 'd={k: v}']);
  assert.deepEqual(splitOverrideText('x="it\\"s here" ~y').overrides, ['x="it\\"s here"', '~y']);
  assert.deepEqual(splitOverrideText('').overrides, []);
  assert.match(splitOverrideText("a='open").error!, /quote ' at column 3 is not closed/);
  assert.match(splitOverrideText('a=[1, 2').error!, /add \]/);
});
