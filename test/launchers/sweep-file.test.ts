// W&B-style sweep files: BAIT's own files parse, grid/random plans are exact and reproducible, bayes moves towards
// the best metric, problems come back as codes with file ranges; and a bayes sweep runs end to end with real
// processes, reading each job's metrics.jsonl between rounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalLauncher } from '../../runner/launchers/local.js';
import { readManifest } from '../../runner/sweep/manifest.js';
import { planSweepFile, runSweepFile } from '../../runner/sweep/run-sweep-file.js';
import { parseSweepFile, type SweepSpec } from '../../runner/sweep/sweep-file.js';
import { bayesPropose, gridPoints, gridSize, pointToOverrides, randomPoints, type Observation } from '../../runner/sweep/sweep-plan.js';

const BAIT_SWEEPS = join(__dirname, '..', 'conformance', 'bait', 'configs', 'sweeps');

function spec(text: string): SweepSpec {
  const r = parseSweepFile(text, 'sweeps/t.yaml');
  assert.deepEqual(r.errors, []);
  return r.spec!;
}

test("every sweep file in BAIT's configs parses; its config name comes from the command", () => {
  const files = readdirSync(BAIT_SWEEPS);
  assert.ok(files.length >= 8);
  for (const f of files) {
    const r = parseSweepFile(readFileSync(join(BAIT_SWEEPS, f), 'utf8'), `sweeps/${f}`);
    assert.deepEqual(r.errors, [], f);
    assert.equal(r.spec!.method, 'bayes');
    assert.equal(r.spec!.metric?.goal, 'maximize');
  }
  const t = parseSweepFile(readFileSync(join(BAIT_SWEEPS, 'hol4_transformer.yaml'), 'utf8'), 'sweeps/hol4_transformer.yaml').spec!;
  assert.equal(t.configName, 'hol4_transformer');
  assert.equal(gridSize(t), 3 * 4 * 3);
  // YAML typing is kept: `0.` is a float and prints as Hydra prints floats.
  assert.deepEqual(pointToOverrides(gridPoints(t)[0]!), ['model_config.model_attributes.num_layers=4', 'model_config.model_attributes.num_heads=8', 'model_config.model_attributes.dropout=0.0']);
});

test('grid: cartesian product, first parameter slowest, values typed and quoted like Hydra overrides', () => {
  const s = spec("method: grid\nparameters:\n  a: {values: [1, 2]}\n  b: {values: [x, 'y z', true]}\n  c: {value: 0.5}\n");
  assert.deepEqual(planSweepFile(s, { baseOverrides: ['seed=1'] }), [
    ['seed=1', 'a=1', 'b=x', 'c=0.5'], ['seed=1', 'a=1', "b=y\\ z", 'c=0.5'], ['seed=1', 'a=1', 'b=True', 'c=0.5'],
    ['seed=1', 'a=2', 'b=x', 'c=0.5'], ['seed=1', 'a=2', "b=y\\ z", 'c=0.5'], ['seed=1', 'a=2', 'b=True', 'c=0.5'],
  ]);
  assert.throws(() => planSweepFile(spec('method: grid\nparameters:\n  lr: {min: 0.0, max: 1.0}\n')), /continuous .*use method: random or bayes/);
});

test('random: seeded and reproducible, inside the declared ranges, ints stay ints', () => {
  const s = spec('method: random\nrun_cap: 50\nparameters:\n  lr: {distribution: log_uniform_values, min: 1.0e-5, max: 1.0e-1}\n  layers: {min: 1, max: 4}\n  drop: {min: 0.0, max: 0.5}\n  act: {values: [relu, gelu]}\n');
  const a = randomPoints(s, 50, 7).map(pointToOverrides);
  assert.deepEqual(randomPoints(s, 50, 7).map(pointToOverrides), a);
  assert.notDeepEqual(randomPoints(s, 50, 8).map(pointToOverrides), a);
  for (const p of randomPoints(s, 50, 7)) {
    const lr = Number((p.get('lr') as { value: number }).value);
    assert.ok(lr >= 1e-5 && lr <= 1e-1, String(lr));
    const layers = p.get('layers') as { type: string; value: number };
    assert.equal(layers.type, 'int');
    assert.ok(layers.value >= 1 && layers.value <= 4);
  }
  assert.equal(planSweepFile(s, { seed: 7 }).length, 50);
});

