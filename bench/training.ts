// Training throughput of the premise-selection models (mean-pool and transformer) on the wasm and cpu backends,
// beside the same models in PyTorch on CPU (bench/torch_baseline.py: Debian's python3-torch with OpenBLAS,
// OPENBLAS_NUM_THREADS=1; every variant of torch threads 1/2, default and tuned (glibc malloc thresholds, subnormals
// flushed to zero) is printed, and our ratio is against the fastest), and the time from starting `bait run` to the
// first training step.
//
// Fair under load: every variant runs in its own warm process (a tfjs backend is per process, and a malloc
// setting per Python process), and the bench alternates short timed windows, one process at a time: first a survey
// of every variant over a few rounds (the order rotating each round), then ours against the fastest PyTorch variant
// in adjacent windows, many rounds. A machine whose load changes therefore slows both sides of a pair alike; the
// ratio is reported per pair (median and range) with the load average.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import { webgpuTraining } from './gpu-train.js';

const ROOT = resolve(__dirname, '..');
const DATA = join(ROOT, 'data', 'mizar40-m2k');
const BATCH = 32;
type ModelKind = 'meanpool' | 'transformer';
const WARMUP: Record<ModelKind, number> = { meanpool: 20, transformer: 3 };
/** Seconds each variant trains per window. */
const WINDOW_S: Record<ModelKind, number> = { meanpool: 0.5, transformer: 2 };
/** Rounds over every variant (the survey), then of ours against the fastest PyTorch variant (BAIT_BENCH_ROUNDS). */
const SURVEY_ROUNDS = 2;
const ROUNDS = Number(process.env.BAIT_BENCH_ROUNDS ?? 10);
/** The models to measure (BAIT_BENCH_MODELS=transformer measures one; default both). */
const KINDS = (process.env.BAIT_BENCH_MODELS ?? 'meanpool,transformer').split(',').filter((k): k is ModelKind =>
  k === 'meanpool' || k === 'transformer');

/**
 * In a worker: builds the model and the real Trainer, trains a warm-up, prints {"ready":true}, then for each line
 * "N" read from stdin trains N more steps and prints {"steps","seconds","cpu_seconds"}. The process stays warm
 * between windows.
 */
async function worker(backend: 'wasm' | 'cpu', kind: ModelKind): Promise<void> {
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
  const data = new PremiseDataModule({ config: { batch_size: BATCH, attributes: { max_len: maxLen } } }, ROOT);
  data.setup();
  const enc = () => kind === 'meanpool'
    ? new MeanPoolEncoder({ ntoken: data.vocabSize, d_model: 128, dropout: 0.1 })
    : new TransformerEncoder({ ntoken: data.vocabSize, d_model: 128, nhead: 2, nlayers: 1, d_hid: 256, max_len: maxLen });
  const model = new PremiseSelection({ goal_embedding_module: enc(), premise_embedding_module: enc(),
    classifier: new BinaryClassifier({ input_shape: 128 }), lr: 1e-3 });
  const tmp = mkdtempSync(join(tmpdir(), 'bait-bench-'));
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
  // max_epochs stays out of the way: windows continue across epoch ends as a long run does.
  const opts = parseTrainerOptions({ max_steps: WARMUP[kind], max_epochs: 1000000, limit_val_batches: 0,
    gradient_clip_val: 1.0, enable_progress_bar: false }, []);
  const trainer = new Trainer(opts, {
    model, data, callbacks: [], seed: 1, attempt: 1, runDir: tmp, checkpointDir: join(tmp, 'checkpoints'),
    metrics: new MetricsLog(join(tmp, 'metrics.jsonl')), progress: new Progress(false, false, () => {}), print: () => {},
    backend, config: {}, stopFile: join(tmp, 'stop'),
  });
  await trainer.fit();
  process.stdout.write(JSON.stringify({ ready: true, step: trainer.stepKernels.join(', ') || 'tfjs ops' }) + '\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const steps = Number(line);
    opts.max_steps += steps;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await trainer.fit();
    const cpu = process.cpuUsage(c0);
    process.stdout.write(JSON.stringify({ steps, seconds: (performance.now() - t0) / 1000, cpu_seconds: (cpu.user + cpu.system) / 1e6 }) + '\n');
  }
}

