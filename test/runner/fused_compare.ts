// Shared by the fused-step tests (fused-meanpool.test.ts, fused-transformer.test.ts): a fused step against the
// tfjs-op path it replaces on wasm, for one batch (loss and every gradient) and over a short training run (weights,
// Adam's moments and losses from the real Trainer's checkpoints).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readCheckpoint } from '../../runner/checkpoint/store.js';
import { PremiseDataModule } from '../../runner/data/premise_datamodule.js';
import { forwardContext } from '../../runner/models/module.js';
import type { PremiseSelection } from '../../runner/models/premise_selection.js';
import type { FusedStep } from '../../runner/train/fused_step.js';
import { parseTrainerOptions } from '../../runner/train/options.js';
import { Progress } from '../../runner/train/progress.js';
import { Trainer } from '../../runner/train/trainer.js';
import { DATA } from './helpers.js';

export function pairData(batch: number, maxLen = 64): PremiseDataModule {
  const d = new PremiseDataModule({ config: { batch_size: batch, attributes: { max_len: maxLen }, data_options: { dir: DATA } } });
  d.setup();
  return d;
}

/** |a - b| <= tol * (scale + |b|) elementwise, scale being b's largest magnitude (at least `floor`). */
export function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string, floor = 0): void {
  assert.equal(a.length, b.length, what);
  let scale = floor;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i]! - b[i]!) / (scale + Math.abs(b[i]!));
    assert.ok(err <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]} (relative to ${scale})`);
  }
}

/**
 * For batches `indices` of the first epoch: the fused step's loss within `lossTol` (relative) and every gradient
 * within `gradTol` (close()) of tfjs's; every parameter's gradient somewhere non-zero.
 */
export function sameGradients(m: PremiseSelection, dm: PremiseDataModule, fused: FusedStep, indices: number[], lossTol: number,
  gradTol: number, floorFraction = 0): void {
  const params = m.namedParameters();
  const order = dm.epochOrder(1, 0);
  for (const index of indices) {
    const b = dm.trainBatch(order, index);
    const loss = fused.forward(b, forwardContext(true, 1, index));
    fused.backward();
    const got = fused.gradients();
    const vars = params.map(([, v]) => v);
    const want = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => m.loss(b, forwardContext(true, 1, index)), vars);
      return { loss: value.dataSync()[0]!, grads: vars.map((v) => Float32Array.from(grads[v.name]!.dataSync())) };
    });
    assert.ok(Math.abs(loss - want.loss) <= lossTol * Math.abs(want.loss), `loss ${loss} vs ${want.loss}`);
    // Some gradients are zero in exact arithmetic and rounding noise in both paths (the attention key's bias: a
    // softmax does not change when every score of a row moves by the same q.b); `floorFraction` compares each
    // tensor at that fraction of the model's largest gradient at least.
    const floor = floorFraction * Math.max(...want.grads.map((g) => g.reduce((x, y) => Math.max(x, Math.abs(y)), 0)));
    params.forEach(([name], i) => {
      close(got[i]!, want.grads[i]!, gradTol, `${name} gradient`, floor);
      assert.ok(got[i]!.some((x) => x !== 0), `${name}: a gradient that is all zero tests nothing`);
    });
  }
}

/** Trains `steps` steps with the real Trainer (fused or on the tfjs ops), saving `last`; its dir and losses. */
export async function trainRun(tmp: string, make: () => { model: PremiseSelection; data: PremiseDataModule }, fused: boolean,
  steps: number, kernel: string): Promise<{ dir: string; losses: number[] }> {
  const { model, data } = make();
  const dir = mkdtempSync(join(tmp, fused ? 'fused-' : 'ops-'));
  const losses: number[] = [];
  const opts = parseTrainerOptions({ max_steps: steps, limit_val_batches: 0, gradient_clip_val: 0.5, log_every_n_steps: 1,
    enable_progress_bar: false }, []);
  const trainer = new Trainer(opts, {
    model, data, callbacks: [], seed: 3, attempt: 1, runDir: dir, checkpointDir: join(dir, 'checkpoints'),
    metrics: { append: (row) => losses.push(row.loss as number) }, progress: new Progress(false, false, () => {}),
    print: () => {}, backend: 'wasm', config: {}, stopFile: join(dir, 'stop'), fused,
  });
  assert.deepEqual(trainer.stepKernels, fused ? [kernel] : [], 'the step taken');
  await trainer.fit();
  await trainer.saveCheckpoint(join(dir, 'checkpoints'), 'last');
  model.dispose();
  return { dir, losses };
}

/** Two runs' `last` checkpoints: every tensor within `tol` (close()) but those `skip` matches, the same progress. */
export function sameCheckpoints(a: string, b: string, tol: number, skip?: RegExp): void {
  const x = readCheckpoint(join(a, 'checkpoints', 'last'));
  const y = readCheckpoint(join(b, 'checkpoints', 'last'));
  assert.equal(x.tensors.length, y.tensors.length);
  for (let i = 0; i < x.tensors.length; i++) {
    assert.equal(x.tensors[i]!.name, y.tensors[i]!.name);
    if (skip?.test(x.tensors[i]!.name)) continue;
    close(x.tensors[i]!.values, y.tensors[i]!.values, tol, x.tensors[i]!.name);
  }
  assert.deepEqual(x.manifest.progress, y.manifest.progress);
}

/** The sha256 over both runs' checkpoint tensors is the same. */
export function sameBits(a: string, b: string): void {
  const x = readCheckpoint(join(a, 'checkpoints', 'last'));
  const y = readCheckpoint(join(b, 'checkpoints', 'last'));
  assert.equal(x.manifest.tensors_sha256, y.manifest.tensors_sha256);
}
