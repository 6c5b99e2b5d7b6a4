// `_target_` support against the runner's real built-in registry: names and aliases completed, parameters of
// the node's target completed, hover documentation, and diagnostics for unknown targets and parameters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TARGET_DOCS as TARGETS } from '../../runner/instantiate/targets.js';
import { cursorOf, parseFixture, serviceFor } from './fixture.js';

function run(source: string) {
  const f = parseFixture(source);
  return { f, s: serviceFor(f, ['/configs'], TARGETS) };
}

test('_target_ values: built-in names and aliases, then names the tree uses', () => {
  const { f, s } = run(`
    //- /configs/exp.yaml
    cb:
      _target_: $0
  `);
  const { path, offset } = cursorOf(f);
  const labels = s.completions(path, offset).map((i) => i.label);
  for (const n of ['bait.callbacks.ModelCheckpoint', 'lightning.pytorch.callbacks.ModelCheckpoint', 'models.premise_selection.premise_selection.PremiseSelection']) {
    assert.ok(labels.includes(n), n);
  }
});

test('parameters of the node\'s built-in target are offered, minus the ones set', () => {
  const { f, s } = run(`
    //- /configs/exp.yaml
    cb:
      _target_: lightning.pytorch.callbacks.EarlyStopping
      monitor: acc
      $0
  `);
  const { path, offset } = cursorOf(f);
  const items = s.completions(path, offset);
  const patience = items.find((i) => i.label === 'patience');
  assert.ok(patience);
  assert.equal(patience.detail, 'int');
  assert.ok(!items.some((i) => i.label === 'monitor'));
});

test('hover on a built-in _target_ shows its documentation and parameters', () => {
  const { f, s } = run(`
    //- /configs/exp.yaml
    cb:
      _target_: lightning.pytorch.callbacks.Learning$0RateMonitor
  `);
  const { path, offset } = cursorOf(f);
  const h = s.hover(path, offset);
  assert.ok(h);
  assert.match(h.contents, /built-in `bait\.callbacks\.LearningRateMonitor`/);
  assert.match(h.contents, /`logging_interval`/);
});

test('unknown targets and unknown parameters of built-in targets are flagged where written; third-party ones are not', () => {
  const { f, s } = run(`
    //- /configs/config.yaml
    model:
      _target_: bait.models.BinaryClassifier
      input_shape: 128
      hiddn: 64
    # ^^^^^ unknown-target-param
    ours:
      _target_: bait.strategies.DeepSpeedStrategy
    #           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unknown-target
    strategy:
      _target_: lightning.pytorch.strategies.DeepSpeedStrategy
    mine:
      _target_: models.mine.Net
    //- /models/mine.ts
    export class Net {}
  `);
  const got = s.diagnostics('/configs/config.yaml').map((d) => `${d.code}@${d.range[0]}-${d.range[1]}`).sort();
  const want = f.marks.map((m) => `${m.label}@${m.range[0]}-${m.range[1]}`).sort();
  assert.deepEqual(got, want);
});
