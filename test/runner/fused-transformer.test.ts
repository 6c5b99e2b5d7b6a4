// The fused transformer step (runner/train/fused_transformer.ts) against the tfjs-op path it replaces on wasm: the
// same loss and gradients for one batch, and the same weights, Adam's moments and losses after training with
// dropout and clipping, for the bench's shape (one layer, two heads), a two-layer model with dropout, and odd
// shapes (a batch that is not a multiple of four rows, sequences of every length, d_model 12 with 3 heads).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { initBackend } from '../../runner/backend/index.js';
import { TransformerEncoder } from '../../runner/models/transformer.js';
import { BinaryClassifier, PremiseSelection } from '../../runner/models/premise_selection.js';
import { fusedTransformer } from '../../runner/train/fused_transformer.js';
import { withInitSeed } from '../../runner/train/rng.js';
import { pairData, sameBits, sameCheckpoints, sameGradients, trainRun, close } from './fused_compare.js';

interface Shape { name: string; dim: number; heads: number; layers: number; hid: number; dropout: number; batch: number;
  maxLen: number; interaction: boolean }
const SHAPES: Shape[] = [
  { name: 'the bench model (1 layer, 2 heads, no dropout)', dim: 32, heads: 2, layers: 1, hid: 64, dropout: 0, batch: 16, maxLen: 24,
    interaction: false },
  { name: '2 layers, dropout 0.1, interaction', dim: 16, heads: 2, layers: 2, hid: 32, dropout: 0.1, batch: 8, maxLen: 20,
    interaction: true },
  { name: 'odd shapes (30 rows, d_model 12, 3 heads, hidden 20)', dim: 12, heads: 3, layers: 1, hid: 20, dropout: 0.1, batch: 30,
    maxLen: 13, interaction: false },
];

const tmp = mkdtempSync(join(tmpdir(), 'bait-fused-tf-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
before(async () => {
  await initBackend('wasm');
});

function make(s: Shape) {
  const data = pairData(s.batch, s.maxLen);
  const model = withInitSeed(5, () => {
    const enc = () => new TransformerEncoder({ ntoken: data.vocabSize, d_model: s.dim, nhead: s.heads, nlayers: s.layers,
      d_hid: s.hid, dropout: s.dropout, max_len: s.maxLen });
    return new PremiseSelection({ goal_embedding_module: enc(), premise_embedding_module: enc(),
      classifier: new BinaryClassifier({ input_shape: s.dim, interaction: s.interaction }), lr: 3e-3 });
  });
  return { model, data };
}

for (const s of SHAPES) {
  test(`fused transformer step: loss and every gradient equal the tfjs ops' (${s.name})`, () => {
    const { model, data } = make(s);
    const fused = fusedTransformer(model, model.namedParameters(), model.lr);
    assert.ok(fused, 'the model qualifies for the fused step');
    // Batches with padding: the fused step computes real tokens only.
    const order = data.epochOrder(1, 0);
    const b = data.trainBatch(order, 0);
    assert.ok(Array.from(b.goalLengths).some((l) => l < b.goalLen), 'the batch has padding');
    sameGradients(model, data, fused, [0, 7], 2e-6, 2e-5, 1e-3);
    model.dispose();
  });
}

for (const s of SHAPES) {
  test(`fused transformer training: weights, Adam's moments and losses after 25 steps match the tfjs ops (${s.name})`, async () => {
    const ops = await trainRun(tmp, () => make(s), false, 25, 'fused transformer step');
    const fused = await trainRun(tmp, () => make(s), true, 25, 'fused transformer step');
    // The attention key's bias never changes the loss (a softmax ignores a shift of a whole row of scores, and q.b
    // is one), so its gradient is float rounding noise in both paths, which Adam's normalisation turns into
    // steps of full size in directions that differ between the paths: its value and moments are not compared.
    sameCheckpoints(fused.dir, ops.dir, 1e-4, /self_attn_k\.bias/);
    close(fused.losses, ops.losses, 1e-5, 'loss per step');
    assert.equal(fused.losses.length, 25);
  });
}

test('fused transformer training is deterministic: two runs give the same bits', async () => {
  const s = SHAPES[1]!;
  const one = await trainRun(tmp, () => make(s), true, 8, 'fused transformer step');
  const two = await trainRun(tmp, () => make(s), true, 8, 'fused transformer step');
  sameBits(one.dir, two.dir);
  assert.deepEqual(one.losses, two.losses);
});

test('a transformer that does not fit the fused step trains through the tfjs ops', () => {
  const data = pairData(4, 8);
  // A head width of 5 is not a whole number of SIMD lanes.
  const enc = () => new TransformerEncoder({ ntoken: data.vocabSize, d_model: 10, nhead: 2, nlayers: 1, max_len: 8 });
  const model = new PremiseSelection({ goal_embedding_module: enc(), premise_embedding_module: enc(),
    classifier: new BinaryClassifier({ input_shape: 10 }) });
  assert.equal(fusedTransformer(model, model.namedParameters(), model.lr), undefined);
  model.dispose();
});
