// Training throughput of one premise-selection model on one backend, with the real Trainer, models and data
// module: `npm run bench -- training` runs it for webgpu beside wasm and cpu, and bench/gpu.sh runs its bundle
// (dist/bench-gpu.js, built with the runner) on a GPU host. Prints one JSON line:
//   {"backend","model","batch","samples_per_s","steps","adapter":{vendor, architecture, device, driver, software}}
//   node dist/bench-gpu.js --backend webgpu --model meanpool|transformer --batch 32 [--steps N] [--data DIR]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type BackendChoice, backendChoice, initBackend } from '../runner/backend/index.js';
import { PremiseDataModule } from '../runner/data/premise_datamodule.js';
import { MeanPoolEncoder } from '../runner/models/mean_pool.js';
import { BinaryClassifier, PremiseSelection } from '../runner/models/premise_selection.js';
import { TransformerEncoder } from '../runner/models/transformer.js';
import { MetricsLog } from '../runner/run/metrics_log.js';
import { parseTrainerOptions } from '../runner/train/options.js';
import { Progress } from '../runner/train/progress.js';
import { Trainer } from '../runner/train/trainer.js';

export type ModelKind = 'meanpool' | 'transformer';

export interface GpuTrainArgs {
  backend: BackendChoice;
  model: ModelKind;
  batch: number;
  steps: number;
  warmup: number;
  /** The Mizar40 M2k folder (data/mizar40-m2k in the repository; dist/data/mizar40-m2k beside the bundle). */
  dataDir: string;
}

export async function measure(a: GpuTrainArgs): Promise<Record<string, unknown>> {
  const backend = await initBackend(a.backend);
  const maxLen = a.model === 'meanpool' ? 128 : 64;
  const data = new PremiseDataModule({ config: { batch_size: a.batch, attributes: { max_len: maxLen },
    data_options: { dir: a.dataDir } } });
  data.setup();
  const enc = () => a.model === 'meanpool'
    ? new MeanPoolEncoder({ ntoken: data.vocabSize, d_model: 128, dropout: 0.1 })
    : new TransformerEncoder({ ntoken: data.vocabSize, d_model: 128, nhead: 2, nlayers: 1, d_hid: 256, max_len: maxLen });
  const model = new PremiseSelection({ goal_embedding_module: enc(), premise_embedding_module: enc(),
    classifier: new BinaryClassifier({ input_shape: 128 }), lr: 1e-3 });
  const tmp = mkdtempSync(join(tmpdir(), 'bait-bench-gpu-'));
  const opts = parseTrainerOptions({ max_steps: a.warmup, limit_val_batches: 0, gradient_clip_val: 1.0, enable_progress_bar: false }, []);
  const trainer = new Trainer(opts, {
    model, data, callbacks: [], seed: 1, attempt: 1, runDir: tmp, checkpointDir: join(tmp, 'checkpoints'),
    metrics: new MetricsLog(join(tmp, 'metrics.jsonl')), progress: new Progress(false, false, () => {}), print: () => {},
    backend: backend.name, config: {}, stopFile: join(tmp, 'stop'),
  });
  try {
    // The warm-up compiles every kernel (shaders on a GPU); the timed part is steady-state training.
    await trainer.fit();
    const steps = Math.min(a.steps, trainer.trainBatches * 50);
    opts.max_steps = a.warmup + steps;
    const t0 = performance.now();
    await trainer.fit();
    const seconds = (performance.now() - t0) / 1000;
    return { backend: backend.name, model: a.model, batch: a.batch, steps, samples_per_s: Math.round((steps * a.batch) / seconds),
      adapter: backend.adapter ?? null };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function parseArgs(argv: string[]): GpuTrainArgs {
  const get = (k: string, d?: string) => {
    const i = argv.indexOf(`--${k}`);
    const v = i >= 0 ? argv[i + 1] : d;
    if (v === undefined) throw new Error(`--${k} is required`);
    return v;
  };
  const model = get('model', 'meanpool');
  if (model !== 'meanpool' && model !== 'transformer') throw new Error('--model is meanpool or transformer');
  const batch = Number(get('batch', '32'));
  return {
    backend: backendChoice(get('backend', 'webgpu')),
    model,
    batch,
    // About the same number of samples per measurement at every batch size.
    steps: Number(get('steps', String(Math.max(10, Math.round((model === 'meanpool' ? 9600 : 640) / batch))))),
    warmup: Number(get('warmup', model === 'meanpool' ? '10' : '3')),
    dataDir: get('data', join(dirname(__filename), 'data', 'mizar40-m2k')),
  };
}

if (process.argv.includes('--bench-gpu-train')) {
  measure(parseArgs(process.argv)).then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + '\n');
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`bench-gpu: ${(e as Error)?.message ?? e}\n`);
      process.exit(1);
    },
  );
}

/**
 * For `npm run bench -- training`: webgpu samples/s at batch 32 (as the wasm and cpu figures) when an adapter
 * exists, each model in its own process. A software adapter (CI's lavapipe) is measured and marked as such.
 */
export function webgpuTraining(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const root = join(__dirname, '..');
  for (const model of ['meanpool', 'transformer'] as const) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'gpu-train.ts'), '--bench-gpu-train',
      '--backend', 'webgpu', '--model', model, '--batch', '32', '--data', join(root, 'data', 'mizar40-m2k'),
      // Few steps: on a software adapter (CI's lavapipe) a mean-pool step takes most of a second.
      '--steps', model === 'meanpool' ? '30' : '4', '--warmup', '2'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, BAIT_ALLOW_SOFTWARE_GPU: '1' } });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{')) return { note: `webgpu not measured: ${(r.stderr.trim().split('\n').pop() ?? '').replace(/^bench-gpu: /, '')}` };
    const m = JSON.parse(line);
    out[`webgpu_${model}`] = m.samples_per_s;
    out.adapter = m.adapter;
  }
  if ((out.adapter as { software?: boolean } | undefined)?.software) {
    out.note = 'software adapter (Mesa lavapipe on the CPU): a correctness path, not GPU speed; bench/gpu.sh measures a real GPU';
  }
  return out;
}
