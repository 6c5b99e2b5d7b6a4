// Sweeps of the workspace's own Hydra app. Two ways, as the user chooses:
// - with one of OUR launchers (`hydra/launcher=local|ssh|slurm`), each job is one `bait run --app` process (the
//   launchers pass `--app` through RunnerInvocation.extraArgs): it pins `hydra.run.dir` to the job's directory,
//   `hydra.sweep.dir` to the sweep and keeps `hydra.job.num`, so the tree is Hydra's own multirun layout;
// - otherwise `-m` goes to the app's own Hydra, whose sweeper and launcher plugins run as configured. We pin
//   `hydra.sweep.dir`, record the jobs we expect in sweep.json, follow the process, and afterwards give each job
//   directory a run.json so the explorer shows its status and can resume it.
import { appendFileSync, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createUniqueDir } from '../run/run_dir.js';
import { pathInRun, readRunRecord, writeRunRecord } from '../run/run_record.js';
import { STOP_FILE } from '../run/signals.js';
import { readManifest, writeManifest, storedDir, type SweepManifest } from '../sweep/manifest.js';
import { appArgv } from './command-line.js';
import { checkpointSetup, pathValue, planAppRun } from './plan.js';
import { appName, exitCode, failure, newRunId, showArgv, startableApp, supervise, type Io } from './supervise.js';

/** The launcher targets that are ours; anything else (Hydra's basic, joblib, submitit, ray) belongs to the app. */
export function isOurLauncher(node: Record<string, unknown> | null | undefined): boolean {
  const t = node && typeof node._target_ === 'string' ? node._target_ : '';
  return t.startsWith('bait.launchers.');
}

/** The CLI arguments that make every sweep job an app run (after `other`, e.g. --version-base). */
export function appExtraArgs(app: { command: string; resume?: string } | undefined, other: string[] = []): { extraArgs?: string[] } {
  const extra = [...other, ...(app ? ['--app', app.command, ...(app.resume ? ['--app-resume', app.resume] : [])] : [])];
  return extra.length ? { extraArgs: extra } : {};
}

export interface AppMultirun {
  app: string;
  appResume?: string;
  configName: string;
  configDir: string;
  overrides: string[];
  workspaceDir: string;
  /** The sweep directory the config asks for (absolute). */
  sweepDir: string;
  /** The jobs Hydra's basic sweeper will make (number, overrides, directory); empty for other sweepers. */
  jobs: Array<{ num: number; overrides: string[]; dir: string }>;
  versionBase?: '1.1' | null;
}

/** When Hydra made a job's directory (its .hydra folder), or 0 when it has not. */
function started(dir: string): number {
  try {
    return statSync(join(dir, '.hydra')).mtimeMs;
  } catch {
    return 0;
  }
}

export async function runAppMultirun(m: AppMultirun, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const words = startableApp(m.app, m.workspaceDir, io, env);
  if (!words) return 1;
  const sweepDir = createUniqueDir(m.sweepDir);
  const moved = (d: string) => (sweepDir === m.sweepDir ? d : join(sweepDir, d.slice(m.sweepDir.length)));
  const jobs = m.jobs.map((j) => ({ ...j, dir: moved(j.dir) }));
  const now = new Date().toISOString();
  const manifest: SweepManifest = {
    version: 1, config_name: m.configName, config_dir: m.configDir, launcher: 'app',
    app: { command: m.app, ...(m.appResume ? { resume: m.appResume } : {}) },
    source: { kind: 'overrides', overrides: m.overrides }, created_at: now, updated_at: now,
    jobs: jobs.map((j) => ({ num: j.num, overrides: j.overrides, status: 'running', dir: storedDir(sweepDir, j.dir) })),
  };
  writeManifest(sweepDir, manifest);
  const argv = appArgv(words, m.configName, m.configDir, [...m.overrides, `hydra.sweep.dir=${pathValue(sweepDir)}`], true);
  const logFile = join(sweepDir, 'log.txt');
  appendFileSync(logFile, `[bait] ${showArgv(argv)}\n`);
  io.err.write(`[sweep] ${jobs.length ? `${jobs.length} jobs` : 'jobs'} with the app's own Hydra launcher in ${sweepDir}\n`);
  rmSync(join(sweepDir, STOP_FILE), { force: true });
  const end = await supervise(argv, { stopFile: join(sweepDir, STOP_FILE), logFile, io, env, cwd: m.workspaceDir, 
    // A job directory made after the stop is a job the app's launcher started anyway: end the sweep there.
    killNow: (at) => jobs.some((j) => started(j.dir) > at) });

  // Each job directory Hydra made becomes a run of ours: status, the app, its checkpoints, resumable.
  for (const [i, j] of jobs.entries()) {
    const rec = manifest.jobs[i]!;
    const started = existsSync(join(j.dir, '.hydra'));
    rec.status = !started ? (end.status === 'completed' ? 'failed' : 'pending') : end.status;
    if (!started) continue;
    const planned = planAppRun({ configName: m.configName, configDir: m.configDir, overrides: j.overrides, workspaceDir: m.workspaceDir, env, versionBase: m.versionBase ?? null });
    const plan = 'plan' in planned ? planned.plan : undefined;
    const ckpt = plan ? checkpointSetup(plan, j.dir, env, m.workspaceDir) : { dirs: [] };
    if (readRunRecord(j.dir)) continue;
    writeRunRecord(j.dir, {
      id: newRunId(),
      experiment: plan?.experiment ?? appName(words),
      name: plan?.name ?? m.configName, config_name: m.configName, config_dir: m.configDir, workspace_dir: m.workspaceDir,
      overrides: j.overrides, status: end.status, host: hostname(), pid: process.pid, backend: 'app', seed: 0,
      started_at: now, ended_at: new Date().toISOString(), checkpoint_dir: pathInRun(j.dir, ckpt.dirs[0] ?? join(j.dir, 'checkpoints')),
      attempts: [{ attempt: 1, started: now, ended: new Date().toISOString(), status: end.status, resumed_from: null, pid: process.pid, host: hostname(), backend: 'app' }],
      parent: null, sweep: { dir: sweepDir, job_num: j.num },
      app: { command: m.app, layout: plan?.layout ?? 'hydra', ckpt_path_key: plan?.hasCkptPath ?? false, checkpoint_dirs: ckpt.dirs.map((d) => pathInRun(j.dir, d)),
        ...(m.appResume ? { resume: m.appResume } : {}), ...(ckpt.monitor ? { monitor: ckpt.monitor, mode: ckpt.mode } : {}) },
      ...(end.status === 'failed' ? { error: failure(end) } : {}),
    });
  }
  writeManifest(sweepDir, manifest);
  io.err.write(`[sweep] the app ${end.how}; ${join(sweepDir, 'sweep.json')}\n`);
  return exitCode(end.status);
}

/**
 * `bait stop <sweep dir>` for a sweep the app's own Hydra runs: the stop-request file, which the `bait` process
 * following it polls (it then stops the app as it stops a single run). False when the directory is no such sweep.
 */
export function stopAppSweep(dir: string): boolean {
  let manifest: SweepManifest;
  try {
    manifest = readManifest(dir);
  } catch {
    return false;
  }
  if (manifest.launcher !== 'app') return false;
  writeFileSync(join(dir, STOP_FILE), `${new Date().toISOString()} requested by pid ${process.pid}\n`);
  return true;
}
