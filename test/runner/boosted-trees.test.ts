// The gradient-boosted tree learner (runner/models/boosting/) and its model target: it learns functions a linear
// model cannot, splits where the data says, is a pure function of its seed, continues exactly from saved trees,
// scores the same after a JSON round trip, and rejects bad settings naming the key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binColumns, binEdges, binOf } from '../../runner/models/boosting/binning.js';
import { Booster, type BoostingParams } from '../../runner/models/boosting/booster.js';
import { predictBinned, predictRow } from '../../runner/models/boosting/tree.js';
import { GradientBoostedTrees } from '../../runner/models/boosted_trees.js';
import { provideContext } from '../../runner/data/context_features.js';
import { instantiate, prepareTargets } from '../../runner/instantiate/instantiate.js';
import { UserError } from '../../runner/run/errors.js';
import { auc } from '../../runner/train/metrics.js';
import { rngFor } from '../../runner/train/rng.js';

const PARAMS: BoostingParams = {
  numLeaves: 8, maxDepth: 64, minChildSamples: 5, minChildWeight: 1e-3, l2: 1, minSplitGain: 0, learningRate: 0.3,
  rowFraction: 0.8, featureFraction: 0.75, maxBins: 64, seed: 1,
};

/** n rows of 4 uniform features in [0, 1); the label is an XOR of two thresholds, which no linear score ranks. */
function xorData(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  const r = rngFor(seed, 'xor');
  const x = new Float32Array(n * 4);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) x[i * 4 + j] = r.next();
    y[i] = (x[i * 4]! > 0.3) !== (x[i * 4 + 1]! > 0.6) ? 1 : 0;
  }
  return { x, y };
}

function trained(rounds: number, params = PARAMS, data = xorData(600, 1)): { b: Booster; losses: number[] } {
  const b = new Booster(params);
  b.setTrainingData(data.x, data.y, data.y.length, 4);
  const losses: number[] = [];
  for (let i = 0; i < rounds; i++) losses.push(b.boostRound());
  return { b, losses };
}

const accuracy = (z: Float64Array, y: Float32Array): number => z.reduce((a, v, i) => a + ((v > 0) === (y[i]! > 0.5) ? 1 : 0), 0) / y.length;

test('binning: a value is in bin k exactly when it is <= edge k, and few distinct values get a bin each', () => {
  const x = Float32Array.from([3, 1, 2, 2, 5, 1, 3]);
  const [e] = binEdges(x, 7, 1, 16);
  assert.deepEqual([...e!], [1, 2, 3]);
  assert.deepEqual([...binColumns(x, 7, 1, [e!])], [2, 0, 1, 1, 3, 0, 2]);
  const many = Float32Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
  const [q] = binEdges(many, 1000, 1, 10);
  assert.ok(q!.length <= 9 && q!.length >= 8, `about 9 quantile edges, got ${q!.length}`);
  for (const v of [-1, 0, 99.5, 100, 500, 998, 999, 2000]) {
    const k = binOf(v, q!);
    assert.ok(k === q!.length || v <= q![k]!, `${v} <= its bin's edge`);
    assert.ok(k === 0 || v > q![k - 1]!, `${v} > the edge below`);
  }
});

test('one round with two leaves puts its split between the two classes of a threshold function', () => {
  // Fewer rows than bins: every distinct value has its own bin, so the best cut is available exactly.
  const n = 200;
  const r = rngFor(3, 't');
  const x = Float32Array.from({ length: n }, () => r.next());
  const y = Float32Array.from(x, (v) => (v > 0.42 ? 1 : 0));
  const b = new Booster({ ...PARAMS, numLeaves: 2, rowFraction: 1, featureFraction: 1, maxBins: 256 });
  b.setTrainingData(x, y, n, 1);
  b.boostRound();
  const t = b.trees[0]!;
  const below = Math.max(...[...x].filter((v) => v <= 0.42));
  const above = Math.min(...[...x].filter((v) => v > 0.42));
  assert.equal(t.feature[0], 0);
  assert.ok(t.threshold[0]! >= below && t.threshold[0]! < above, `threshold ${t.threshold[0]} separates ${below} from ${above}`);
  assert.ok(t.value[t.left[0]!]! < 0 && t.value[t.right[0]!]! > 0, 'the side with the positives scores higher');
});

test('boosting learns an XOR of thresholds that no linear score can rank, and generalises to fresh rows', () => {
  const { b, losses } = trained(60);
  assert.ok(losses[59]! < losses[0]! / 3, `training loss falls (${losses[0]} -> ${losses[59]})`);
  const fresh = xorData(2000, 2);
  const z = b.predict(fresh.x, 2000);
  assert.ok(accuracy(z, fresh.y) > 0.93, `held-out accuracy ${accuracy(z, fresh.y)}`);
  assert.ok(auc(z, fresh.y) > 0.97, `held-out AUC ${auc(z, fresh.y)}`);
  // Any single feature (hence no monotone score) ranks this label near chance: the trees found the interaction.
  for (let j = 0; j < 4; j++) {
    const col = Float64Array.from({ length: 2000 }, (_, i) => fresh.x[i * 4 + j]!);
    assert.ok(Math.abs(auc(col, fresh.y) - 0.5) < 0.2, `feature ${j} alone has AUC ${auc(col, fresh.y)}`);
  }
});

