// The webgpu tier: the runner trains on tfjs's WebGPU backend through Dawn, here on Mesa's lavapipe (a software
// Vulkan driver from bookworm-backports, installed by test/setup/25-vulkan.mjs), which is why these tests set
// BAIT_ALLOW_SOFTWARE_GPU=1. Checked: every bundled model and callback trains and matches the cpu backend within
// the stated tolerance; runs are bit-deterministic run to run and kill -9 + resume equals the uninterrupted run;
// a webgpu checkpoint resumes on cpu; and each failure (software adapter refused, no adapter, a device index that
// does not exist, a kernel the backend lacks) is one clear message with exit 1.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readCheckpoint } from '../../runner/checkpoint/store.js';
import { readMetrics } from '../../runner/run/metrics_log.js';
import { resumeCommand } from '../../runner/run/resume.js';
import { makeWorkspace, runJobProcess } from './helpers.js';
import { killNineAndResume, referenceRun } from './resume_scenarios.js';

/** Largest difference allowed between webgpu and cpu after 40 Adam steps (float32 sums in another order). */
const WEIGHT_TOLERANCE = 1e-4;
const METRIC_TOLERANCE = 1e-3;

const lavapipe = existsSync('/usr/share/vulkan/icd.d/lvp_icd.json');
const skip = lavapipe ? false : 'no software Vulkan driver (test/setup/25-vulkan.mjs installs Mesa\'s lavapipe)';
if (skip && process.env.CI === 'true') throw new Error(`webgpu tier: ${skip} (CI=true: this tier must not skip)`);
if (skip) console.warn(`\n*** SKIPPED webgpu tier: ${skip} ***\n`);

const ws = makeWorkspace();
before(() => {
  process.env.BAIT_ALLOW_SOFTWARE_GPU = '1';
  // A workspace model that uses tf.unique, a kernel tfjs's webgpu backend does not have.
  mkdirSync(join(ws, 'models'));
  writeFileSync(join(ws, 'models', 'unique.ts'), `import * as tf from '@tensorflow/tfjs';
export class UniqueModel {
  constructor() { this.lr = 0.001; this.w = tf.variable(tf.zeros([1])); }
  namedParameters() { return [['w', this.w]]; }
  logits(b) { return tf.tidy(() => tf.add(tf.mul(tf.sum(tf.unique(tf.tensor1d(b.labels)).values), 0), tf.add(tf.zeros([b.size]), this.w))); }
  loss(b) { return tf.mean(tf.square(this.logits(b))); }
}
`);
  // A workspace model whose forward pass binds more storage buffers than the adapter allows (tfjs's webgpu AddN
  // binds all its inputs): a GPU validation error in the middle of training, as a fault would be.
  writeFileSync(join(ws, 'models', 'fault.ts'), `import * as tf from '@tensorflow/tfjs';
export class FaultModel {
  constructor() { this.lr = 0.001; this.w = tf.variable(tf.zeros([1])); }
  namedParameters() { return [['w', this.w]]; }
  logits(b) { return tf.tidy(() => tf.add(tf.zeros([b.size]), tf.addN(Array.from({ length: 40 }, (_, i) => tf.mul(this.w, i))))); }
  loss(b) { return tf.mean(tf.square(this.logits(b))); }
}
`);
  // The convolutional encoder with the interaction classifier (configs/premise_selection/mizar40/conv.yaml), small.
  writeFileSync(join(ws, 'configs', 'premise_selection', 'mizar40', 'tiny_conv.yaml'), readFileSync(
    join(ws, 'configs', 'premise_selection', 'mizar40', 'tiny.yaml'), 'utf8')
    .replace(/_target_: bait\.models\.MeanPoolEncoder\n(\s+)ntoken: (.*)\n\s+d_model: 16\n\s+dropout: 0\.1/g,
      '_target_: bait.models.ConvEncoder\n$1ntoken: $2\n$1d_model: 16\n$1embedding_dim: 8\n$1kernel_size: 3\n$1dropout: 0.1')
    .replace('  classifier:\n    input_shape: 16', '  classifier:\n    input_shape: 16\n    interaction: true\n    pair_features: true'));
  // Every callback the runner ships, on the transformer encoder (small).
  writeFileSync(join(ws, 'configs', 'premise_selection', 'mizar40', 'tiny_transformer.yaml'), readFileSync(
    join(ws, 'configs', 'premise_selection', 'mizar40', 'tiny.yaml'), 'utf8')
    .replace(/_target_: bait\.models\.MeanPoolEncoder\n(\s+)ntoken: (.*)\n\s+d_model: 16\n\s+dropout: 0\.1/g,
      '_target_: models.embedding_models.transformer.transformer_encoder_model.TransformerWrapper\n$1ntoken: $2\n' +
      '$1d_model: 16\n$1nhead: 2\n$1nlayers: 1\n$1d_hid: 32\n$1dropout: 0.1\n$1max_len: 32')
    .replace('    - _target_: lightning.pytorch.callbacks.ModelCheckpoint',
      '    - _target_: lightning.pytorch.callbacks.EarlyStopping\n      monitor: val_loss\n      patience: 50\n' +
      '    - _target_: lightning.pytorch.callbacks.ModelCheckpoint'));
});
after(() => rmSync(ws, { recursive: true, force: true }));

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

