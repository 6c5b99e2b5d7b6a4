// Every user mistake the runner can meet gets a UserError that names the config key and says what to do, and
// nothing is trained or created before the config has been checked. Driven in-process through runJob with
// plain composed configs (cpu backend).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Plain } from '../../runner/config/nodes.js';
import { UserError } from '../../runner/run/errors.js';
import { runJob } from '../../runner/run/job.js';
import { DATA } from './helpers.js';

const ws = mkdtempSync(join(tmpdir(), 'bait-errors-'));
after(() => rmSync(ws, { recursive: true, force: true }));

function config(dir: string): Record<string, any> {
  const enc = { _target_: 'bait.models.MeanPoolEncoder', ntoken: 572, d_model: 8 };
  return {
    data_config: { type: 'sequence', batch_size: 8, attributes: { max_len: 16 }, data_options: { dir: DATA } },
    logging_config: { project: 'test', id: false },
    exp_config: { name: 'errors', experiment: 'premise_selection', directory: dir, resume: false },
    trainer: { accelerator: 'cpu', max_steps: 3, limit_val_batches: 0, enable_progress_bar: false, seed: 1 },
    model: {
      _target_: 'models.premise_selection.premise_selection.PremiseSelection',
      goal_embedding_module: { ...enc }, premise_embedding_module: { ...enc },
      classifier: { _target_: 'bait.models.BinaryClassifier', input_shape: 8 }, lr: 0.001,
    },
    data_module: { _target_: 'bait.data.PremiseDataModule', config: '${data_config}' },
  };
}

// runJob receives resolved configs; the data module's `config: ${data_config}` is resolved here by hand.
function resolved(c: Record<string, any>): Plain {
  return { ...c, data_module: { ...c.data_module, config: c.data_config } };
}

async function run(c: Record<string, any>): Promise<number> {
  return runJob({ config: resolved(c), hydra: {}, configName: 'errors', overrides: [], configDir: ws, workspaceDir: ws });
}

async function expectUserError(c: Record<string, any>, key: string | undefined, message: RegExp): Promise<void> {
  await assert.rejects(run(c), (e: unknown) => {
    assert.ok(e instanceof UserError, `expected a UserError, got ${(e as Error)?.stack}`);
    assert.equal(e.key, key);
    assert.match(e.message, message);
    return true;
  });
}

let n = 0;
const fresh = () => config(join(ws, 'runs', `r${n++}`));

test('unknown _target_ names the key and the built-in names, close ones first', async () => {
  const c = fresh();
  c.model.classifier._target_ = 'models.classifiers.Nope';
  await expectUserError(c, 'model.classifier._target_', /unknown _target_ 'models\.classifiers\.Nope'.*built-in targets: bait\.models\.PremiseSelection, /);
  const typo = fresh();
  typo.model.classifier._target_ = 'models.heads.BinaryClassifier';
  await expectUserError(typo, 'model.classifier._target_', /built-in targets: bait\.models\.BinaryClassifier\)$/);
  assert.ok(!existsSync(c.exp_config.directory), 'no run directory for a config that does not build');
});

test('bad constructor arguments: unknown parameter, wrong type, inconsistent sizes', async () => {
  const a = fresh();
  a.model.classifier.hidden_size = 3;
  await expectUserError(a, 'model.classifier.hidden_size', /has no parameter 'hidden_size'; its parameters are: input_shape, hidden/);
  const b = fresh();
  b.model.goal_embedding_module.d_model = 'big';
  await expectUserError(b, 'model.goal_embedding_module.d_model', /must be an integer, got "big"/);
  const c = fresh();
  c.model.classifier.input_shape = 16;
  await expectUserError(c, 'model.classifier.input_shape', /must equal the embedding size of goal_embedding_module \(8\)/);
  const d = fresh();
  d.model.goal_embedding_module.ntoken = 100;
  await expectUserError(d, 'model.goal_embedding_module.ntoken', /572 tokens.*accepts 100/);
  const e = fresh();
  e.trainer.max_step = 3;
  await expectUserError(e, 'trainer.max_step', /unknown Trainer argument 'max_step'/);
});

