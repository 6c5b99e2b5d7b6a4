// Training throughput of the premise-selection models (mean-pool and transformer) on the wasm and cpu backends,
// beside the same models in PyTorch on CPU (bench/torch_baseline.py: Debian's python3-torch with OpenBLAS,
// OPENBLAS_NUM_THREADS=1, torch on 2 threads) in the same run, as ratios; and the time from starting `bait run`
// to the first training step. Each measurement runs in its own process (a tfjs backend is per process).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { webgpuTraining } from './gpu-train.js';

const ROOT = resolve(__dirname, '..');
const DATA = join(ROOT, 'data', 'mizar40-m2k');
const STEPS = { meanpool: { warmup: 20, steps: 300 }, transformer: { warmup: 3, steps: 20 } } as const;
type ModelKind = keyof typeof STEPS;

/** In the child: trains `steps` batches with the real Trainer after a warm-up and prints samples/s. */
async function child(backend: 'wasm' | 'cpu', kind: ModelKind, steps: number): Promise<void> {
  const { initBackend } = await import('../runner/backend/index.js');
  const { PremiseDataModule } = await import('../runner/data/premise_datamodule.js');
  const { MeanPoolEncoder } = await import('../runner/models/mean_pool.js');
  const { TransformerEncoder } = await import('../runner/models/transformer.js');
  const { BinaryClassifier, PremiseSelection } = await import('../runner/models/premise_selection.js');
  const { Trainer } = await import('../runner/train/trainer.js');
  const { parseTrainerOptions } = await import('../runner/train/options.js');
  const { Progress } = await import('../runner/train/progress.js');
  const { MetricsLog } = await import('../runner/run/metrics_log.js');
  await initBackend(backend);
  const maxLen = kind === 'meanpool' ? 128 : 64;
  const data = new PremiseDataModule({ config: { batch_size: 32, attributes: { max_len: maxLen } } }, ROOT);
  data.setup();
  const enc = () => kind === 'meanpool'
    ? new MeanPoolEncoder({ ntoken: data.vocabSize, d_model: 128, dropout: 0.1 })
    : new TransformerEncoder({ ntoken: data.vocabSize, d_model: 128, nhead: 2, nlayers: 1, d_hid: 256, max_len: maxLen });
  const model = new PremiseSelection({ goal_embedding_module: enc(), premise_embedding_module: enc(),
    classifier: new BinaryClassifier({ input_shape: 128 }), lr: 1e-3 });
  const tmp = mkdtempSync(join(tmpdir(), 'bait-bench-'));
  const warmup = STEPS[kind].warmup;
  const opts = parseTrainerOptions({ max_steps: warmup, limit_val_batches: 0, gradient_clip_val: 1.0, enable_progress_bar: false }, []);
  const trainer = new Trainer(opts, {
    model, data, callbacks: [], seed: 1, attempt: 1, runDir: tmp, checkpointDir: join(tmp, 'checkpoints'),
    metrics: new MetricsLog(join(tmp, 'metrics.jsonl')), progress: new Progress(false, false, () => {}), print: () => {},
    backend, config: {}, stopFile: join(tmp, 'stop'),
  });
  await trainer.fit();
  opts.max_steps = warmup + steps;
  const t0 = performance.now();
  await trainer.fit();
  const seconds = (performance.now() - t0) / 1000;
  rmSync(tmp, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ samples_per_s: (steps * 32) / seconds }) + '\n');
}

function measure(backend: 'wasm' | 'cpu', kind: ModelKind, steps: number): number {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'training.ts'), '--train-child', backend, kind, String(steps)],
    { cwd: ROOT, encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`${backend}/${kind} failed: ${r.stderr.slice(-500)}`);
  return JSON.parse(line).samples_per_s;
}

// Debian's python3-torch lives in the system interpreter; a pyenv or venv `python3` on PATH would not see it.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Makes sure python3 can import torch with OpenBLAS (installs Debian's packages as root); a note when it cannot. */
function ensureTorch(): string | undefined {
  const ok = () => spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  if (ok()) return undefined;
  if (process.getuid?.() !== 0) return 'python3-torch is not installed and this is not root: PyTorch baseline skipped';
  spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', 'python3-torch', 'libopenblas0-pthread'], { stdio: 'ignore' });
  return ok() ? undefined : 'apt-get could not install python3-torch: PyTorch baseline skipped';
}

