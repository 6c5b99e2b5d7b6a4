// Runs a sweep: validates every job first, writes sweep.json and multirun.yaml, hands the jobs to a launcher and
// keeps sweep.json up to date as jobs start and finish, so failures are visible (and resumable) immediately.
// One failed job does not stop the others unless `failFast`; then running jobs get SIGTERM (they save `last`)
// and unstarted ones stay pending. `resumeSweep` reruns only jobs that did not complete, with their original
// numbers and directories.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Job, JobResult, LaunchEvent, Launcher, RunnerInvocation } from '../launchers/types.js';
import { absoluteJobDir, readManifest, storedDir, writeManifest, type SweepManifest } from './manifest.js';
import { attachRun } from '../launchers/attach.js';
import { LauncherError } from '../launchers/errors.js';
import { readMarker } from '../launchers/remote-marker.js';

export interface SweepOptions {
  sweepDir: string;
  jobs: Job[];
  launcher: Launcher;
  runner: RunnerInvocation;
  failFast?: boolean;
  env?: Record<string, string>;
  signal?: AbortSignal;
  onEvent?: (e: LaunchEvent) => void;
  /**
   * Composes and validates one job before anything starts; returns a message (file:line:col and how to fix)
   * or null. The CLI passes the config engine here.
   */
  validate?: (job: Job) => string | null | Promise<string | null>;
  /** Jobs per launcher call (Hydra's hydra.sweeper.max_batch_size); absent or <= 0: one batch. */
  batchSize?: number | null;
  /** Extra manifest fields (experiment, name, source). */
  info?: Partial<Pick<SweepManifest, 'experiment' | 'name' | 'source' | 'app' | 'workspace'>>;
  /** The content of multirun.yaml (Hydra writes the sweep's hydra config and its task overrides). */
  multirun?: Record<string, unknown>;
}

export interface SweepSummary {
  results: JobResult[];
  completed: number[];
  failed: JobResult[];
  stopped: number[];
}

export class SweepValidationError extends Error {
  constructor(readonly problems: Array<{ num: number; message: string }>) {
    super(`${problems.length} sweep job(s) are invalid; nothing was started:\n`
      + problems.map((p) => `  job #${p.num}: ${p.message}`).join('\n'));
    this.name = 'SweepValidationError';
  }
}

/** A plain one-line report of an event, for terminals and logs (failures say where to look). */
export function describeEvent(e: LaunchEvent): string | null {
  if (e.type === 'started') return `[sweep] job #${e.num} started on ${e.host}${e.gpu !== undefined ? ` (GPU ${e.gpu})` : ''}`;
  if (e.type === 'finished') {
    const r = e.result;
    return r.status === 'completed' ? `[sweep] job #${r.num} completed`
      : `[sweep] job #${r.num} ${r.status}: ${r.error ?? `exit ${r.exitCode}`}`;
  }
  return null;
}