test('accelerator gpu without tfjs-node and without a usable WebGPU adapter says what to install or use instead', async () => {
  const c = fresh();
  c.trainer.accelerator = 'gpu';
  await expectUserError(c, 'trainer.accelerator', /found no GPU backend: @tensorflow\/tfjs-node-gpu is not installed.*WebGPU cannot be used.*accelerator=wasm/);
  const d = fresh();
  d.trainer.accelerator = 'tpu';
  await expectUserError(d, 'trainer.accelerator', /unknown accelerator "tpu"/);
});

test('a missing data file names the file and the key that points at it', async () => {
  const c = fresh();
  c.data_config.data_options.dir = join(ws, 'no-such-data');
  await expectUserError(c, 'data_config.data_options.dir', /no-such-data\/vocab\.json does not exist/);
});

test('??? left in the config names the key and the override that sets it', async () => {
  const c = fresh();
  c.logging_config.project = '???';
  await expectUserError(c, 'logging_config.project', /missing \(\?\?\?\).*logging_config\.project=<value>/);
});

test('resume of a run without checkpoints, and resume with a wrong id', async () => {
  const c = fresh();
  c.trainer.enable_checkpointing = false;
  assert.equal(await run(c), 0);
  const r = { ...fresh(), exp_config: { ...c.exp_config, resume: true } };
  await expectUserError(r, 'exp_config.resume', /has no valid checkpoint to resume from/);

  const d = fresh();
  assert.equal(await run(d), 0);
  const wrong = { ...fresh(), exp_config: { ...d.exp_config, resume: true }, logging_config: { project: 'x', id: 'zzzzzzzz' } };
  await expectUserError(wrong, 'logging_config.id', /'zzzzzzzz' does not match the run .*\(its id is '[0-9a-z]{8}'/);

  const nowhere = { ...fresh(), exp_config: { ...d.exp_config, directory: join(ws, 'nowhere'), resume: true } };
  await expectUserError(nowhere, 'exp_config.directory', /not a run directory/);
});

test('an interrupted checkpoint (.tmp) is never resumed from', async () => {
  const c = fresh();
  c.trainer.enable_checkpointing = false;
  assert.equal(await run(c), 0);
  // What a process killed while writing `last` for the first time leaves behind.
  mkdirSync(join(c.exp_config.directory, 'checkpoints', 'last.tmp'), { recursive: true });
  writeFileSync(join(c.exp_config.directory, 'checkpoints', 'last.tmp', 'tensors.bin'), Buffer.alloc(10));
  const r = { ...fresh(), exp_config: { ...c.exp_config, resume: true } };
  await expectUserError(r, 'exp_config.resume', /has no valid checkpoint to resume from.*interrupted \.tmp checkpoints are never used/);
});

test('_target_ cannot name Node built-ins, packages, paths or anything outside the workspace', async () => {
  for (const t of ['child_process.exec', 'node:child_process.exec', 'fs.rmSync', '../outside.Model', '/etc/passwd.x',
    'os.userInfo', 'node_modules.yaml.parse', 'models..x']) {
    const c = fresh();
    c.model.classifier._target_ = t;
    await expectUserError(c, 'model.classifier._target_', /is refused/);
  }
});

test('a workspace module can be named by dotted path and gets constructor errors reported with its key', async () => {
  mkdirSync(join(ws, 'models'), { recursive: true });
  writeFileSync(join(ws, 'models', 'heads.ts'), `
    import * as tf from '@tensorflow/tfjs';
    export class Broken { constructor(opts: { width: number }) { if (opts.width < 0) throw new Error('width must be >= 0'); tf.scalar(1).dispose(); } }
  `);
  const c = fresh();
  c.model.classifier = { _target_: 'models.heads.Broken', width: -1 };
  await expectUserError(c, 'model.classifier', /error in call to target 'models\.heads\.Broken': width must be >= 0/);
  const d = fresh();
  d.model.classifier = { _target_: 'models.heads.Missing' };
  await expectUserError(d, 'model.classifier._target_', /heads\.ts has no export 'Missing'/);
});
