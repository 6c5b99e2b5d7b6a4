// The fused mean-pool step (runner/train/fused_meanpool.ts) against the tfjs-op path it replaces on wasm: the same
// loss and gradients for one batch, and the same weights, Adam moments and losses after training many steps with
// dropout and clipping, for the plain model (the bench's), the bundled default (interaction + pair features), and
// odd shapes (a batch that is not a multiple of four rows, widths that are not multiples of 16).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { initBackend } from '../../runner/backend/index.js';
import { MeanPoolEncoder } from '../../runner/models/mean_pool.js';
import { BinaryClassifier, PremiseSelection } from '../../runner/models/premise_selection.js';
import { fusedMeanPool } from '../../runner/train/fused_meanpool.js';
import { withInitSeed } from '../../runner/train/rng.js';
import { close, pairData, sameBits, sameCheckpoints, sameGradients, trainRun } from './fused_compare.js';

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

function make(s: Shape) {
  const data = pairData(s.batch);
  const model = withInitSeed(5, () => {
    const enc = () => new MeanPoolEncoder({ ntoken: data.vocabSize, d_model: s.dim, dropout: 0.1 });
    return new PremiseSelection({ goal_embedding_module: enc(), premise_embedding_module: enc(),
      classifier: new BinaryClassifier({ input_shape: s.dim, hidden: s.hidden, interaction: s.interaction, pair_features: s.pairs }), lr: 3e-3 });
  });
  return { model, data };
}

for (const s of SHAPES) {
  test(`fused step: loss and every gradient equal the tfjs ops' (${s.name})`, () => {
    const { model, data } = make(s);
    const fused = fusedMeanPool(model, model.namedParameters(), model.lr);
    assert.ok(fused, 'the model qualifies for the fused step');
    sameGradients(model, data, fused, [0, 7], 1e-6, 1e-5);
    model.dispose();
  });
}

const KERNEL = 'fused mean-pool step';

for (const s of SHAPES) {
  test(`fused training: weights, Adam's moments and losses after 40 steps match the tfjs ops (${s.name})`, async () => {
    const ops = await trainRun(tmp, () => make(s), false, 40, KERNEL);
    const fused = await trainRun(tmp, () => make(s), true, 40, KERNEL);
    // Measured: within 5e-7 of each tensor's largest value (float32 rounding in a different order, carried
    // through 40 Adam steps).
    sameCheckpoints(fused.dir, ops.dir, 2e-5);
    close(fused.losses, ops.losses, 1e-5, 'loss per step');
    assert.equal(fused.losses.length, 40);
  });
}

test('fused training is deterministic: two runs give the same bits', async () => {
  const s = SHAPES[1]!;
  const one = await trainRun(tmp, () => make(s), true, 15, KERNEL);
  const two = await trainRun(tmp, () => make(s), true, 15, KERNEL);
  sameBits(one.dir, two.dir);
  assert.deepEqual(one.losses, two.losses);
});
