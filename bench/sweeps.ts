// Sweep benchmarks (issue 6): the per-job overhead of a 20-job local sweep of no-op experiments, each job its own
// process, and the time to compose and validate every job of a 1,000-job sweep before anything starts.
//   bait_per_job_ms: (`bait run -m` of 20 no-op jobs - of 1 job) / 19 with the basic launcher, real CLI, the
//     shipped premise-selection config with trainer.max_epochs=0: the marginal cost of one more job.
//   bait_single_run_ms: one plain `bait run` of the same no-op experiment (what the job costs by itself).
//   per_job_overhead_ms: bait_per_job_ms - bait_single_run_ms: what the sweep adds to each job (composing and
//     validating it, starting it, sweep.json). Target <= 100 ms.
//   minimal_process_per_job_ms: the same marginal cost with a minimal runner process (the launcher tests'
//     payload with zero steps): Node's start-up plus the sweep machinery, without the runner's own start-up.
//   local_parallel_per_job_ms: the minimal 20 jobs with the local launcher, 2 at a time.
//   compose_validate_1000_ms: `bait run <cfg> -m ... --dry-run --json` in-process for 1,000 jobs. Target <= 1,000 ms.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { BasicLauncher } from '../runner/launchers/basic.js';
import { LocalLauncher } from '../runner/launchers/local.js';
import type { Launcher } from '../runner/launchers/types.js';
import { runSweep } from '../runner/sweep/run-sweep.js';

const ROOT = join(import.meta.dirname, '..');
const PAYLOAD = join(ROOT, 'test', 'launchers', 'fixtures', 'bundle', 'runner.js');
const CLI = join(ROOT, 'dist', 'runner.js');
const NOOP = ['premise_selection/mizar40/bag_of_words', 'trainer.max_epochs=0', 'trainer.enable_progress_bar=false'];

/** Wall time of one `bait` command in the workspace; throws if it fails. */
function baitMs(ws: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ws, encoding: 'utf8', timeout: 300_000 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`bait ${args.join(' ')} failed: ${r.stderr.slice(-500)}`);
  return ms;
}

async function realCli(dir: string): Promise<Record<string, number | string>> {
  if (!existsSync(CLI)) return { bait_per_job_ms: 'unavailable: build dist/runner.js first' };
  const ws = join(dir, 'ws');
  cpSync(join(ROOT, 'configs'), join(ws, 'configs'), { recursive: true });
  cpSync(join(ROOT, 'data'), join(ws, 'data'), { recursive: true });
  baitMs(ws, ['run', ...NOOP]); // warm the file cache
  const single = median([baitMs(ws, ['run', ...NOOP]), baitMs(ws, ['run', ...NOOP]), baitMs(ws, ['run', ...NOOP])]);
  const one = median([baitMs(ws, ['run', '-m', ...NOOP, '+tag=range(1)']), baitMs(ws, ['run', '-m', ...NOOP, '+tag=range(1)'])]);
  const twenty = baitMs(ws, ['run', '-m', ...NOOP, '+tag=range(20)']);
  const perJob = (twenty - one) / 19;
  return { bait_single_run_ms: Math.round(single), bait_per_job_ms: Math.round(perJob), per_job_overhead_ms: Math.round(perJob - single) };
}

async function sweepMs(dir: string, n: number, launcher: Launcher): Promise<number> {
  const sweepDir = join(dir, `s-${launcher.name}-${n}-${Math.random().toString(36).slice(2)}`);
  const jobs = Array.from({ length: n }, (_, num) => ({ num, overrides: [`x=${num}`, 'payload.steps=0'], dir: join(sweepDir, String(num)) }));
  const t0 = performance.now();
  const r = await runSweep({ sweepDir, jobs, launcher, runner: { script: PAYLOAD, configName: 'noop', configDir: join(dir, 'configs') } });
  const ms = performance.now() - t0;
  if (r.completed.length !== n) throw new Error(`no-op sweep: ${n - r.completed.length} jobs did not complete`);
  return ms;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[(s.length >> 1) - 1]! + s[s.length >> 1]!) / 2;
}

async function composeValidate1000(dir: string): Promise<number | string> {
  let mod: typeof import('../runner/cli/sweep-command.js');
  try {
    mod = await import('../runner/cli/sweep-command.js');
  } catch (e) {
    return `unavailable: ${(e as Error).message}`;
  }
  const configDir = join(dir, 'configs');
  mkdirSync(join(configDir, 'model'), { recursive: true });
  writeFileSync(join(configDir, 'exp.yaml'), 'defaults:\n  - model: small\n  - _self_\nseed: 0\nlr: 0.1\nbatch: 32\nname: exp_${seed}\n');
  writeFileSync(join(configDir, 'model', 'small.yaml'), 'layers: 2\nwidth: 64\n');
  writeFileSync(join(configDir, 'model', 'large.yaml'), 'layers: 8\nwidth: 512\n');
  const overrides = ['seed=range(10)', 'lr=0.1,0.01,0.001,0.0001,0.00001', 'batch=16,32,64,128,256,512,1024,2048,4096,8192', 'model=small,large', `hydra.sweep.dir=${join(dir, 'multirun')}`];
  let lines = 0;
  const out = new Writable({ write(chunk, _enc, cb) { lines += String(chunk).split('\n').length - 1; cb(); } });
  const err = new Writable({ write(_c, _e, cb) { cb(); } });
  const args = { command: 'run' as const, configName: 'exp', overrides, configDir, multirun: true, resolve: false, json: true, dryRun: true, verbose: false };
  const t0 = performance.now();
  const code = await mod.runSweepCommand(args, { configDir, out, err });
  const ms = performance.now() - t0;
  if (code !== 0 || lines !== 1000) throw new Error(`1,000-job dry run: exit ${code}, ${lines} jobs listed`);
  return ms;
}

export async function benchSweeps(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'bait-bench-sweeps-'));
  try {
    await sweepMs(dir, 1, new BasicLauncher()); // warm the file cache
    const one = median([await sweepMs(dir, 1, new BasicLauncher()), await sweepMs(dir, 1, new BasicLauncher()), await sweepMs(dir, 1, new BasicLauncher())]);
    const twenty = await sweepMs(dir, 20, new BasicLauncher());
    const parallel = await sweepMs(dir, 20, new LocalLauncher({ n_jobs: 2, gpus: false }));
    const compose = await composeValidate1000(dir);
    const real = await realCli(dir);
    return {
      ...real,
      per_job_overhead_target_ms: 100,
      minimal_process_per_job_ms: Math.round((twenty - one) / 19),
      local_parallel_per_job_ms: Math.round(parallel / 20),
      compose_validate_1000_ms: typeof compose === 'number' ? Math.round(compose) : compose,
      compose_validate_1000_target_ms: 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
