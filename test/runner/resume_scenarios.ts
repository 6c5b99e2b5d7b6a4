// The exact-resume scenarios, run per backend by resume-cpu.test.ts, resume-wasm.test.ts and webgpu.test.ts: a run killed (kill -9,
// or SIGTERM in the middle of an epoch, with a torn last metrics line) and resumed must end with the same weights,
// optimizer state and metrics, bit for bit, as an uninterrupted run on the same backend.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCheckpoint } from '../../runner/checkpoint/store.js';
import { readMetrics, SUPERSEDED_FILE } from '../../runner/run/metrics_log.js';
import { resumeCommand } from '../../runner/run/resume.js';
import { checkpointStep, comparableMetrics, killWithRowsPastCheckpoint, runJobProcess, startJob, waitFor } from './helpers.js';

/** The backends these scenarios run on (webgpu on Mesa's lavapipe in CI: test/runner/webgpu.test.ts). */
export type Backend = 'cpu' | 'wasm' | 'webgpu';

/** Another model than the tiny experiment's: `name` goes into the run dirs' names, `overrides` onto every run. */
export interface Variant { name: string; overrides: string[] }
const TINY: Variant = { name: '', overrides: [] };

/** The tiny experiment with transformer encoders (nhead 2, nlayers 2, d_hid 32, dropout 0.1 from its keys). */
export const TRANSFORMER: Variant = { name: '-transformer', overrides: ['goal_embedding_module', 'premise_embedding_module']
  .map((k) => `model.${k}._target_=bait.models.TransformerEncoder`) };

export function backendOverrides(backend: Backend, dir: string, slowMs: number, variant = TINY): string[] {
  return [`exp_config.directory=${dir}`, `trainer.accelerator=${backend}`, `trainer.callbacks.0.ms=${slowMs}`, ...variant.overrides];
}

/** The uninterrupted reference run. */
export async function referenceRun(ws: string, backend: Backend, variant = TINY): Promise<string> {
  const dir = join(ws, 'runs', `${backend}${variant.name}-reference`);
  const r = await runJobProcess(ws, backendOverrides(backend, dir, 0, variant));
  assert.equal(r.code, 0, r.stderr + r.stdout);
  return dir;
}

export function assertSameFinalState(reference: string, resumed: string): void {
  const a = readCheckpoint(join(reference, 'checkpoints', 'last'));
  const b = readCheckpoint(join(resumed, 'checkpoints', 'last'));
  assert.deepEqual(b.manifest.progress, a.manifest.progress);
  assert.equal(b.tensors.length, a.tensors.length);
  for (let i = 0; i < a.tensors.length; i++) {
    const x = a.tensors[i]!;
    const y = b.tensors[i]!;
    assert.equal(y.name, x.name);
    assert.ok(Buffer.from(x.values.buffer).equals(Buffer.from(y.values.buffer)), `${x.name} differs after resume`);
  }
  assert.equal(b.manifest.tensors_sha256, a.manifest.tensors_sha256);
  assert.deepEqual(b.manifest.metrics, a.manifest.metrics);
  assert.deepEqual(comparableMetrics(join(resumed, 'metrics.jsonl')), comparableMetrics(join(reference, 'metrics.jsonl')));
}

async function resume(dir: string): Promise<void> {
  const { overrides } = resumeCommand(dir);
  const r = await runJobProcess(dirname2(dir), overrides);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /Resuming run \w+ \(attempt 2\) from checkpoints\/last/);
}

/** The workspace a run directory belongs to (runs live in <ws>/runs/<name>). */
function dirname2(dir: string): string {
  return join(dir, '..', '..');
}

export async function killNineAndResume(ws: string, backend: Backend, reference: string, variant = TINY): Promise<void> {
  const dir = join(ws, 'runs', `${backend}${variant.name}-kill9`);
  const job = startJob(ws, backendOverrides(backend, dir, 25, variant));
  await killWithRowsPastCheckpoint(job, dir);
  const killed = await job.done;
  assert.equal(killed.signal, 'SIGKILL');
  const before = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.equal(before.status, 'running', 'a killed run cannot record its end');
  const stepAtKill = checkpointStep(join(dir, 'checkpoints', 'last'));
  assert.ok(stepAtKill < 40, 'the run was killed before it finished');
  const lost = readMetrics(join(dir, 'metrics.jsonl')).filter((r) => r.step > stepAtKill).length;
  assert.ok(lost > 0, 'the killed attempt logged rows past its last checkpoint');

  await resume(dir);
  assertSameFinalState(reference, dir);
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.equal(run.status, 'completed');
  assert.deepEqual(run.attempts.map((a: { attempt: number }) => a.attempt), [1, 2]);
  assert.equal(run.attempts[1].resumed_from, 'checkpoints/last');
  const rows = readMetrics(join(dir, 'metrics.jsonl'));
  const attempts = new Set(rows.map((r) => r.attempt));
  assert.deepEqual([...attempts].sort(), [1, 2], 'metrics.jsonl shows both attempts');
  // Every step once: the rows attempt 1 logged after its last checkpoint were moved out, not mixed in.
  assert.deepEqual(rowKeys(rows), rowKeys(readMetrics(join(reference, 'metrics.jsonl'))));
  const superseded = readMetrics(join(dir, SUPERSEDED_FILE));
  assert.equal(superseded.length, lost, 'each row of the lost stretch is kept, marked superseded');
  assert.ok(superseded.every((r) => r.attempt === 1 && r.superseded_by === 2 && r.step > stepAtKill), JSON.stringify(superseded));
}

/** Each row's step and metric names, in file order: duplicates of a step would show. */
function rowKeys(rows: Array<Record<string, number>>): string[] {
  return rows.map((r) => `${r.step}:${Object.keys(r).filter((k) => !['time', 'attempt'].includes(k)).sort().join(',')}`);
}

export async function sigtermTornLineAndResume(ws: string, backend: Backend, reference: string): Promise<void> {
  const dir = join(ws, 'runs', `${backend}-sigterm`);
  const job = startJob(ws, backendOverrides(backend, dir, 25));
  await waitFor(() => readMetrics(join(dir, 'metrics.jsonl')).some((r) => r.step >= 13), 60_000, 'step 13');
  job.child.kill('SIGTERM');
  const stopped = await job.done;
  assert.equal(stopped.code, 130, stopped.stderr + stopped.stdout);
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.equal(run.status, 'stopped');
  const last = readCheckpoint(join(dir, 'checkpoints', 'last')).manifest.progress;
  assert.ok(last.global_step >= 13 && last.global_step < 40, `stopped at ${last.global_step}`);
  assert.equal(last.batch_in_epoch, last.global_step, 'in the middle of the first epoch');

  // A writer killed mid-row leaves a torn line; the resumed run must cope.
  appendFileSync(join(dir, 'metrics.jsonl'), '{"step": 99, "epoch": 0, "lo');
  await resume(dir);
  assert.ok(readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l).every((l) => JSON.parse(l)),
    'the torn line was cut off, every line parses');
  assertSameFinalState(reference, dir);
}