async function train(name: string, backend: string, config?: string, extra: string[] = [], env: Record<string, string> = {}) {
  const dir = join(ws, 'runs', name);
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const r = await runJobProcess(ws, [`exp_config.directory=${dir}`, `trainer.accelerator=${backend}`, ...extra], config);
    return { dir, ...r };
  } finally {
    for (const k of Object.keys(env)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

function assertClose(cpuDir: string, gpuDir: string): void {
  const a = readCheckpoint(join(cpuDir, 'checkpoints', 'last'));
  const b = readCheckpoint(join(gpuDir, 'checkpoints', 'last'));
  assert.deepEqual(b.manifest.progress, a.manifest.progress);
  assert.equal(b.manifest.backend, 'webgpu');
  for (let i = 0; i < a.tensors.length; i++) {
    const d = maxDiff(a.tensors[i]!.values, b.tensors[i]!.values);
    assert.ok(d <= WEIGHT_TOLERANCE, `${a.tensors[i]!.name}: webgpu differs from cpu by ${d}`);
  }
  const rows = (dir: string) => readMetrics(join(dir, 'metrics.jsonl')).filter((r) => 'auc' in r);
  const [ra, rb] = [rows(cpuDir), rows(gpuDir)];
  assert.equal(rb.length, ra.length);
  assert.ok(ra.length > 0);
  ra.forEach((r, i) => {
    for (const k of ['val_loss', 'auc', 'map']) {
      assert.ok(Math.abs(r[k]! - rb[i]![k]!) <= METRIC_TOLERANCE, `${k} at step ${r.step}: cpu ${r[k]} webgpu ${rb[i]![k]}`);
    }
  });
}

test('webgpu: the mean-pool model trains and matches cpu within tolerance; run.json names the adapter', { skip }, async () => {
  const [cpu, gpu] = [await train('mp-cpu', 'cpu'), await train('mp-webgpu', 'webgpu')];
  assert.equal(cpu.code, 0, cpu.stderr + cpu.stdout);
  assert.equal(gpu.code, 0, gpu.stderr + gpu.stdout);
  assert.match(gpu.stdout, /accelerator webgpu -> webgpu: using adapter 0: .*software\)/);
  const run = JSON.parse(readFileSync(join(gpu.dir, 'run.json'), 'utf8'));
  assert.equal(run.backend, 'webgpu');
  assert.equal(run.adapter.software, true);
  assert.equal(run.adapter.vendor, 'mesa');
  assert.match(run.attempts[0].backend_reason, /using adapter 0/);
  assertClose(cpu.dir, gpu.dir);
});

test('webgpu: the transformer with every shipped callback trains and matches cpu', { skip }, async () => {
  const cfg = 'premise_selection/mizar40/tiny_transformer';
  const [cpu, gpu] = [await train('tf-cpu', 'cpu', cfg), await train('tf-webgpu', 'webgpu', cfg)];
  assert.equal(cpu.code, 0, cpu.stderr + cpu.stdout);
  assert.equal(gpu.code, 0, gpu.stderr + gpu.stdout);
  assertClose(cpu.dir, gpu.dir);
  const index = JSON.parse(readFileSync(join(gpu.dir, 'checkpoints', 'index.json'), 'utf8'));
  assert.ok(Object.keys(index.best_k).length >= 1, 'ModelCheckpoint kept top-k checkpoints on webgpu');
  assert.ok(readMetrics(join(gpu.dir, 'metrics.jsonl')).some((r) => 'lr-Adam' in r), 'LearningRateMonitor logged');
});

test('webgpu: the conv encoder with the interaction classifier trains and matches cpu', { skip }, async () => {
  const cfg = 'premise_selection/mizar40/tiny_conv';
  const [cpu, gpu] = [await train('conv-cpu', 'cpu', cfg), await train('conv-webgpu', 'webgpu', cfg)];
  assert.equal(cpu.code, 0, cpu.stderr + cpu.stdout);
  assert.equal(gpu.code, 0, gpu.stderr + gpu.stdout);
  assert.match(readFileSync(join(ws, 'configs', 'premise_selection', 'mizar40', 'tiny_conv.yaml'), 'utf8'), /interaction: true[\s\S]*_target_: bait\.models\.ConvEncoder/);
  assertClose(cpu.dir, gpu.dir);
});

test('webgpu: deterministic run to run, and kill -9 + resume equals the uninterrupted run bit for bit', { skip }, async () => {
  const reference = await referenceRun(ws, 'webgpu');
  const again = await train('webgpu-again', 'webgpu');
  assert.equal(again.code, 0, again.stderr);
  const sha = (d: string) => readCheckpoint(join(d, 'checkpoints', 'last')).manifest.tensors_sha256;
  assert.equal(sha(again.dir), sha(reference), 'two webgpu runs of the same config end with the same bits');
  await killNineAndResume(ws, 'webgpu', reference);
});

test('webgpu: a webgpu checkpoint resumes on cpu (close, not bit-identical, and said so)', { skip }, async () => {
  const first = await train('cross', 'webgpu', undefined, ['trainer.max_steps=20']);
  assert.equal(first.code, 0, first.stderr);
  const { overrides } = resumeCommand(first.dir);
  const r = await runJobProcess(ws, [...overrides, 'trainer.max_steps=40', 'trainer.accelerator=cpu']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /written on webgpu and this attempt runs on cpu: the continuation is close but not bit-identical/);
  const run = JSON.parse(readFileSync(join(first.dir, 'run.json'), 'utf8'));
  assert.deepEqual(run.attempts.map((a: { backend: string }) => a.backend), ['webgpu', 'cpu']);
  assert.equal(run.adapter, null, 'the cpu attempt has no adapter');
});

test('webgpu: failures are one clear message with exit 1, or a reasoned fallback for auto', { skip }, async () => {
  const noSoftware = { BAIT_ALLOW_SOFTWARE_GPU: '0' };
  const refused = await train('err-software', 'webgpu', undefined, [], noSoftware);
  assert.equal(refused.code, 1, refused.stderr + refused.stdout);
  assert.match(refused.stderr, /only GPU adapter WebGPU found is a software one \(.*\).*BAIT_ALLOW_SOFTWARE_GPU=1/);
  assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(existsSync(refused.dir), false, 'nothing was created');

  const auto = await train('err-auto', 'auto', undefined, ['trainer.max_steps=2'], noSoftware);
  assert.equal(auto.code, 0, auto.stderr);
  const run = JSON.parse(readFileSync(join(auto.dir, 'run.json'), 'utf8'));
  assert.equal(run.backend, 'wasm');
  assert.match(run.attempts[0].backend_reason, /tfjs-node-gpu is not installed; no usable WebGPU adapter \(the only GPU adapter is a software one \(llvmpipe/);
  assert.doesNotMatch(auto.stderr + auto.stdout, /maxDynamic|Warning:/, 'auto probes Dawn in a child: its notices stay out of a CPU run');

  const none = await train('err-none', 'gpu', undefined, [], { VK_ICD_FILENAMES: join(ws, 'no-such-icd.json') });
  assert.equal(none.code, 1, none.stderr + none.stdout);
  assert.match(none.stderr, /found no GPU backend: .*tfjs-node-gpu is not installed.*Vulkan found no GPU adapter on this host.*vulkaninfo/);

  const index = await train('err-index', 'webgpu', undefined, ['+trainer.devices=[3]']);
  assert.equal(index.code, 1, index.stderr);
  assert.match(index.stderr, /trainer\.devices.*asks for GPU adapter 3, but this host has 1/);

  const kernel = await train('err-kernel', 'webgpu', undefined, ['model._target_=models.unique.UniqueModel', 'trainer.max_steps=2']);
  assert.equal(kernel.code, 1, kernel.stderr + kernel.stdout);
  assert.match(kernel.stderr, /webgpu backend has no 'Unique' kernel, which this model uses.*trainer\.accelerator=wasm/);

  const fault = await train('err-fault', 'webgpu', undefined, ['model._target_=models.fault.FaultModel', 'trainer.max_steps=2']);
  assert.equal(fault.code, 1, fault.stderr + fault.stdout);
  assert.match(fault.stderr, /the GPU reported an error and training cannot continue \(GPUValidationError: .*storage buffers/);
  assert.doesNotMatch(fault.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(JSON.parse(readFileSync(join(fault.dir, 'run.json'), 'utf8')).status, 'failed', 'the run is marked failed');
});
