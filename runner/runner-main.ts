// The heavy half of the CLI, bundled as dist/runner-main.js and loaded only when a command trains or manages
// runs: `bait run` (training), `-m` / `--sweep`, `bait resume`, `bait runs`, `bait attach`, `bait stop`.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { join, resolve as resolvePath } from 'node:path';
import type { ResumeArgs, SimpleArgs, TestArgs } from './cli/args.js';
import { testRun } from './eval/test_run.js';
import { formatConfigError } from './cli/format-error.js';
import { resolveForRun, resolveSelected } from './cli/resolve-run.js';
import { applyConfigOverride } from './config/apply-override.js';
import { compose, hydraNode, jobConfig } from './config/compose.js';
import { selectNode } from './config/apply-override.js';
import type { ConfigError } from './config/errors.js';
import { toYaml } from './config/emit.js';
import { dict, list, scalar, toPlain, type ConfigNode, type DictNode, type Plain } from './config/nodes.js';
import type { Override } from './config/overrides/types.js';
import { DiskSource } from './disk-source.js';
import { EnvSecrets, maskedEnv, watchedEnv } from './config/secrets.js';
import { maskStream } from './cli/mask-stream.js';
import { attachRun, createLauncher, stopRun as stopRemoteRun } from './launchers/index.js';
import { readManifest } from './sweep/manifest.js';
import { readMarker } from './launchers/remote-marker.js';
import { resumableOnHost, resumeOnHost } from './launchers/ssh/resume-on-host.js';
import { formatUserError, isUserError, UserError } from './run/errors.js';
import { runJob as runJobImpl, type JobInput } from './run/job.js';
import { formatRunsTable, listRuns } from './run/list.js';
import { resumeCommand } from './run/resume.js';
import { readRunRecord } from './run/run_record.js';
import { stopRun as stopLocalRun } from './run/stop.js';
import { resumeSweep, describeEvent } from './sweep/run-sweep.js';
import { resumeOptunaStudy } from './sweep/run-optuna.js';
import { runnerScript } from './cli/sweep-command.js';
import { runApp } from './app/supervise.js';
import { appRelaunch } from './app/resume.js';
import { localPathsOfRemoteJob, readSweepLauncher, resumeRemoteAppJob } from './app/remote-resume.js';
import { appExtraArgs, stopAppSweep } from './app/sweep.js';

export { runSweepCommand } from './cli/sweep-command.js';
export { runApp } from './app/supervise.js';

interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

/** Runs one job and turns user errors into one printed line with exit code 1. */
export async function runJob(
  input: JobInput,
  io: Io = { out: process.stdout, err: process.stderr },
  locate?: (key: string, message: string) => string | undefined,
): Promise<number> {
  try {
    return await runJobImpl(input);
  } catch (e) {
    if (isUserError(e)) {
      // A problem with a config value points at the line that set it, when composition knows it.
      const where = e.key && locate ? locate(e.key, e.message) : undefined;
      io.err.write(where ? `${where}\n` : `bait: ${formatUserError(e)}\n`);
      return 1;
    }
    if (e instanceof Error && input.secrets) {
      e.message = input.secrets.mask(e.message);
      if (e.stack) e.stack = input.secrets.mask(e.stack);
    }
    throw e;
  }
}

/** A value that is exactly one absolute interpolation, `${data_config}`: the key it stands for. */
const WHOLE_REF = /^\$\{([A-Za-z_][\w-]*(?:\.[\w-]+)*)\}$/;

/**
 * Where a config key was set: the deepest existing prefix, following whole-value interpolations, so a value that
 * a target reads through `data_config: ${data_config}` is found where `data_config.batch_size` was set (a file
 * line or the override), not at the target's `_target_`.
 */
