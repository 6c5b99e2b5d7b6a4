// `bait run <config> --app '<command>'`: runs the workspace's own Hydra app as one run of ours. We compose its
// config (errors stop here, with file:line:col), pick and create the run directory, pin it with overrides so the
// app's Hydra writes exactly there, write run.json (id, status, attempts, the app command, where its checkpoints
// go), start the app from an argv (never a shell) in its own process group, copy its output to the terminal and to
// log.txt, and record how it ended. `bait stop` (a stop-request file or SIGTERM to us), Ctrl-C and a closing
// terminal all stop the app the way Lightning stops cleanly: SIGINT (KeyboardInterrupt), then SIGTERM, then
// SIGKILL if it does not exit.
import { spawn } from 'node:child_process';
import { accessSync, appendFileSync, constants, existsSync, mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { formatConfigError } from '../cli/format-error.js';
import { selectNode } from '../config/apply-override.js';
import { toPlain } from '../config/nodes.js';
import { createUniqueDir } from '../run/run_dir.js';
import { pathInRun, readRunRecord, writeRunRecord, type RunRecord } from '../run/run_record.js';
import { STOP_FILE } from '../run/signals.js';
import { quoteOverrideValue } from '../run/resume.js';
import { appArgv, AppCommandError, isLauncherOverride, splitCommandLine } from './command-line.js';
import { checkpointSetup, pinOverrides, planAppRun } from './plan.js';
import { jobContinuation } from './resume.js';

export interface AppRunOptions {
  app: string;
  appResume?: string;
  configName: string;
  configDir: string;
  /** The run's own overrides (recorded in run.json; a resume repeats them). */
  overrides: string[];
  /** Overrides for this attempt only (resume or fork keys). */
  extra?: string[];
  workspaceDir: string;
  /** Resume in place: a new attempt of the run in this directory. */
  resumeDir?: string;
  /** The checkpoint this attempt continues from (for the record). */
  resumedFrom?: string;
  /** A fork: the new run's parent. */
  parent?: { run: string; checkpoint: string };
  /** The version_base of the app's @hydra.main ('1.1' composes differently); null or absent: 1.3. */
  versionBase?: '1.1' | null;
}

export interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

/** Output lines kept for the failure message. */
const TAIL_LINES = 15;
/** How long a stopping app gets after SIGINT before SIGTERM, and after SIGTERM before SIGKILL. */
const GRACE_MS = 20_000;

export function newRunId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  return Array.from(randomBytes(8), (b) => alphabet[b % 36]).join('');
}

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Says why the app cannot start (no interpreter, no script) before anything is created; null when it can. */
export function preflight(argv: string[], cwd: string, env: NodeJS.ProcessEnv): string | null {
  const cmd = argv[0]!;
  const found = cmd.includes('/') ? executable(resolve(cwd, cmd))
    : (env.PATH ?? '').split(delimiter).some((d) => d && executable(join(d, cmd)));
  if (!found) {
    return `cannot start the app: '${cmd}' ${cmd.includes('/') ? 'does not exist or is not executable' : 'is not on PATH'}. ` +
      (/python/.test(cmd) ? 'Point bait.pythonPath (or the command in --app) at your interpreter, e.g. .venv/bin/python.' : 'Give its full path in --app.');
  }
  const script = argv.slice(1).find((a) => !a.startsWith('-'));
  const isModule = argv.includes('-m');
  if (script && !isModule && /\.py$/.test(script) && !existsSync(resolve(cwd, script))) {
    return `cannot start the app: ${script} does not exist (looked in ${cwd}). Check the command in --app or bait.apps.`;
  }
  return null;
}