// Debian's python3-torch lives in the system interpreter; a pyenv or venv `python3` on PATH would not see it.
// Looked up when used: on a fresh machine /usr/bin/python3 appears only once ensureTorch() installed it.
const python = () => (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
// Debian's torch calls whichever libblas.so.3 the system alternative names, by default the reference BLAS, which
// is several times slower on the transformer. The baseline loads OpenBLAS from its own folder instead.
const MULTIARCH = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
const OPENBLAS_DIR = `/usr/lib/${MULTIARCH}/openblas-pthread`;
const BLAS_ALTERNATIVES = [`libblas.so.3-${MULTIARCH}`, `liblapack.so.3-${MULTIARCH}`];
const TORCH_PACKAGES = ['python3-torch', 'libopenblas0-pthread'];

/** update-alternatives, with --admindir/--altdir when a test points it at a folder of its own. */
export type AlternativesCommand = [string, ...string[]];
const UPDATE_ALTERNATIVES: AlternativesCommand = ['update-alternatives'];

/** Where each BLAS alternative points now (a machine without any BLAS has none). */
export function alternatives(ua = UPDATE_ALTERNATIVES): Map<string, string> {
  return new Map(BLAS_ALTERNATIVES.flatMap((name) => {
    const r = spawnSync(ua[0], [...ua.slice(1), '--query', name], { encoding: 'utf8' });
    const value = /^Value: (.+)$/m.exec(r.stdout ?? '')?.[1];
    return value ? [[name, value] as [string, string]] : [];
  }));
}

/**
 * Installs Debian's packages without questions (tzdata comes with python3 on a fresh machine) or recommends
 * (build-essential and libtorch-dev: 600 packages instead of 400); reads the package lists first when the
 * install cannot find a package (a fresh machine has none). The last lines of apt's errors when it fails.
 */
function aptInstall(packages: string[]): string | undefined {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]) => spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args],
    { env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const install = () => apt(['install', '-y', '--no-install-recommends', ...packages]);
  let r = install();
  if (r.status !== 0) {
    apt(['update']);
    r = install();
  }
  return r.status === 0 ? undefined : (r.stderr || String(r.error ?? 'apt-get failed')).trim().split('\n').slice(-2).join(' | ');
}

/**
 * Makes sure python3 can import torch and that OpenBLAS is there: installs Debian's packages as root. The system's
 * BLAS choice stays as it was: OpenBLAS's package would take over the libblas.so.3 alternatives (its priority is
 * higher), so each one that existed before and moved is set back; only the baseline's processes load OpenBLAS,
 * by LD_LIBRARY_PATH. (On a machine with no BLAS before, OpenBLAS is then the only one, as Debian installs it.)
 * A note when the baseline cannot run.
 */
function ensureTorch(): string | undefined {
  const ok = () => spawnSync(python(), ['-c', 'import torch'], { encoding: 'utf8' }).status === 0 &&
    existsSync(join(OPENBLAS_DIR, 'libblas.so.3'));
  if (ok()) return undefined;
  if (process.getuid?.() !== 0) return `${TORCH_PACKAGES.join(' or ')} is not installed and this is not root: PyTorch baseline skipped`;
  const before = alternatives();
  const failed = aptInstall(TORCH_PACKAGES);
  restoreAlternatives(before);
  if (failed) return `apt-get could not install ${TORCH_PACKAGES.join(' and ')} (${failed}): PyTorch baseline skipped`;
  return ok() ? undefined : `${TORCH_PACKAGES.join(' and ')} installed but ${python()} cannot import torch: PyTorch baseline skipped`;
}

/** Sets each alternative in `before` that now points elsewhere back to its old value. */
export function restoreAlternatives(before: Map<string, string>, ua = UPDATE_ALTERNATIVES): void {
  const now = alternatives(ua);
  for (const [name, value] of before) {
    if (now.get(name) !== value) spawnSync(ua[0], [...ua.slice(1), '--set', name, value], { stdio: 'ignore' });
  }
}

export const BLAS_ALTERNATIVE_NAMES = BLAS_ALTERNATIVES;

/**
 * Settings for the PyTorch baseline, each measured in its own processes. By default glibc hands blocks above its
 * (dynamic) mmap threshold back to the kernel and maps them again the next step, and the small mean-pool model
 * then page-faults in every Adam step (its speed swings about 4x between runs). `tuned` keeps freed memory in the
 * heap (the mmap threshold at glibc's maximum, 32 MiB on 64-bit; larger values are ignored; a trim threshold of
 * 1 GiB) and flushes subnormal floats to zero (torch.set_flush_denormal), as the project's Adam does for its moments.
 */
