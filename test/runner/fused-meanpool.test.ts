// The fused mean-pool step (runner/train/fused_meanpool.ts) against the tfjs-op path it replaces on wasm: the same
// loss and gradients for one batch, and the same weights, Adam moments and losses after training many steps with
// dropout and clipping, for the plain model (the bench's), the bundled default (interaction + pair features), and
// odd shapes (a batch that is not a multiple of four rows, widths that are not multiples of 16).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../runner/backend/index.js';
import { readCheckpoint } from '../../runner/checkpoint/store.js';
import { PremiseDataModule } from '../../runner/data/premise_datamodule.js';
import { MeanPoolEncoder } from '../../runner/models/mean_pool.js';
import { forwardContext } from '../../runner/models/module.js';
import { BinaryClassifier, PremiseSelection } from '../../runner/models/premise_selection.js';
import { fusedMeanPool } from '../../runner/train/fused_meanpool.js';
import { parseTrainerOptions } from '../../runner/train/options.js';
import { Progress } from '../../runner/train/progress.js';
import { Trainer } from '../../runner/train/trainer.js';
import { withInitSeed } from '../../runner/train/rng.js';
import { DATA } from './helpers.js';

interface Shape { name: string; dim: number; hidden: number; interaction: boolean; pairs: boolean; batch: number }
const SHAPES: Shape[] = [
  { name: 'plain mean-pool (the bench model)', dim: 32, hidden: 32, interaction: false, pairs: false, batch: 32 },
  { name: 'bundled default (interaction, pair features)', dim: 32, hidden: 32, interaction: true, pairs: true, batch: 32 },
  { name: 'odd shapes (30 rows, dim 12, hidden 20)', dim: 12, hidden: 20, interaction: true, pairs: true, batch: 30 },
];

const tmp = mkdtempSync(join(tmpdir(), 'bait-fused-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
before(async () => {
  await initBackend('wasm');
});

function data(batch: number): PremiseDataModule {
  const d = new PremiseDataModule({ config: { batch_size: batch, attributes: { max_len: 64 }, data_options: { dir: DATA } } });
  d.setup();
  return d;
}

function model(s: Shape, vocab: number): PremiseSelection {
  return withInitSeed(5, () => {
    const enc = () => new MeanPoolEncoder({ ntoken: vocab, d_model: s.dim, dropout: 0.1 });
    return new PremiseSelection({ goal_embedding_module: enc(), premise_embedding_module: enc(),
      classifier: new BinaryClassifier({ input_shape: s.dim, hidden: s.hidden, interaction: s.interaction, pair_features: s.pairs }), lr: 3e-3 });
  });
}

/** |a - b| <= tol * (scale + |b|) elementwise, scale being b's largest magnitude. */
function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i]! - b[i]!) / (scale + Math.abs(b[i]!));
    assert.ok(err <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]} (relative to ${scale})`);
  }
}

for (const s of SHAPES) {
  test(`fused step: loss and every gradient equal the tfjs ops' (${s.name})`, () => {
    const dm = data(s.batch);
    const m = model(s, dm.vocabSize);
    const params = m.namedParameters();
    const fused = fusedMeanPool(m, params, m.lr);
    assert.ok(fused, 'the model qualifies for the fused step');
    const order = dm.epochOrder(1, 0);
    for (const index of [0, 7]) {
      const b = dm.trainBatch(order, index);
      const loss = fused.forward(b, forwardContext(true, 1, index));
      fused.backward();
      const got = fused.gradients();
      const vars = params.map(([, v]) => v);
      const want = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => m.loss(b, forwardContext(true, 1, index)), vars);
        return { loss: value.dataSync()[0]!, grads: vars.map((v) => Float32Array.from(grads[v.name]!.dataSync())) };
      });
      assert.ok(Math.abs(loss - want.loss) <= 1e-6 * Math.abs(want.loss), `loss ${loss} vs ${want.loss}`);
      params.forEach(([name], i) => close(got[i]!, want.grads[i]!, 1e-5, `${name} gradient`));
      // The embedding gradient is not trivially zero: rows used by the batch have one.
      assert.ok(got[0]!.some((x) => x !== 0));
    }
    m.dispose();
  });
}

async function train(s: Shape, fused: boolean, steps: number): Promise<{ dir: string; losses: number[] }> {
  const dm = data(s.batch);
  const m = model(s, dm.vocabSize);
  const dir = mkdtempSync(join(tmp, fused ? 'fused-' : 'ops-'));
  const losses: number[] = [];
  const opts = parseTrainerOptions({ max_steps: steps, limit_val_batches: 0, gradient_clip_val: 0.5, log_every_n_steps: 1,
    enable_progress_bar: false }, []);
  const trainer = new Trainer(opts, {
    model: m, data: dm, callbacks: [], seed: 3, attempt: 1, runDir: dir, checkpointDir: join(dir, 'checkpoints'),
    metrics: { append: (row) => losses.push(row.loss as number) }, progress: new Progress(false, false, () => {}),
    print: () => {}, backend: 'wasm', config: {}, stopFile: join(dir, 'stop'), fused,
  });
  assert.equal((trainer as unknown as { fused?: object }).fused !== undefined, fused, 'the step taken');
  await trainer.fit();
  await trainer.saveCheckpoint(join(dir, 'checkpoints'), 'last');
  m.dispose();
  return { dir, losses };
}

for (const s of SHAPES) {
  test(`fused training: weights, Adam's moments and losses after 40 steps match the tfjs ops (${s.name})`, async () => {
    const ops = await train(s, false, 40);
    const fused = await train(s, true, 40);
    const a = readCheckpoint(join(fused.dir, 'checkpoints', 'last'));
    const b = readCheckpoint(join(ops.dir, 'checkpoints', 'last'));
    assert.equal(a.tensors.length, b.tensors.length);
    for (let i = 0; i < a.tensors.length; i++) {
      const x = a.tensors[i]!;
      const y = b.tensors[i]!;
      assert.equal(x.name, y.name);
      // Measured: within 5e-7 of each tensor's largest value (float32 rounding in a different order, carried
      // through 40 Adam steps).
      close(x.values, y.values, 2e-5, x.name);
    }
    close(fused.losses, ops.losses, 1e-5, 'loss per step');
    assert.equal(fused.losses.length, 40);
    assert.deepEqual(a.manifest.progress, b.manifest.progress);
  });
}

test('fused training is deterministic: two runs give the same bits', async () => {
  const s = SHAPES[1]!;
  const one = await train(s, true, 15);
  const two = await train(s, true, 15);
  const a = readCheckpoint(join(one.dir, 'checkpoints', 'last'));
  const b = readCheckpoint(join(two.dir, 'checkpoints', 'last'));
  assert.equal(a.manifest.tensors_sha256, b.manifest.tensors_sha256);
  assert.deepEqual(one.losses, two.losses);
});
