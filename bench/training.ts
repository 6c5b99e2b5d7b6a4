// Training throughput of the premise-selection models (mean-pool and transformer) on the wasm and cpu backends,
// beside the same models in PyTorch on CPU (bench/torch_baseline.py: Debian's python3-torch with OpenBLAS,
// OPENBLAS_NUM_THREADS=1; every variant of torch threads 1/2 and glibc malloc default/tuned is printed, and our
// ratio is against the fastest) in the same run; and the time from starting `bait run`
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

/**
 * glibc malloc settings for the PyTorch baseline. By default glibc hands blocks above its (dynamic) mmap threshold
 * back to the kernel and maps them again the next step, and the small mean-pool model then page-faults in every
 * Adam step (its speed swings about 4x between runs). `tuned` keeps freed memory in the heap: the mmap threshold at
 * glibc's maximum (32 MiB on 64-bit; larger values are ignored) and a trim threshold of 1 GiB.
 */
const MALLOC: Record<string, Record<string, string>> = {
  default: {},
  tuned: { MALLOC_MMAP_THRESHOLD_: String(32 * 1024 * 1024), MALLOC_TRIM_THRESHOLD_: String(1024 * 1024 * 1024) },
};
const TORCH_VARIANTS: Record<ModelKind, string[]> = { meanpool: ['embedding', 'bag'], transformer: ['layer'] };
const TORCH_STEPS: Record<ModelKind, number> = { meanpool: 300, transformer: 20 };

interface TorchRun { torch: string; blas: string; samples_per_s: number }

function torchRun(kind: ModelKind, form: string, threads: number, malloc: string): TorchRun | string {
  const r = spawnSync(PYTHON, [join(ROOT, 'bench', 'torch_baseline.py'), DATA, kind, form, String(threads), String(TORCH_STEPS[kind])], {
    encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1', ...MALLOC[malloc] },
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) return `torch_baseline.py ${kind} ${form} failed: ${r.stderr.slice(-300)}`;
  return JSON.parse(line);
}

/** Every PyTorch variant of each model: form x torch threads (1, 2) x malloc (default, tuned), samples/s. */
function torchBaseline(): { variants: Record<ModelKind, Record<string, number>>; torch: string; blas: string } | string {
  const note = ensureTorch();
  if (note) return note;
  const variants = { meanpool: {}, transformer: {} } as Record<ModelKind, Record<string, number>>;
  let meta = { torch: '', blas: '' };
  for (const kind of ['meanpool', 'transformer'] as const) {
    for (const form of TORCH_VARIANTS[kind]) {
      for (const threads of [1, 2]) {
        for (const malloc of Object.keys(MALLOC)) {
          const r = torchRun(kind, form, threads, malloc);
          if (typeof r === 'string') return r;
          meta = { torch: r.torch, blas: r.blas };
          variants[kind][`${form}/threads=${threads}/malloc=${malloc}`] = Math.round(r.samples_per_s);
        }
      }
    }
  }
  return { variants, ...meta };
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
    const fastest = (kind: ModelKind) => Object.entries(torch.variants[kind]).reduce((a, b) => (b[1] > a[1] ? b : a));
    const ratio = (a: number, b: number) => Number((a / b).toFixed(3));
    const [mpName, mp] = fastest('meanpool');
    const [trName, tr] = fastest('transformer');
    out.torch = { version: torch.torch, blas: torch.blas, blas_library: blasLibrary, OPENBLAS_NUM_THREADS: 1, malloc_tuned: MALLOC.tuned,
      variants: torch.variants, fastest: { meanpool: mpName, transformer: trName } };
    out.ratio_vs_fastest_torch_cpu = {
      wasm_meanpool: ratio(tfjs.wasm_meanpool!, mp), cpu_meanpool: ratio(tfjs.cpu_meanpool!, mp),
      wasm_transformer: ratio(tfjs.wasm_transformer!, tr), cpu_transformer: ratio(tfjs.cpu_transformer!, tr),
    };
    out.targets = { wasm_meanpool: 1.0, wasm_transformer: 0.5 };
    out.meets_targets = { wasm_meanpool: tfjs.wasm_meanpool! / mp >= 1.0, wasm_transformer: tfjs.wasm_transformer! / tr >= 0.5 };
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