test('prediction from raw features equals prediction from the training bins, tree by tree', () => {
  const data = xorData(600, 1);
  const { b } = trained(20, PARAMS, data);
  const cols = binColumns(data.x, 600, 4, binEdges(data.x, 600, 4, PARAMS.maxBins));
  for (const t of b.trees) for (let i = 0; i < 600; i++) assert.equal(predictRow(t, data.x, i, 4), predictBinned(t, cols, 600, i));
});

test('seeded: the same seed grows the same trees; another seed samples other rows and features', () => {
  const a = JSON.stringify(trained(15).b.state());
  assert.equal(JSON.stringify(trained(15).b.state()), a);
  assert.notEqual(JSON.stringify(trained(15, { ...PARAMS, seed: 2 }).b.state()), a);
});

test('resume: a booster rebuilt from saved trees (JSON) continues to the uninterrupted result, bit for bit', () => {
  const whole = trained(30);
  const first = trained(12);
  const saved = JSON.parse(JSON.stringify(first.b.state()));
  const again = new Booster(PARAMS);
  const data = xorData(600, 1);
  again.setTrainingData(data.x, data.y, 600, 4);
  again.load(saved);
  const losses = [...first.losses];
  for (let i = 12; i < 30; i++) losses.push(again.boostRound());
  assert.deepEqual(losses, whole.losses);
  assert.equal(JSON.stringify(again.state()), JSON.stringify(whole.b.state()));
});

test('checkpoint round trip: trees loaded for scoring alone give the same logits to the bit', () => {
  const { b } = trained(25);
  const scorer = new Booster(PARAMS);
  scorer.loadForScoring(JSON.parse(JSON.stringify(b.state())));
  const fresh = xorData(300, 5);
  assert.deepEqual(scorer.predict(fresh.x, 300), b.predict(fresh.x, 300));
  assert.throws(() => scorer.loadForScoring({ format: 'bait-gbdt-1', width: 2, initScore: 0, trees: [{ ...b.trees[0]!, feature: b.trees[0]!.feature.map(() => 3) }] } as never),
    /not a saved tree ensemble of width 2/);
});

test('bad settings fail before training with the key named, also through instantiate as model.<key>', async () => {
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ num_leaves: 1 }, 'num_leaves', /at least 2/],
    [{ num_leaves: 2.5 }, 'num_leaves', /positive integer/],
    [{ learning_rate: 0 }, 'learning_rate', /positive number/],
    [{ row_fraction: 1.5 }, 'row_fraction', /\(0, 1\]/],
    [{ feature_fraction: 0 }, 'feature_fraction', /\(0, 1\]/],
    [{ max_bins: 300 }, 'max_bins', /\[2, 256\]/],
    [{ l2: -1 }, 'l2', />= 0/],
    [{ min_child_weight: 'big' }, 'min_child_weight', />= 0/],
    [{ rounds_per_epoch: 0 }, 'rounds_per_epoch', /positive integer/],
    [{ leave_out: 'premise' }, 'leave_out', /article or conjecture/],
    [{ label_history: 'online' }, 'label_history', /offline or chronological, got "online"/],
    [{ label_statistics: 'yes' }, 'label_statistics', /true or false/],
    [{ co_listing: 1 }, 'co_listing', /true or false/],
    // The lists of earlier held-out conjectures hold their proofs' premises: offline, no pair may read them.
    [{ co_listing: true }, 'co_listing', /chronological protocol: set model.label_history: chronological \(on the command line \+\+model.label_history=chronological\)/],
    [{ co_listing: true, label_history: 'offline' }, 'co_listing', /chronological protocol/],
    [{ co_candidacy: true }, 'co_candidacy', /chronological protocol: set model.label_history: chronological \(on the command line \+\+model.label_history=chronological\)/],
    [{ symbol_chronology: 1 }, 'symbol_chronology', /true or false/],
    [{ co_use: 'on' }, 'co_use', /true or false/],
    [{ co_candidacy: 'on' }, 'co_candidacy', /true or false/],
  ];
  for (const [opts, key, message] of cases) {
    assert.throws(() => new GradientBoostedTrees(opts), (e: unknown) => e instanceof UserError && e.key === key && message.test(e.message), key);
  }
  const cfg = { model: { _target_: 'bait.models.GradientBoostedTrees', row_fraction: 2 } };
  await assert.rejects(async () => instantiate(cfg as never, await prepareTargets(cfg as never, process.cwd())),
    (e: unknown) => e instanceof UserError && /row_fraction/.test(`${e.key} ${e.message}`));
  // A data module without context features is refused before training, naming the data module.
  assert.throws(() => provideContext(new GradientBoostedTrees(), {}),
    (e: unknown) => e instanceof UserError && e.key === 'data_module._target_' && /PremiseDataModule/.test(e.message));
  const typo = { model: { _target_: 'bait.models.GradientBoostedTrees', depth: 3 } };
  await assert.rejects(async () => instantiate(typo as never, await prepareTargets(typo as never, process.cwd())),
    (e: unknown) => e instanceof UserError && /depth/.test(`${e.key} ${e.message}`));
});