const TUNING: Record<string, Record<string, string>> = {
  default: {},
  tuned: { MALLOC_MMAP_THRESHOLD_: String(32 * 1024 * 1024), MALLOC_TRIM_THRESHOLD_: String(1024 * 1024 * 1024),
    BAIT_TORCH_FLUSH_DENORMAL: '1' },
};
const TORCH_FORMS: Record<ModelKind, string[]> = { meanpool: ['embedding', 'bag'], transformer: ['layer'] };

/** A warm training process that trains N more steps per request and answers with the seconds they took. */
class Worker {
  private readonly lines: AsyncIterator<string>;
  private stderr = '';
  meta: Record<string, unknown> = {};
  /** Steps per window, set from the calibration window so that each lasts about WINDOW_S. */
  steps = 1;
  readonly rates: number[] = [];
  /** Samples per second of the process's own CPU time, per window (less swayed by other processes than wall time). */
  readonly cpuRates: number[] = [];

  constructor(readonly name: string, private readonly proc: ChildProcessWithoutNullStreams) {
    proc.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    this.lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  }

  private async next(): Promise<Record<string, unknown>> {
    for (;;) {
      const r = await this.lines.next();
      if (r.done) throw new Error(`${this.name} exited: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      if (r.value.startsWith('{')) return JSON.parse(r.value);
    }
  }

  async ready(): Promise<void> {
    this.meta = await this.next();
  }

  /** Trains `steps` more steps; samples/s. */
  async window(steps: number): Promise<number> {
    this.proc.stdin.write(`${steps}\n`);
    const r = await this.next();
    this.cpuRates.push((steps * BATCH) / (r.cpu_seconds as number));
    return (steps * BATCH) / (r.seconds as number);
  }

  close(): void {
    this.proc.stdin.end();
    this.proc.kill();
  }
}

function ourWorker(backend: 'wasm' | 'cpu', kind: ModelKind): Worker {
  return new Worker(`${backend}_${kind}`, spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'training.ts'),
    '--train-worker', backend, kind], { cwd: ROOT }));
}

function torchWorker(kind: ModelKind, form: string, threads: number, tuning: string): Worker {
  return new Worker(`torch:${form}/threads=${threads}/${tuning}`, spawn(python(),
    [join(ROOT, 'bench', 'torch_baseline.py'), DATA, kind, form, String(threads)],
    { env: { ...process.env, LD_LIBRARY_PATH: OPENBLAS_DIR, OPENBLAS_NUM_THREADS: '1', ...TUNING[tuning] } }));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const range = (xs: number[]) => [Math.min(...xs), Math.max(...xs)];
const round3 = (x: number) => Number(x.toFixed(3));

interface KindResult {
  /** Survey: the median samples/s of each variant over SURVEY_ROUNDS interleaved rounds, and [min, max]. */
  samples_per_s: Record<string, number>;
  range: Record<string, number[]>;
  fastest_torch?: string;
  /** How ours trained: its fused step, or the tfjs ops. */
  ours_step?: unknown;
  /**
   * Head to head with the fastest torch variant: ROUNDS pairs of adjacent windows (who goes first alternates);
   * each pair gives one ratio. Median and [min, max].
   */
  ratio_vs_fastest_torch_cpu?: { median: number; range: number[]; ours_samples_per_s: number; torch_samples_per_s: number };
  /** The same pairs by each process's own CPU time: samples per CPU-second, ours over PyTorch's. */
  ratio_by_cpu_time?: { median: number; range: number[] };
  torch_meta?: Record<string, unknown>;
}

/** One window per worker in turn, `rounds` times, the order rotating each round; rates are appended to each. */
async function rotate(workers: Worker[], rounds: number): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < workers.length; i++) {
      const w = workers[(i + r) % workers.length]!;
      w.rates.push(await w.window(w.steps));
    }
  }
}

/**
 * Starts every variant of `kind` (ours on wasm, and on cpu for the mean-pool; each PyTorch variant), calibrates
 * each one's window to about WINDOW_S seconds, surveys them all in interleaved rounds, then measures ours head to
 * head against the fastest PyTorch variant in alternating adjacent windows.
 */
async function interleaved(kind: ModelKind, withTorch: boolean): Promise<KindResult> {
  const ours = ourWorker('wasm', kind);
  // The pure-JS cpu backend (the correctness reference) trains the transformer at about one sample a second.
  const workers: Worker[] = kind === 'meanpool' ? [ours, ourWorker('cpu', kind)] : [ours];
  if (withTorch) {
    for (const form of TORCH_FORMS[kind]) {
      for (const threads of [1, 2]) for (const tuning of Object.keys(TUNING)) workers.push(torchWorker(kind, form, threads, tuning));
    }
  }
  const out: KindResult = { samples_per_s: {}, range: {} };
  try {
    // All start at once; each waits on its stdin once warm, costing nothing.
    for (const w of workers) await w.ready();
    out.ours_step = ours.meta.step;
    for (const w of workers) {
      const rate = await w.window(kind === 'meanpool' ? 20 : 1);
      w.steps = Math.max(1, Math.round((rate * WINDOW_S[kind]) / BATCH));
    }
    await rotate(workers, SURVEY_ROUNDS);
    for (const w of workers) {
      out.samples_per_s[w.name] = Math.round(median(w.rates));
      out.range[w.name] = range(w.rates).map(Math.round);
    }
    const torch = workers.filter((w) => w.name.startsWith('torch:'));
    if (!torch.length) return out;
    const fastest = torch.reduce((a, b) => (median(b.rates) > median(a.rates) ? b : a));
    out.fastest_torch = fastest.name;
    out.torch_meta = { version: torch[0]!.meta.torch, blas: torch[0]!.meta.blas, blas_library: torch[0]!.meta.blas_library };
    for (const w of workers) if (w !== ours && w !== fastest) w.close();
    for (const w of [ours, fastest]) {
      w.rates.length = 0;
      w.cpuRates.length = 0;
    }
    await rotate([ours, fastest], ROUNDS);
    const ratios = ours.rates.map((x, r) => x / fastest.rates[r]!);
    const cpuRatios = ours.cpuRates.map((x, r) => x / fastest.cpuRates[r]!);
    out.ratio_by_cpu_time = { median: round3(median(cpuRatios)), range: range(cpuRatios).map(round3) };
    out.ratio_vs_fastest_torch_cpu = { median: round3(median(ratios)), range: range(ratios).map(round3),
      ours_samples_per_s: Math.round(median(ours.rates)), torch_samples_per_s: Math.round(median(fastest.rates)) };
    return out;
  } finally {
    for (const w of workers) w.close();
  }
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
  const note = ensureTorch();
  const load = [loadavg()[0]!];
  const out: Record<string, unknown> = {
    unit: 'training samples/s (batch 32, d_model 128)', survey_rounds: SURVEY_ROUNDS, head_to_head_rounds: ROUNDS, window_s: WINDOW_S,
  };
  if (note) out.torch_note = note;
  const results: Partial<Record<ModelKind, KindResult>> = {};
  for (const kind of KINDS) {
    results[kind] = await interleaved(kind, note === undefined);
    load.push(loadavg()[0]!);
  }
  const meta = Object.values(results).find((r) => r.torch_meta)?.torch_meta;
  if (meta) {
    out.torch = { ...meta, OPENBLAS_NUM_THREADS: 1, tuned: TUNING.tuned };
    const ratios = KINDS.map((kind) => [`wasm_${kind}`, results[kind]!.ratio_vs_fastest_torch_cpu!] as const);
    const target = (key: string) => (key === 'wasm_meanpool' ? 1.0 : 0.5);
    out.ratio_vs_fastest_torch_cpu = Object.fromEntries(ratios.map(([k, r]) => [k, r.median]));
    out.ratio_range = Object.fromEntries(ratios.map(([k, r]) => [k, r.range]));
    out.targets = Object.fromEntries(ratios.map(([k]) => [k, target(k)]));
    out.meets_targets = Object.fromEntries(ratios.map(([k, r]) => [k, r.median >= target(k)]));
  }
  for (const r of Object.values(results)) delete r.torch_meta;
  out.models = results;
  out.load_average_1min = range(load).map((x) => Number(x.toFixed(1)));
  // WebGPU beside wasm and cpu (bench/gpu-train.ts; marked when the adapter is a software one).
  out.webgpu = webgpuTraining();
  out.time_to_first_step = await timeToFirstStep();
  return out;
}

if (process.argv[2] === '--train-worker') {
  worker(process.argv[3] as 'wasm' | 'cpu', process.argv[4] as ModelKind).catch((e) => {
    process.stderr.write(String(e?.stack ?? e));
    process.exit(1);
  });
}