function originOfKey(cfg: DictNode, key: string, hops = 0): { key: string; node: ConfigNode } | undefined {
  const parts = key.split('.');
  for (let n = parts.length; n > 0; n--) {
    const prefix = parts.slice(0, n).join('.');
    const node = selectNode(cfg, prefix);
    if (!node) continue;
    const ref = node.kind === 'scalar' && typeof node.value === 'string' ? WHOLE_REF.exec(node.value) : null;
    if (ref && n < parts.length && hops < 16) return originOfKey(cfg, [ref[1]!, ...parts.slice(n)].join('.'), hops + 1);
    if (node.origin && node.origin.kind !== 'builtin') return { key: n === parts.length ? prefix : key, node };
  }
  return undefined;
}

/** Finds where a config key was set and formats the problem like a config error. */
function locator(cfg: DictNode, show: (e: ConfigError) => string) {
  return (key: string, message: string): string | undefined => {
    const found = originOfKey(cfg, key);
    if (!found) return undefined;
    const detail = message.startsWith(`config key '${key}': `) ? message.slice(`config key '${key}': `.length) : message;
    const text = found.key === key ? `config key '${key}': ${detail}` : `config key '${found.key}' (read as ${key}): ${detail}`;
    return show({ code: 'override-type', message: text, origin: found.node.origin! });
  };
}

/**
 * Sweep jobs (local, SSH or SLURM) get their run directory from the launcher through BAIT_JOB_DIR; it takes the
 * place of `exp_config.directory` and `hydra.run.dir` before interpolations are resolved, so keys derived from
 * it (BAIT's `checkpoint_dir: ${.directory}/checkpoints`) follow. The path is set as a node, never parsed as an
 * override, so any characters are safe; a literal `${` in it is escaped.
 */