function torchBaseline(): { meanpool: number; transformer: number; torch: string; blas: string; meanpool_threads: number; transformer_threads: number } | string {
  const note = ensureTorch();
  if (note) return note;
  const r = spawnSync(PYTHON, [join(ROOT, 'bench', 'torch_baseline.py'), DATA, '2'], {
    encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) return `torch_baseline.py failed: ${r.stderr.slice(-300)}`;
  return JSON.parse(line);
}

/** Seconds from spawning `bait run` (the built CLI when present) to its first training step in metrics.jsonl. */
async function timeToFirstStep(): Promise<{ seconds: number; via: string }> {
  const ws = mkdtempSync(join(tmpdir(), 'bait-first-step-'));
  const dir = join(ws, 'run');
  const overrides = [`exp_config.directory=${dir}`, '+trainer.max_steps=1', 'trainer.log_every_n_steps=1',
    '+trainer.limit_val_batches=0', `data_config.data_options.dir=${DATA}`];
  const built = existsSync(join(ROOT, 'dist', 'runner.js')) && existsSync(join(ROOT, 'dist', 'runner-main.js'));
  const args = built
    ? [join(ROOT, 'dist', 'runner.js'), 'run', 'premise_selection/mizar40/bag_of_words', '--config-dir', join(ROOT, 'configs'), ...overrides]
    : ['--import', 'tsx', join(ROOT, 'test', 'runner', 'fixtures', 'run-job.ts'), join(ROOT, 'configs'), 'premise_selection/mizar40/bag_of_words', ...overrides];
  const start = performance.now();
  const p = spawn(process.execPath, args, { cwd: ws, stdio: 'ignore' });
  const metrics = join(dir, 'metrics.jsonl');
  let seconds = Number.NaN;
  while (p.exitCode === null) {
    if (existsSync(metrics) && readFileSync(metrics, 'utf8').includes('\n')) {
      seconds = (performance.now() - start) / 1000;
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => (p.exitCode === null ? p.on('exit', r) : r(null)));
  rmSync(ws, { recursive: true, force: true });
  return { seconds, via: built ? 'dist/runner.js' : 'tsx from source (the CLI bundle was not built)' };
}

export async function benchTraining(): Promise<Record<string, unknown>> {
  const tfjs: Record<string, number> = {};
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const kind of ['meanpool', 'transformer'] as const) {
      // The pure-JS cpu backend is ~20x slower on the transformer; fewer steps keep the bench short.
      const slow = backend === 'cpu' && kind === 'transformer';
      const steps = slow ? 4 : STEPS[kind].steps;
      // Best of two runs, as the PyTorch side reports its best configuration: the machine is shared and noisy.
      const runs = slow ? [measure(backend, kind, steps)] : [measure(backend, kind, steps), measure(backend, kind, steps)];
      tfjs[`${backend}_${kind}`] = Math.round(Math.max(...runs));
    }
  }
  const torch = torchBaseline();
  const out: Record<string, unknown> = { unit: 'training samples/s (batch 32, d_model 128)', tfjs };
  if (typeof torch === 'string') out.torch_note = torch;
  else {
    // Debian's torch links the generic BLAS interface; which library serves it is the system's alternative.
    let blasLibrary = 'unknown';
    try {
      blasLibrary = realpathSync('/usr/lib/x86_64-linux-gnu/libblas.so.3');
    } catch {
      // Not a Debian x86_64 layout: leave it unknown.
    }
    out.torch = { version: torch.torch, blas: torch.blas, blas_library: blasLibrary, OPENBLAS_NUM_THREADS: 1, meanpool: Math.round(torch.meanpool),
      meanpool_threads: torch.meanpool_threads, transformer: Math.round(torch.transformer), transformer_threads: torch.transformer_threads };
    const ratio = (a: number, b: number) => Number((a / b).toFixed(3));
    out.ratio_vs_torch_cpu = {
      wasm_meanpool: ratio(tfjs.wasm_meanpool!, torch.meanpool), cpu_meanpool: ratio(tfjs.cpu_meanpool!, torch.meanpool),
      wasm_transformer: ratio(tfjs.wasm_transformer!, torch.transformer), cpu_transformer: ratio(tfjs.cpu_transformer!, torch.transformer),
    };
    out.target_meanpool_ratio = 0.5;
    out.meets_target = tfjs.wasm_meanpool! / torch.meanpool >= 0.5;
  }
  // WebGPU beside wasm and cpu (bench/gpu-train.ts; marked when the adapter is a software one).
  out.webgpu = webgpuTraining();
  out.time_to_first_step = await timeToFirstStep();
  return out;
}

if (process.argv[2] === '--train-child') {
  child(process.argv[3] as 'wasm' | 'cpu', process.argv[4] as ModelKind, Number(process.argv[5])).catch((e) => {
    process.stderr.write(String(e?.stack ?? e));
    process.exit(1);
  });
}