test('bayes: proposals concentrate on the values with the best metric (TPE), seeded', () => {
  const s = spec('method: bayes\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {min: 0.0, max: 10.0}\n  c: {values: [a, b, c, d]}\n');
  const f = (o: Observation['point']) => -Math.abs(Number((o.get('x') as { value: number }).value) - 7) + ((o.get('c') as { value: string }).value === 'b' ? 3 : 0);
  const run = (seed: number) => {
    const hist: Observation[] = [];
    for (let round = 0; round < 12; round++) for (const p of bayesPropose(s, hist, 2, seed)) hist.push({ point: p, value: f(p) });
    return hist;
  };
  const hist = run(3);
  assert.deepEqual(run(3).map((h) => pointToOverrides(h.point)), hist.map((h) => pointToOverrides(h.point)), 'seeded');
  const late = hist.slice(-10);
  assert.ok(late.filter((h) => (h.point.get('c') as { value: string }).value === 'b').length >= 7, 'the best category dominates late proposals');
  const meanLate = late.reduce((a, h) => a + h.value!, 0) / late.length;
  const meanEarly = hist.slice(0, 6).reduce((a, h) => a + h.value!, 0) / 6;
  assert.ok(meanLate > meanEarly + 1, `late ${meanLate} vs early ${meanEarly}`);
  // A discrete space is not sampled twice while unseen points remain.
  const small = spec('method: bayes\nmetric: {name: s, goal: minimize}\nparameters:\n  a: {values: [1, 2, 3]}\n');
  const seen: Observation[] = [];
  for (let i = 0; i < 3; i++) for (const p of bayesPropose(small, seen, 1, 1)) seen.push({ point: p, value: i });
  assert.deepEqual(seen.map((h) => pointToOverrides(h.point)[0]).sort(), ['a=1', 'a=2', 'a=3']);
});

test('sweep file problems are codes with ranges in the file, and messages say how to fix them', () => {
  const cases: Array<[string, string, RegExp, string]> = [
    ['method: hyperband\nparameters:\n  a: {values: [1]}\n', 'sweep-file-method', /Use grid, random or bayes/, 'hyperband'],
    ['method: bayes\nparameters:\n  a: {values: [1]}\n', 'sweep-file-metric', /needs `metric/, 'bayes'],
    ['method: grid\nparameters:\n  a: {values: []}\n', 'sweep-file-parameter', /non-empty list/, '[]'],
    ['method: random\nparameters:\n  a: {distribution: cauchy, min: 0, max: 1}\n', 'sweep-file-parameter', /unknown distribution 'cauchy'/, 'cauchy'],
    ['method: random\nparameters:\n  a: {min: 5, max: 1}\n', 'sweep-file-parameter', /min \(5\) is greater than max/, 'a'],
    ['method: grid\nparameters: [a\n', 'sweep-file-syntax', /./, ''],
  ];
  for (const [text, code, msg, at] of cases) {
    const r = parseSweepFile(text, 'sweeps/bad.yaml');
    assert.equal(r.spec, undefined, text);
    assert.equal(r.errors[0]!.code, code, text);
    assert.match(r.errors[0]!.message, msg);
    const o = r.errors[0]!.origin;
    if (at) {
      assert.ok(o && o.kind === 'file', text);
      assert.equal(o.file, 'sweeps/bad.yaml');
      assert.equal(text.slice(o.valueRange[0], o.valueRange[0] + at.length), at, `range of ${code}`);
    }
  }
});

test('a bayes sweep runs in rounds with real jobs, reading each finished job\'s metric', async (t) => {
  const ws = mkdtempSync(join(tmpdir(), 'bait-bayes-'));
  t.after(() => rmSync(ws, { recursive: true, force: true }));
  const s = spec('method: bayes\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {values: [1, 3, 5, 7, 9]}\n');
  const sweepDir = join(ws, 'bayes');
  const summary = await runSweepFile({
    spec: s, count: 4, batchSize: 2, seed: 5, baseOverrides: ['payload.metric_of=x', 'payload.steps=1'],
    sweepDir, launcher: new LocalLauncher({ n_jobs: 2, gpus: false }),
    runner: { script: join(__dirname, 'fixtures', 'bundle', 'runner.js'), configName: 'exp', configDir: join(ws, 'configs') },
  });
  assert.deepEqual(summary.completed.sort(), [0, 1, 2, 3]);
  const m = readManifest(sweepDir);
  assert.deepEqual(m.jobs.map((j) => j.num), [0, 1, 2, 3]);
  assert.deepEqual(m.source, { kind: 'sweep-file', file: 'sweeps/t.yaml', method: 'bayes' });
  const xs = m.jobs.map((j) => j.overrides.find((o) => o.startsWith('x='))!);
  assert.equal(new Set(xs).size, 4, `no point ran twice: ${xs}`);
  for (const j of m.jobs) assert.match(readFileSync(join(sweepDir, j.dir, 'metrics.jsonl'), 'utf8'), /"score"/);
});