/** Shell-style text of an argv, for the log line that says what ran (never executed). */
export function showArgv(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The app command's words when it can start; else the reason is printed and null returned (exit code 1). */
export function startableApp(app: string, cwd: string, io: Io, env: NodeJS.ProcessEnv): string[] | null {
  let words: string[];
  try {
    words = splitCommandLine(app);
  } catch (e) {
    if (!(e instanceof AppCommandError)) throw e;
    io.err.write(`bait: ${e.message}\n`);
    return null;
  }
  const why = preflight(words, cwd, env);
  if (why) io.err.write(`bait: ${why}\n`);
  return why ? null : words;
}

export async function runApp(optsIn: AppRunOptions, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const words = startableApp(optsIn.app, optsIn.workspaceDir, io, env);
  if (!words) return 1;
  // A launcher job whose directory holds a stopped attempt with a checkpoint continues from it (BAIT_RESUME_FROM,
  // default last): the same host, the same directory, the app's own resume keys.
  const cont = env.BAIT_JOB_DIR && !optsIn.resumeDir ? jobContinuation(resolve(env.BAIT_JOB_DIR), env.BAIT_RESUME_FROM || undefined) : undefined;
  const opts = cont ? { ...optsIn, extra: [...cont.keys, ...(optsIn.extra ?? [])], resumedFrom: cont.resumedFrom } : optsIn;
  if (cont) io.err.write(`bait: resuming ${resolve(env.BAIT_JOB_DIR!)} from ${cont.resumedFrom}\n`);
  const planned = planAppRun({ configName: opts.configName, configDir: opts.configDir, overrides: [...opts.overrides, ...(opts.extra ?? [])], workspaceDir: opts.workspaceDir, env,
    versionBase: opts.versionBase ?? null });
  if ('error' in planned) {
    io.err.write(formatConfigError(planned.error, { source: planned.source, displayPath: (f) => join(opts.configDir, f) }) + '\n');
    return 1;
  }
  const plan = planned.plan;

  // The directory: the run's own (resume), the launcher's (a sweep job), or the config's with a suffix on a clash.
  const jobDir = env.BAIT_JOB_DIR ? resolve(env.BAIT_JOB_DIR) : undefined;
  const dir = opts.resumeDir ?? (jobDir ? (mkdirSync(jobDir, { recursive: true }), jobDir) : createUniqueDir(plan.requestedDir));
  const sweepDir = jobDir && env.BAIT_SWEEP_DIR ? resolve(jobDir, env.BAIT_SWEEP_DIR) : undefined;
  // Kept as the launcher gave it: relative (`..`) for remote launchers, so the record holds where the dir comes back.
  const recordedSweep = sweepDir ? env.BAIT_SWEEP_DIR! : undefined;
  const existing = opts.resumeDir || jobDir ? readRunRecord(dir) : undefined;

  const givenNode = selectNode(plan.config, 'logging_config.id');
  const given = givenNode ? toPlain(givenNode) : undefined;
  const id = existing?.id ?? (typeof given === 'string' && given ? given : newRunId());
  const pins = pinOverrides(plan, dir, sweepDir);
  // The run id is the W&B run id (DESIGN.md section 6): a BAIT-layout app gets it as logging_config.id.
  if (plan.layout === 'bait' && plan.hasLoggingConfig && given !== id) pins.push(`++logging_config.id=${quoteOverrideValue(id)}`);
  const ckpt = checkpointSetup(plan, dir, env, opts.workspaceDir);
  const appOverrides = [...opts.overrides.filter((o) => !isLauncherOverride(o)), ...(opts.extra ?? []), ...pins];
  const argv = appArgv(words, opts.configName, opts.configDir, appOverrides);

  const now = new Date().toISOString();
  const attempt = { started: now, ended: null, status: 'running' as const, pid: process.pid, host: hostname(), backend: 'app', resumed_from: opts.resumedFrom ?? null };
  let record: RunRecord;
  if (existing) {
    record = existing;
    record.attempts.push({ attempt: record.attempts.length + 1, ...attempt });
    Object.assign(record, { status: 'running', pid: process.pid, host: hostname(), ended_at: null });
    delete record.error;
  } else {
    record = {
      id, experiment: plan.experiment ?? appName(words), name: plan.name ?? opts.configName,
      config_name: opts.configName, config_dir: opts.configDir, workspace_dir: opts.workspaceDir, overrides: opts.overrides,
      status: 'running', host: hostname(), pid: process.pid, backend: 'app', seed: 0, started_at: now, ended_at: null,
      checkpoint_dir: pathInRun(dir, ckpt.dirs[0] ?? join(dir, 'checkpoints')),
      attempts: [{ attempt: 1, ...attempt }],
      parent: opts.parent ?? null,
      sweep: recordedSweep ? { dir: recordedSweep, job_num: Number(env.BAIT_JOB_NUM ?? -1) } : null,
    };
  }
  record.app = {
    command: opts.app, layout: plan.layout, ckpt_path_key: plan.hasCkptPath, checkpoint_dirs: ckpt.dirs.map((d) => pathInRun(dir, d)),
    ...(opts.appResume ?? existing?.app?.resume ? { resume: opts.appResume ?? existing!.app!.resume } : {}),
    ...(ckpt.monitor ? { monitor: ckpt.monitor, mode: ckpt.mode } : {}),
  };
  rmSync(join(dir, STOP_FILE), { force: true });
  writeRunRecord(dir, record);
  const logFile = join(dir, 'log.txt');
  const n = record.attempts.length;
  appendFileSync(logFile, `[bait] run ${id} attempt ${n} in ${dir}\n[bait] ${showArgv(argv)}\n`);
  // The same announcement as the bundled runner's, so editors find the run directory in the output.
  io.out.write(`${n > 1 ? `Resuming run ${id} (attempt ${n}) from ${opts.resumedFrom ?? 'last'}` : `Run ${id}`} in ${dir}\n`);
  const end = await supervise(argv, { stopFile: join(dir, STOP_FILE), logFile, io, env, cwd: opts.workspaceDir,
    onStart: (pid) => {
      record.app!.pid = pid;
      writeRunRecord(dir, record);
    } });
  const r = readRunRecord(dir) ?? record;
  const a = r.attempts[n - 1];
  r.status = end.status;
  r.ended_at = new Date().toISOString();
  if (a) Object.assign(a, { status: end.status, ended: r.ended_at, exit_code: end.code, ...(end.signal ? { signal: end.signal } : {}) });
  if (end.status === 'failed') r.error = failure(end);
  writeRunRecord(dir, r);
  const line = end.status === 'completed' ? `run ${r.id} completed in ${dir}`
    : end.status === 'stopped' ? `run ${r.id} stopped; resume it with: bait resume ${dir}`
      : `run ${r.id} failed: the app ${end.how}${tellingLine(end.tail) ? ` (${tellingLine(end.tail)})` : ''}. Log: ${logFile}`;
  appendFileSync(logFile, `[bait] ${line}\n`);
  io.err.write(`bait: ${line}\n`);
  return exitCode(end.status);
}

export function exitCode(status: SupervisedEnd['status']): number {
  return status === 'completed' ? 0 : status === 'stopped' ? 130 : 3;
}

/** The reason a failed app gives: how it ended and its last lines of output. */
export function failure(end: SupervisedEnd): string {
  return `the app ${end.how}${end.tail.length ? `; its last lines:\n${end.tail.join('\n')}` : ''}`;
}

/**
 * The one line of a failed app's output that says why, for the closing line (and so the editor's notification):
 * the last exception (`omegaconf.errors.ConfigAttributeError: Key 'x' is not in struct`), else its last line other
 * than Hydra's HYDRA_FULL_ERROR hint.
 */
export function tellingLine(tail: string[]): string | undefined {
  const lines = tail.map((l) => l.trim()).filter((l) => l && !/HYDRA_FULL_ERROR/.test(l));
  const exception = [...lines].reverse().find((l) => /^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b:?/.test(l));
  const line = exception ?? lines[lines.length - 1];
  return line && line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

export function appName(words: string[]): string {
  const script = words.slice(1).find((a) => !a.startsWith('-')) ?? words[0]!;
  return script.split('/').pop()!.replace(/\.py$/, '');
}

export interface Supervision {
  /** The file whose appearance means `bait stop` (polled, so it also works when a signal cannot reach us). */
  stopFile: string;
  logFile: string;
  io: Io;
  env: NodeJS.ProcessEnv;
  cwd: string;
  onStart?: (pid: number | undefined) => void;
  /**
   * While stopping, checked every half second: true ends the app at once (SIGKILL). A multirun's Hydra starts the
   * next job once Lightning has turned the SIGINT into a clean end of `fit`; a job that starts after the stop is
   * cut off rather than run.
   */
  killNow?: (stoppedAt: number) => boolean;
}

export interface SupervisedEnd {
  status: 'completed' | 'failed' | 'stopped';
  code: number | null;
  signal: NodeJS.Signals | null;
  /** `exited with code 1`, `was killed by SIGKILL`, `cannot start ...`. */
  how: string;
  /** The last lines of its output. */
  tail: string[];
}

/** Starts the app in its own process group, copies its output, stops it on request, and says how it ended. */
export function supervise(argv: string[], s: Supervision): Promise<SupervisedEnd> {
  const tail: string[] = [];
  let partial = '';
  const keep = (text: string): void => {
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    tail.push(...lines.filter((l) => l.trim() !== ''));
    tail.splice(0, Math.max(0, tail.length - TAIL_LINES));
  };
  return new Promise((done) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: s.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      // Unbuffered, so the terminal, log.txt and a failure's last lines show what Python printed last.
      env: { ...s.env, PYTHONUNBUFFERED: '1' },
    });
    s.onStart?.(child.pid);
    const copy = (to: NodeJS.WritableStream) => (d: Buffer) => {
      to.write(d);
      appendFileSync(s.logFile, d);
      keep(d.toString('utf8'));
    };
    child.stdout.on('data', copy(s.io.out));
    child.stderr.on('data', copy(s.io.err));

    let stopping = false;
    const timers: NodeJS.Timeout[] = [];
    const signalGroup = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-child.pid!, sig);
      } catch { /* already gone */ }
    };
    const stop = (): void => {
      if (stopping || child.pid === undefined) return;
      stopping = true;
      appendFileSync(s.logFile, '[bait] stop requested: SIGINT to the app\n');
      signalGroup('SIGINT');
      const at = Date.now();
      if (s.killNow) timers.push(setInterval(() => s.killNow!(at) && signalGroup('SIGKILL'), 500));
      timers.push(setTimeout(() => signalGroup('SIGTERM'), GRACE_MS), setTimeout(() => signalGroup('SIGKILL'), 2 * GRACE_MS));
    };
    const poll = setInterval(() => existsSync(s.stopFile) && stop(), 300);
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const sig of signals) process.on(sig, stop);

    let spawnError: string | undefined;
    child.on('error', (e) => {
      spawnError = `could not be started (${argv[0]}: ${e.message})`;
    });
    child.on('close', (code, sig) => {
      clearInterval(poll);
      timers.forEach((x) => clearTimeout(x));
      for (const x of signals) process.off(x, stop);
      if (partial.trim()) tail.push(partial);
      const status = spawnError ? 'failed' : stopping || code === 130 || sig === 'SIGINT' ? 'stopped' : code === 0 ? 'completed' : 'failed';
      const how = spawnError ?? (sig ? `was killed by ${sig}` : `exited with code ${code}`);
      done({ status, code, signal: sig, how, tail: tail.slice(-TAIL_LINES) });
    });
  });
}
