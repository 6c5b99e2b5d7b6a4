// Shared set-up for the runner tests: a throwaway workspace with the bundled configs plus a tiny experiment, and a
// way to run `runJob` in a child process (composed by the real config engine) that a test can signal or kill.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TINY_MODEL } from '../fixtures/tiny-model.js';
import { readMetrics } from '../../runner/run/metrics_log.js';
import type { PairSet } from '../../runner/data/premise_pairs.js';

export const ROOT = resolve(__dirname, '..', '..');
export const DATA = join(ROOT, 'data', 'mizar40-m2k');
const ENTRY = join(ROOT, 'test', 'runner', 'fixtures', 'run-job.ts');

/**
 * A hand-made pair set from (conjecture, goal text, premise text, label) rows, label 0 when left out. The token ids
 * are placeholders: the context features and the columns built on them read the formula texts.
 */
export function textPairs(rows: Array<[conj: string, goal: string, premise: string, label?: 0 | 1]>): PairSet {
  return {
    goals: rows.map(() => Int32Array.of(2)), premises: rows.map(() => Int32Array.of(2)),
    labels: Float32Array.from(rows, (r) => r[3] ?? 0), conj: rows.map((r) => r[0]),
    goalTexts: rows.map((r) => r[1]), premiseTexts: rows.map((r) => r[2]),
  };
}

/** A small, fast premise-selection experiment on the shipped data; dropout on, so the RNG path is exercised. */
const TINY = `# @package _global_
defaults:
  - mizar
  - /data_type/sequence@_here_

exp_config:
  name: tiny

data_config:
  batch_size: 16
  attributes:
    max_len: 32
  data_options:
    dir: ${DATA}

trainer:
  accelerator: cpu
  max_epochs: 3
  max_steps: 40
  log_every_n_steps: 1
  val_check_interval: 10
  limit_val_batches: 2
  enable_progress_bar: false
  seed: 7
  callbacks:
    - _target_: callbacks.slow.Slow
      ms: 0
    - _target_: lightning.pytorch.callbacks.LearningRateMonitor
      logging_interval: step
    - _target_: lightning.pytorch.callbacks.ModelCheckpoint
      save_top_k: 2
      save_last: true
      monitor: acc
      mode: max
      every_n_train_steps: 5
      dirpath: \${exp_config.directory}/checkpoints
      filename: "{epoch}-{step}-{acc}"

${TINY_MODEL}`;

/** A workspace callback (found by dotted path, compiled with esbuild) that slows each batch down for kill tests. */
const SLOW = `export class Slow {
  constructor(opts) { this.ms = opts.ms ?? 0; }
  async afterBatch() { if (this.ms > 0) await new Promise((r) => setTimeout(r, this.ms)); }
}
`;

export function makeWorkspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'bait-runner-'));
  cpSync(join(ROOT, 'configs'), join(ws, 'configs'), { recursive: true });
  writeFileSync(join(ws, 'configs', 'premise_selection', 'mizar40', 'tiny.yaml'), TINY);
  mkdirSync(join(ws, 'callbacks'));
  writeFileSync(join(ws, 'callbacks', 'slow.ts'), SLOW);
  return ws;
}

export interface Spawned {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts `bait run premise_selection/mizar40/<config>` (through runJob) in a child process. */
export function startJob(ws: string, overrides: string[], config = 'premise_selection/mizar40/tiny'): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, '--workspace', ws, join(ws, 'configs'), config, ...overrides], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((res) =>
    child.on('exit', (code, signal) => res({ code, signal, stdout, stderr })));
  return { child, done };
}

export async function runJobProcess(ws: string, overrides: string[], config?: string) {
  return startJob(ws, overrides, config).done;
}

export async function waitFor(cond: () => boolean, timeoutMs = 60_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The global step of a checkpoint, or -1 when it is not there (yet). */
export function checkpointStep(dir: string): number {
  const mf = join(dir, 'manifest.json');
  if (!existsSync(mf)) return -1;
  try {
    return JSON.parse(readFileSync(mf, 'utf8')).progress.global_step as number;
  } catch {
    return -1;
  }
}

/** Metric rows without the fields that differ between attempts (time, attempt); the latest attempt wins per row. */
export function comparableMetrics(path: string): string[] {
  const rows = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, number>];
    } catch {
      return [];
    }
  });
  const byKey = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const { time, attempt, ...rest } = r;
    void time;
    void attempt;
    const key = `${rest.step}|${Object.keys(rest).sort().join(',')}`;
    byKey.set(key, rest);
  }
  return [...byKey.values()].sort((a, b) => a.step! - b.step!).map((r) => JSON.stringify(r, Object.keys(r).sort()));
}

/**
 * Kills the job with SIGKILL at a moment when it has logged metrics rows past its newest checkpoint (step >= 15),
 * so that resume has a lost stretch to supersede. The process is frozen (SIGSTOP) before the files are checked,
 * so the state that is checked is the state the kill leaves; if a checkpoint landed meanwhile, it goes on.
 */
export async function killWithRowsPastCheckpoint(job: Spawned, dir: string): Promise<void> {
  const last = join(dir, 'checkpoints', 'last');
  const rowsPastCheckpoint = () => {
    if (job.child.exitCode !== null || job.child.signalCode !== null) throw new Error('the job ended before it could be killed mid-run');
    const step = checkpointStep(last);
    return step >= 15 && readMetrics(join(dir, 'metrics.jsonl')).some((r) => r.step > step);
  };
  for (;;) {
    await waitFor(rowsPastCheckpoint, 120_000, 'metrics rows past a checkpoint at step >= 15');
    job.child.kill('SIGSTOP');
    await waitFor(() => processState(job.child.pid!) === 'T', 30_000, 'the job to stop');
    if (rowsPastCheckpoint()) break;
    job.child.kill('SIGCONT');
  }
  job.child.kill('SIGKILL');
}

/** The state letter of a process from /proc (R running, S sleeping, T stopped, ...). */
function processState(pid: number): string {
  try {
    return /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
}
