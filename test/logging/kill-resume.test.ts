// kill -9 in the middle of a run, then resume: the W&B run and the TensorBoard scalars must end exactly like an
// uninterrupted run's (resume is bit-exact on cpu), with no row of the lost stretch twice and none missing.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { resumeCommand } from '../../runner/run/resume.js';
import { checkpointStep, killWithRowsPastCheckpoint, makeWorkspace, runJobProcess, startJob } from '../runner/helpers.js';
import { metricsRows, pythonOrSkip, readTensorBoard, readWandb, wandbFileOf, wandbView } from './helpers.js';

const ws = makeWorkspace();
after(() => rmSync(ws, { recursive: true, force: true }));

function history(dir: string) {
  const view = wandbView(readWandb(wandbFileOf(dir)));
  return { rows: view.history.map(({ _runtime, _timestamp, ...rest }) => rest), exits: view.exits.length, runId: view.run!.run_id };
}

test('kill -9 and resume: W&B history and TensorBoard equal an uninterrupted run, each step once', async (t) => {
  if (!pythonOrSkip(t)) return;
  const opts = (dir: string, ms: number) => [`exp_config.directory=${dir}`, 'trainer.accelerator=cpu', `trainer.callbacks.0.ms=${ms}`];
  const reference = join(ws, 'runs', 'reference');
  const ref = await runJobProcess(ws, opts(reference, 0));
  assert.equal(ref.code, 0, ref.stderr + ref.stdout);

  const dir = join(ws, 'runs', 'killed');
  const job = startJob(ws, opts(dir, 25));
  // Killed while rows past its newest checkpoint are logged (frozen first, so a checkpoint cannot land between
  // the check and the kill), so the kill leaves a lost stretch.
  await killWithRowsPastCheckpoint(job, dir);
  assert.equal((await job.done).signal, 'SIGKILL');
  const resumedFrom = checkpointStep(join(dir, 'checkpoints', 'last'));
  assert.ok(metricsRows(dir).some((r) => r.step > resumedFrom), 'the killed attempt logged past its last checkpoint');

  const r = await runJobProcess(ws, resumeCommand(dir).overrides);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const a = history(reference);
  const b = history(dir);
  assert.deepEqual(b.rows, a.rows);
  assert.equal(b.exits, 1);
  // The resume override quotes an id that starts with a digit, as Hydra's grammar needs.
  const idOverride = resumeCommand(dir).overrides.find((o) => o.includes('logging_config.id'))!;
  assert.equal(b.runId, idOverride.split('=')[1]!.replace(/^'(.*)'$/, '$1'));
  assert.deepEqual(readTensorBoard(dir), readTensorBoard(reference));
});