export function placeInJobDir(cfg: DictNode, dir: string): void {
  const value = dir.replace(/\$\{/g, '\\${');
  for (const key of ['exp_config.directory', 'hydra.run.dir']) {
    const top = key.split('.')[0]!;
    if (!cfg.entries.has(top)) continue;
    const o: Override = { type: 'FORCE_ADD', key, package: null, value: scalar('str', value, { kind: 'builtin', what: 'BAIT_JOB_DIR' }), valueType: 'ELEMENT', index: -1, text: `${key}=<BAIT_JOB_DIR>`, keyRange: [0, key.length] };
    applyConfigOverride(cfg, o);
  }
}

/**
 * The directory a run will use, as planRun picks it: `exp_config.directory` (BAIT's runs/..., or the run being
 * resumed), else `hydra.run.dir`, relative to the workspace. Undefined when it does not resolve (the run then
 * reports that error itself).
 */
function requestedRunDir(cfg: DictNode, env: NodeJS.ProcessEnv, workspaceDir: string): string | undefined {
  const r = resolveSelected(cfg, ['exp_config.directory', 'hydra.run.dir'], env);
  if ('errors' in r) return undefined;
  for (const key of ['exp_config.directory', 'hydra.run.dir']) {
    const n = selectNode(r.node, key);
    if (n?.kind === 'scalar' && n.type === 'str' && n.value) return resolvePath(workspaceDir, String(n.value));
  }
  return undefined;
}

/**
 * `hydra.runtime.output_dir` (and `${hydra:runtime.output_dir}`) is the run directory, as Hydra sets it in a real
 * run. Set as a node, never parsed as an override; a literal `${` in the path is escaped. (Two runs started in
 * the same second: the second gets a `_1` suffix after this is set.)
 */
function placeOutputDir(cfg: DictNode, dir: string | undefined): void {
  if (!dir) return;
  const key = 'hydra.runtime.output_dir';
  const o: Override = { type: 'FORCE_ADD', key, package: null, value: scalar('str', dir.replace(/\$\{/g, '\\${'), { kind: 'builtin', what: 'the run directory' }),
    valueType: 'ELEMENT', index: -1, text: `${key}=<run dir>`, keyRange: [0, key.length] };
  applyConfigOverride(cfg, o);
}

/** The keys of a dict whose values are typed int, which plain JSON would merge with floats. */
function intKeysOf(node: ConfigNode | undefined): string[] {
  if (!node || node.kind !== 'dict') return [];
  return [...node.entries].filter(([, e]) => e.node.kind === 'scalar' && e.node.type === 'int').map(([k]) => k);
}

/** `.hydra/` as Hydra writes it: the job config and the hydra node unresolved, and the task overrides. */
function hydraFileTexts(cfg: DictNode, overrides: Override[]): { config: string; hydra: string; overrides: string } {
  const hydra = dict();
  hydra.entries.set('hydra', { key: 'hydra', node: hydraNode(cfg) });
  const task = overrides.filter((o) => !o.key.startsWith('hydra.') && !o.key.startsWith('hydra/')).map((o) => scalar('str', o.text));
  return { config: toYaml(jobConfig(cfg)), hydra: toYaml(hydra), overrides: toYaml(list(task)) };
}

/**
 * The job config as W&B records it: resolved like the run's, except that a value read from the environment
 * (`${oc.env:NAME}`) shows as `<env:NAME>`, so secrets are never written resolved. Unresolvable that way, it is
 * written unresolved.
 */
function configForLoggers(cfg: DictNode, env: NodeJS.ProcessEnv): Plain {
  const r = resolveForRun(cfg, maskedEnv(env, ['BAIT_NOW']));
  return 'errors' in r ? toPlain(jobConfig(cfg)) : r.job;
}

/** Composes a config as `bait run` does and runs it; used by `bait run` and `bait resume`. */
export async function composeAndRun(
  opts: { configName: string; configDir: string; overrides: string[]; workspaceDir: string; versionBase?: '1.1' | null },
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const source = new DiskSource(opts.configDir);
  const r = compose({
    source,
    configName: opts.configName,
    overrides: opts.overrides,
    versionBase: opts.versionBase ?? null,
    launch: true,
    runtime: { cwd: process.cwd(), configDir: resolvePath(opts.configDir) },
  });
  const show = (e: Parameters<typeof formatConfigError>[0]) => formatConfigError(e, { source, displayPath: (f) => join(opts.configDir, f) });
  if (r.errors.length) {
    io.err.write(show(r.errors[0]!) + '\n');
    return 1;
  }
  const jobDir = env.BAIT_JOB_DIR;
  if (jobDir) placeInJobDir(r.config!, resolvePath(jobDir));
  // One clock for every resolution of this run, so the run dir found here is the one the job creates.
  if (!env.BAIT_NOW) env = { ...env, BAIT_NOW: new Date().toISOString() };
  placeOutputDir(r.config!, jobDir ? resolvePath(jobDir) : requestedRunDir(r.config!, env, opts.workspaceDir));
  // Values read through oc.env are secrets: from here on, nothing this run prints or writes shows them.
  const secrets = new EnvSecrets();
  const resolved = resolveForRun(r.config!, watchedEnv(env, secrets));
  if ('errors' in resolved) {
    io.err.write(secrets.mask(show(resolved.errors[0]!)) + '\n');
    return 1;
  }
  const mask = (text: string) => secrets.mask(text);
  io = { out: maskStream(io.out, mask), err: maskStream(io.err, mask) };
  const jobNum = Number(env.BAIT_JOB_NUM);
  const locate = locator(r.config!, show);
  return runJob(
    {
      config: resolved.job,
      hydra: resolved.hydra,
      configName: opts.configName,
      overrides: opts.overrides,
      configDir: opts.configDir,
      workspaceDir: opts.workspaceDir,
      ...(env.BAIT_SWEEP_DIR && Number.isInteger(jobNum) ? { sweep: { dir: env.BAIT_SWEEP_DIR, jobNum } } : {}),
      ...(jobDir ? { assignedDir: true } : {}),
      hydraFiles: hydraFileTexts(r.config!, r.overrides),
      loggedConfig: configForLoggers(r.config!, env),
      trainerIntKeys: intKeysOf(resolved.jobNode.entries.get('trainer')?.node),
      secrets,
    },
    io,
    locate,
  );
}

function isSweepDir(dir: string): boolean {
  return existsSync(join(dir, 'sweep.json'));
}

async function resume(args: ResumeArgs, io: Io): Promise<number> {
  const dir = resolvePath(args.runDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    io.err.write(`bait: '${args.runDir}' is not a directory; pass a run directory (see \`bait runs\`).\n`);
    return 1;
  }
  if (isSweepDir(dir)) {
    // Resuming a sweep reruns only its failed or unfinished jobs, with their original numbers and directories.
    const manifest = readManifest(dir);
    const opts = {
      sweepDir: dir,
      runner: { script: runnerScript(), configName: manifest.config_name, configDir: manifest.config_dir, ...appExtraArgs(manifest.app) },
      launcher: createLauncher(readSweepLauncher(dir), { ...(manifest.workspace ? { workspace: manifest.workspace } : {}), sweepDir: dir }),
      onEvent: (e: Parameters<typeof describeEvent>[0]) => {
        const line = describeEvent(e);
        if (line) io.err.write(line + '\n');
      },
    };
    // An Optuna study also continues to its n_trials after the unfinished trials have run again.
    const summary = manifest.source?.kind === 'optuna'
      ? await resumeOptunaStudy({ ...opts, manifest, report: (line) => io.err.write(line + '\n') })
      : await resumeSweep(opts);
    io.err.write(`[sweep] ${summary.completed.length} completed, ${summary.failed.length} failed, ${summary.stopped.length} stopped\n`);
    return summary.stopped.length ? 130 : summary.failed.length ? 3 : 0;
  }
  const record = readRunRecord(dir);
  const marker = readMarker(dir);
  // A bundled-runner job from an SSH host resumes there (an app job resumes through its sweep's launcher, below).
  if (!record?.app && !args.fork && resumableOnHost(marker)) return resumeRemote(dir, marker, args, io);
  if (record?.app && marker && !args.fork) {
    if (args.app || args.appResume) throw new UserError('--app and --app-resume cannot change a job that runs through a launcher; resume it as it was started');
    return resumeRemoteAppJob(dir, record, marker, { ...(args.from ? { from: args.from } : {}), extra: args.extra, runnerScript: runnerScript() }, io);
  }
  if (record?.app) {
    const r = appRelaunch(dir, record, { ...(args.from ? { from: args.from } : {}), fork: args.fork, extra: args.extra,
      ...(args.app ? { app: args.app } : {}), ...(args.appResume ? { appResume: args.appResume } : {}) });
    io.err.write(`bait: ${args.fork ? 'forking' : 'resuming'} ${dir} from ${r.checkpoint}\n`);
    // A fork of a job that ran on a host starts here: with this machine's config dir and workspace, not the host's.
    if (marker) Object.assign(r.options, localPathsOfRemoteJob(dir, record));
    return runApp({ ...r.options, versionBase: args.versionBase !== undefined ? args.versionBase : recordedVersionBase(dir) }, io);
  }
  const relaunch = resumeCommand(dir, { ...(args.from ? { from: args.from } : {}), fork: args.fork });
  for (const n of relaunch.notes) io.err.write(`bait: note: ${n}\n`);
  io.err.write(`bait: ${args.fork ? 'forking' : 'resuming'} ${dir} from ${relaunch.checkpoint}\n`);
  return composeAndRun(
    {
      configName: relaunch.configName,
      configDir: relaunch.configDir,
      overrides: [...relaunch.overrides, ...args.extra],
      workspaceDir: relaunch.workspaceDir,
      versionBase: args.versionBase !== undefined ? args.versionBase : recordedVersionBase(dir),
    },
    io,
  );
}

/** A run that ran on an SSH host resumes there (a fork runs here, from the checkpoints that came back). */
async function resumeRemote(dir: string, marker: Parameters<typeof resumeOnHost>[1], args: ResumeArgs, io: Io): Promise<number> {
  io.err.write(`bait: resuming ${dir} on ${marker.host}${args.from ? ` from ${args.from}` : ''}\n`);
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const r = await resumeOnHost(dir, marker, { ...(args.from ? { from: args.from } : {}), extra: args.extra, onLog: (t) => io.out.write(t), signal: abort.signal });
    if (r.error) io.err.write(`bait: ${r.error}\n`);
    return r.status === 'completed' ? 0 : r.status === 'stopped' ? 130 : 3;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The version_base a run was composed with, as its `.hydra/hydra.yaml` records it (resume composes alike). */
function recordedVersionBase(dir: string): '1.1' | null {
  try {
    const h = parseYaml(readFileSync(join(dir, '.hydra', 'hydra.yaml'), 'utf8')) as { hydra?: { runtime?: { version_base?: unknown } } };
    return h.hydra?.runtime?.version_base === '1.1' ? '1.1' : null;
  } catch {
    return null;
  }
}

async function attach(dir: string, io: Io): Promise<number> {
  const abs = resolvePath(dir);
  if (readMarker(abs)) {
    const r = await attachRun(abs, { onLog: (t) => io.out.write(t) });
    return r.status === 'completed' ? 0 : r.status === 'stopped' ? 130 : 3;
  }
  const record = readRunRecord(abs);
  if (!record) throw new UserError(`${abs} is not a run directory (no run.json)`);
  // A local run: follow log.txt until run.json says it ended.
  const log = join(abs, 'log.txt');
  let offset = 0;
  for (;;) {
    if (existsSync(log)) {
      const text = readFileSync(log);
      if (text.length > offset) {
        io.out.write(text.subarray(offset));
        offset = text.length;
      }
    }
    const now = readRunRecord(abs);
    if (!now || now.status !== 'running') return now?.status === 'completed' ? 0 : now?.status === 'stopped' ? 130 : 3;
    try {
      process.kill(now.pid, 0);
    } catch {
      io.err.write(`bait: the run's process ${now.pid} is gone; resume it with \`bait resume ${abs}\`\n`);
      return 3;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function test(args: TestArgs, io: Io): Promise<number> {
  const r = await testRun(args.runDir, { ...(args.ckpt ? { ckpt: args.ckpt } : {}), split: args.split });
  if (args.json) io.out.write(JSON.stringify(r) + '\n');
  else {
    io.out.write(`${r.split} metrics of ${r.checkpoint} (epoch ${r.epoch}, step ${r.step}, ${r.backend}):\n` +
      Object.entries(r.metrics).map(([k, v]) => `  ${k.padEnd(18)} ${Number(v.toPrecision(4))}`).join('\n') + '\n' +
      (r.protocol === 'chronological'
        ? `Protocol: chronological (model.label_history): each pair also read the proofs of its article's earlier ` +
          `conjectures, ${r.split} ones included; not comparable with offline scores\n`
        : '') +
      `Saved in ${join(r.run, 'test_results.json')}\n`);
  }
  return 0;
}

export async function dispatch(args: ResumeArgs | TestArgs | SimpleArgs, io: Io): Promise<number> {
  try {
    if (args.command === 'resume') return await resume(args, io);
    if (args.command === 'test') return await test(args, io);
    if (args.command === 'runs') {
      const roots = args.target ? [args.target] : ['runs', 'outputs', 'multirun'].filter((d) => existsSync(d));
      const found = listRuns(roots.length ? roots : ['.']);
      io.out.write(args.json ? JSON.stringify(found, null, 2) + '\n' : formatRunsTable(found.runs));
      return 0;
    }
    if (args.command === 'attach') return await attach(args.target!, io);
    const dir = resolvePath(args.target!);
    if (readMarker(dir)) await stopRemoteRun(dir);
    else if (stopAppSweep(dir)) io.err.write(`bait: asked the app's sweep in ${dir} to stop\n`);
    else {
      const r = await stopLocalRun(dir);
      io.err.write(r.wasRunning ? `bait: stopped ${dir} (status ${r.status})\n` : `bait: ${dir} was not running (status ${r.status})\n`);
    }
    return 0;
  } catch (e) {
    if (isUserError(e) || (e instanceof Error && (e.name === 'UserError' || e.name === 'LauncherError'))) {
      io.err.write(`bait: ${e instanceof UserError ? formatUserError(e) : (e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