export async function runSweep(optsIn: SweepOptions, existing?: SweepManifest): Promise<SweepSummary> {
  const opts = { ...optsIn, failFast: optsIn.failFast ?? optsIn.launcher.failFast ?? false };
  const problems: Array<{ num: number; message: string }> = [];
  if (opts.validate) {
    for (const job of opts.jobs) {
      const msg = await opts.validate(job);
      if (msg) problems.push({ num: job.num, message: msg });
    }
  }
  if (problems.length) throw new SweepValidationError(problems);

  const now = new Date().toISOString();
  const manifest: SweepManifest = existing ?? {
    version: 1, config_name: opts.runner.configName, config_dir: opts.runner.configDir, launcher: opts.launcher.name,
    ...opts.info, fail_fast: opts.failFast ?? false, created_at: now, updated_at: now,
    jobs: opts.jobs.map((j) => ({ num: j.num, overrides: j.overrides, status: 'pending', dir: storedDir(opts.sweepDir, j.dir) })),
  };
  manifest.launcher = opts.launcher.name;
  // A bayes sweep grows round by round: jobs new to an existing manifest are appended.
  for (const j of opts.jobs) {
    if (!manifest.jobs.some((r) => r.num === j.num)) manifest.jobs.push({ num: j.num, overrides: j.overrides, status: 'pending', dir: storedDir(opts.sweepDir, j.dir) });
  }
  writeManifest(opts.sweepDir, manifest);
  const multirunFile = join(opts.sweepDir, 'multirun.yaml');
  if (!existing || !existsSync(multirunFile)) writeFileSync(multirunFile, stringify(opts.multirun ?? defaultMultirun(opts)));

  const byNum = new Map(manifest.jobs.map((j) => [j.num, j]));
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (opts.signal?.aborted) abort.abort();

  const onEvent = (e: LaunchEvent) => {
    if (e.type === 'started') {
      const rec = byNum.get(e.num);
      if (rec) Object.assign(rec, { status: 'running', host: e.host, started_at: new Date().toISOString(), runs: (rec.runs ?? 0) + 1 });
      if (rec) { delete rec.error; delete rec.exit_code; delete rec.ended_at; }
      writeManifest(opts.sweepDir, manifest);
    } else if (e.type === 'finished') {
      const rec = byNum.get(e.result.num);
      if (rec) {
        Object.assign(rec, { status: e.result.status, exit_code: e.result.exitCode, ended_at: new Date().toISOString() });
        if (e.result.error) rec.error = e.result.error;
      }
      writeManifest(opts.sweepDir, manifest);
      if (e.result.status === 'failed' && opts.failFast) abort.abort();
    }
    opts.onEvent?.(e);
  };

  let results: JobResult[];
  try {
    // Hydra's sweeper hands the launcher one batch at a time (hydra.sweeper.max_batch_size); the next batch starts
    // when the previous one has finished. Nothing to run (a resume of a finished sweep) touches no launcher.
    results = [];
    const size = opts.batchSize && opts.batchSize > 0 ? opts.batchSize : opts.jobs.length;
    for (let i = 0; i < opts.jobs.length; i += size) {
      const batch = opts.jobs.slice(i, i + size);
      if (abort.signal.aborted) {
        results.push(...batch.map((j): JobResult => ({ num: j.num, dir: j.dir, status: 'stopped', exitCode: null, error: 'not started: the sweep was stopped' })));
        continue;
      }
      results.push(...await opts.launcher.launch(batch, { runner: opts.runner, sweepDir: opts.sweepDir, env: opts.env, signal: abort.signal, onEvent }));
    }
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
  // Jobs the launcher never started (fail_fast, Ctrl-C, an unreachable host) go back to pending with the reason.
  for (const r of results) {
    const rec = byNum.get(r.num);
    if (!rec) continue;
    if (rec.status === 'pending' || rec.status === 'running') {
      rec.status = r.exitCode === null && r.status === 'stopped' ? 'pending' : r.status;
      if (r.error) rec.error = r.error;
    }
  }
  writeManifest(opts.sweepDir, manifest);
  return {
    results,
    completed: results.filter((r) => r.status === 'completed').map((r) => r.num),
    failed: results.filter((r) => r.status === 'failed'),
    stopped: results.filter((r) => r.status === 'stopped').map((r) => r.num),
  };
}

/**
 * Brings sweep.json up to date with its jobs' own records: a job whose run.json says completed (a remote job
 * followed to its end with `bait attach` after the sweep's process died, say) is completed, not rerun.
 */
export function reconcileManifest(sweepDir: string, manifest: SweepManifest): boolean {
  let changed = false;
  for (const j of manifest.jobs) {
    if (j.status === 'completed') continue;
    const file = join(absoluteJobDir(sweepDir, j), 'run.json');
    if (!existsSync(file)) continue;
    try {
      if ((JSON.parse(readFileSync(file, 'utf8')) as { status?: unknown }).status === 'completed') {
        j.status = 'completed';
        delete j.error;
        changed = true;
      }
    } catch {
      // A run.json being rewritten or torn: leave the job as the manifest says.
    }
  }
  return changed;
}

/** The jobs of a sweep that a resume runs again: every job that is not completed, with its number and dir. */
export function unfinishedJobs(sweepDir: string, manifest = readManifest(sweepDir)): Job[] {
  return manifest.jobs.filter((j) => j.status !== 'completed')
    .map((j) => ({ num: j.num, overrides: j.overrides, dir: absoluteJobDir(sweepDir, j) }));
}

/**
 * Jobs that sweep.json says are running and that run elsewhere (an SSH host, SLURM) may still be running: the
 * sweep's process died, not the job. A resume follows them to their end (as `bait attach` does) instead of
 * starting them twice; only a job that is gone without an exit code is run again.
 */
async function followDetached(opts: Pick<SweepOptions, 'sweepDir' | 'onEvent' | 'signal'>, manifest: SweepManifest): Promise<void> {
  const detached = manifest.jobs.filter((j) => j.status === 'running' && readMarker(absoluteJobDir(opts.sweepDir, j)));
  await Promise.all(detached.map(async (j) => {
    const dir = absoluteJobDir(opts.sweepDir, j);
    const r = await attachRun(dir, { signal: opts.signal, onLog: (text) => opts.onEvent?.({ type: 'log', num: j.num, text }) });
    if (r.exitCode === null && r.status !== 'stopped') return; // lost: it runs again below
    Object.assign(j, { status: r.status, exit_code: r.exitCode, ended_at: new Date().toISOString() });
    if (r.error) j.error = r.error;
    writeManifest(opts.sweepDir, manifest);
    opts.onEvent?.({ type: 'finished', result: { ...r, num: j.num, dir } });
  }));
}

export async function resumeSweep(opts: Omit<SweepOptions, 'jobs' | 'runner'> & { runner?: RunnerInvocation }): Promise<SweepSummary> {
  const manifest = readManifest(opts.sweepDir);
  if (reconcileManifest(opts.sweepDir, manifest)) writeManifest(opts.sweepDir, manifest);
  await followDetached(opts, manifest);
  const runner = opts.runner ?? { script: '', configName: manifest.config_name, configDir: manifest.config_dir };
  if (!runner.script) throw new LauncherError('resumeSweep: the runner script (dist/runner.js) must be given');
  return runSweep({ ...opts, runner, jobs: unfinishedJobs(opts.sweepDir, manifest), failFast: opts.failFast ?? manifest.fail_fast }, manifest);
}

function defaultMultirun(opts: SweepOptions): Record<string, unknown> {
  return {
    hydra: {
      mode: 'MULTIRUN',
      sweep: { dir: opts.sweepDir },
      launcher: { name: opts.launcher.name },
      job: { config_name: opts.runner.configName },
      runtime: { config_sources: [{ path: opts.runner.configDir, schema: 'file', provider: 'main' }] },
    },
    jobs: opts.jobs.map((j) => ({ num: j.num, overrides: j.overrides })),
  };
}
