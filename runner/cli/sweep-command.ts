// `bait run <cfg> -m [sweep overrides]` and `bait run <cfg> --sweep <file>`: compose, expand the sweep with
// Hydra's basic sweeper, compose and validate EVERY job before the first one starts, then hand the batch to the
// launcher chosen by `hydra/launcher` and keep sweep.json current while jobs run.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { compose, hydraNode, type ComposeResult } from '../config/compose.js';
import type { ConfigError } from '../config/errors.js';
import { toPlain, type DictNode, type Plain } from '../config/nodes.js';
import { expandSweep } from '../config/overrides/sweep.js';
import { selectNode } from '../config/apply-override.js';
import { DiskSource } from '../disk-source.js';
import { EnvSecrets, watchedEnv } from '../config/secrets.js';
import { maskStream } from './mask-stream.js';
import { createLauncher, type Job, type RunnerInvocation } from '../launchers/index.js';
import { describeEvent, runSweep, SweepValidationError, type SweepSummary } from '../sweep/run-sweep.js';
import { parseSweepFile } from '../sweep/sweep-file.js';
import { planSweepFile, runSweepFile } from '../sweep/run-sweep-file.js';
import type { RunArgs } from './args.js';
import { formatConfigError } from './format-error.js';
import { resolveForRun, resolveSelected } from './resolve-run.js';
import { appExtraArgs, isOurLauncher, runAppMultirun } from '../app/sweep.js';
import { isOptunaSweeper, readStudy } from './optuna-study.js';
import { firstBatch, runOptunaStudy } from '../sweep/run-optuna.js';
import type { OptunaStudy } from '../sweep/optuna.js';

export interface SweepCommandContext {
  configDir: string;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
}

/** The CLI bundle that each job runs (`dist/runner.js`), found beside this bundle or under the repository. */
export function runnerScript(): string {
  // In the bundle this file lives in dist/; from source (tests under tsx) the repository's dist/ is used.
  const bases = [typeof __dirname === 'string' ? __dirname : undefined, dirname(process.argv[1] ?? ''), process.cwd()];
  for (const here of bases) {
    if (!here) continue;
    for (const c of [join(here, 'runner.js'), join(here, '..', 'dist', 'runner.js'), join(here, '..', '..', 'dist', 'runner.js'), join(here, 'dist', 'runner.js')]) {
      if (existsSync(c)) return c;
    }
  }
  throw new Error('The runner bundle dist/runner.js is missing; run `npm run build` first.');
}

function plainAt(cfg: DictNode, key: string): Plain | undefined {
  const n = selectNode(cfg, key);
  return n === undefined ? undefined : toPlain(n);
}

interface PlannedJob extends Job {
  error?: ConfigError;
  /** Resolvers the job's config calls that bait does not know: the job's own app must register them. */
  unknownResolvers?: string[];
}

/** The resolver names when every error is an unknown resolver (which Hydra's launcher would not check either). */
function onlyUnknownResolvers(errors: ConfigError[]): string[] | null {
  const names = errors.map((e) => e.data?.unknownResolver);
  return names.every((n): n is string => typeof n === 'string') ? [...new Set(names)] : null;
}

/** Composes one job (with its job number) and resolves what it needs; returns its run dir or the first error. */
function planJob(source: DiskSource, r0: ComposeResult, args: RunArgs, configDir: string, overrides: string[], num: number, sweepDir: string, env: NodeJS.ProcessEnv): PlannedJob {
  const r = compose({
    source,
    configName: args.configName,
    overrides: [...overrides, `hydra.job.num=${num}`],
    repository: r0.repository,
    versionBase: args.versionBase,
    launch: true,
    runtime: { cwd: process.cwd(), configDir },
  });
  const base: PlannedJob = { num, overrides, dir: join(sweepDir, String(num)) };
  if (r.errors.length) return { ...base, error: r.errors[0]! };
  const resolved = resolveForRun(r.config!, env);
  let unknownResolvers: string[] | undefined;
  if ('errors' in resolved) {
    const unknown = onlyUnknownResolvers(resolved.errors);
    if (!unknown) return { ...base, error: resolved.errors[0]! };
    unknownResolvers = unknown;
  }
  const sub = resolveSelected(r.config!, ['hydra.sweep.subdir'], env);
  const subdir = 'node' in sub ? plainAt(sub.node, 'hydra.sweep.subdir') : undefined;
  return {
    ...base,
    dir: join(sweepDir, typeof subdir === 'string' || typeof subdir === 'number' ? String(subdir) : String(num)),
    ...(unknownResolvers ? { unknownResolvers } : {}),
  };
}

/** The config a sweep file names in its W&B `command` (`--config-name=X`), for `bait run --sweep FILE` alone. */
function sweepFileConfigName(file: string): string | undefined {
  const path = resolvePath(file);
  return existsSync(path) ? parseSweepFile(readFileSync(path, 'utf8'), file).spec?.configName : undefined;
}

export async function runSweepCommand(argsIn: RunArgs, ctxIn: SweepCommandContext): Promise<number> {
  const named = argsIn.configName === null && argsIn.sweepFile ? sweepFileConfigName(argsIn.sweepFile) : undefined;
  const args = named ? { ...argsIn, configName: named } : argsIn;
  // Values read through oc.env are secrets: nothing the sweep prints or writes (multirun.yaml) shows them. Each
  // job reads them from its own environment.
  const secrets = new EnvSecrets();
  const mask = (text: string) => secrets.mask(text);
  const ctx = { ...ctxIn, out: maskStream(ctxIn.out, mask), err: maskStream(ctxIn.err, mask) };
  const processEnv = ctxIn.env ?? process.env;
  const env = watchedEnv(processEnv, secrets);
  const source = new DiskSource(ctx.configDir);
  const show = (e: ConfigError) => formatConfigError(e, { source, displayPath: (f) => join(args.configDir ?? 'configs', f) });
  const r0 = compose({
    source,
    configName: args.configName,
    overrides: args.overrides,
    multirun: true,
    versionBase: args.versionBase,
    launch: true,
    runtime: { cwd: process.cwd(), configDir: ctx.configDir },
  });
  if (r0.errors.length) {
    ctx.err.write(show(r0.errors[0]!) + '\n');
    return 1;
  }
  const cfg = r0.config!;
  const sweeper = plainAt(cfg, 'hydra.sweeper._target_');
  const basicSweeper = typeof sweeper !== 'string' || sweeper.endsWith('BasicSweeper');
  const sweepResolved = resolveSelected(cfg, ['hydra.sweep.dir', 'hydra.launcher'], env);
  if ('errors' in sweepResolved) {
    ctx.err.write(show(sweepResolved.errors[0]!) + '\n');
    return 1;
  }
  const sweepDir = resolvePath(String(plainAt(sweepResolved.node, 'hydra.sweep.dir')));
  for (const p of [sweepDir, ctx.configDir, process.cwd()]) secrets.allowWithin(p);
  const launcherNode = plainAt(sweepResolved.node, 'hydra.launcher') as Record<string, unknown> | undefined;
  // The launcher gets its settings with values read through oc.env masked, so it can write none of them by mistake;
  // it reads back only those it may use (launchers/env-settings.ts).
  const launcherMasked = launcherNode && secrets.maskValue(launcherNode);
  // An app's -m goes to its own Hydra unless one of our launchers was chosen (then each job is an app run of ours).
  const handToApp = args.app !== undefined && !args.sweepFile && !isOurLauncher(launcherNode);
  const optuna = !args.sweepFile && !handToApp && isOptunaSweeper(sweeper);
  if (!args.sweepFile && !basicSweeper && !handToApp && !optuna) {
    ctx.err.write(
      `bait: hydra.sweeper is ${sweeper}, which bait does not run: -m runs Hydra's basic sweeper (the sweep values ` +
        `on the command line) and hydra/sweeper=optuna. For another model-based search, write a W&B-style sweep ` +
        `file (method: bayes) and run it with --sweep, or choose hydra/sweeper=basic or optuna.\n`,
    );
    return 1;
  }

  let overrideLists: string[][];
  const maxBatch0 = plainAt(cfg, 'hydra.sweeper.max_batch_size');
  const maxBatchSize = typeof maxBatch0 === 'number' ? maxBatch0 : null;
  let sweepFileSpec: ReturnType<typeof parseSweepFile>['spec'];
  let study: OptunaStudy | undefined;
  if (optuna) {
    const read = readStudy(cfg, r0.overrides, env);
    if ('error' in read) {
      ctx.err.write((typeof read.error === 'string' ? read.error : show(read.error)) + '\n');
      return 1;
    }
    study = read.study;
    for (const note of study.notes) ctx.err.write(`[optuna] note: ${note}\n`);
    const r = study.record;
    ctx.err.write(`[optuna] study ${r.study_name ?? '(unnamed)'}: ${r.n_trials} trials, ${r.n_jobs} per batch, ${r.direction} '${r.metric}'; ` +
      `${r.sampler === 'RandomSampler' ? 'random search' : `bait's TPE-style search after ${r.n_startup_trials} random trials`}, seed ${r.seed}\n`);
    if (args.dryRun) ctx.err.write(`[optuna] the first batch (later batches depend on the results):\n`);
    overrideLists = firstBatch(study);
  } else if (args.sweepFile) {
    const file = resolvePath(args.sweepFile);
    const text = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (text === undefined) {
      ctx.err.write(`bait: the sweep file '${args.sweepFile}' does not exist.\n`);
      return 1;
    }
    const parsed = parseSweepFile(text, args.sweepFile);
    if (!parsed.spec) {
      const e = parsed.errors[0]!;
      ctx.err.write(`${args.sweepFile}: error: ${e.message}\n`);
      return 1;
    }
    sweepFileSpec = parsed.spec;
    overrideLists = planSweepFile(parsed.spec, { baseOverrides: args.overrides });
  } else if (handToApp && !basicSweeper) {
    overrideLists = []; // the app's sweeper (Optuna, ...) decides the jobs
  } else {
    const ex = expandSweep(r0.overrides, { listOptions: (g) => r0.repository.groupOptions(g), maxBatchSize });
    if (ex.error) {
      ctx.err.write(show(ex.error) + '\n');
      return 1;
    }
    overrideLists = ex.batches!.flat();
  }

  // Every job is composed and validated before anything starts.
  const jobs = overrideLists.map((o, i) => planJob(source, r0, args, ctx.configDir, o, i, sweepDir, env));
  const bad = jobs.filter((j) => j.error);
  if (bad.length) {
    for (const j of bad.slice(0, 5)) ctx.err.write(`job #${j.num} (${j.overrides.join(' ')}):\n${show(j.error!)}\n`);
    ctx.err.write(`${bad.length} of ${jobs.length} jobs are invalid; nothing was started.\n`);
    return 1;
  }
  const unknown = [...new Set(jobs.flatMap((j) => j.unknownResolvers ?? []))];
  if (unknown.length) {
    const n = jobs.filter((j) => j.unknownResolvers).length;
    ctx.err.write(
      `bait: warning: ${n} of ${jobs.length} jobs use resolvers bait does not know (${unknown.map((u) => `\${${u}:...}`).join(', ')}); ` +
        `they run anyway, as Hydra's launcher runs them: the job's app must register them, or the job fails on its own.\n`,
    );
  }
  if (args.dryRun) {
    for (const j of jobs) {
      ctx.out.write(args.json ? JSON.stringify({ num: j.num, overrides: j.overrides, dir: j.dir }) + '\n' : `#${j.num} : ${j.overrides.join(' ')}\n`);
    }
    return 0;
  }

  if (handToApp) {
    return runAppMultirun({ app: args.app!, ...(args.appResume ? { appResume: args.appResume } : {}), configName: args.configName ?? '',
      configDir: ctx.configDir, overrides: args.overrides, workspaceDir: process.cwd(), sweepDir, jobs, versionBase: args.versionBase }, ctx, processEnv);
  }
  const app = args.app !== undefined ? { command: args.app, ...(args.appResume ? { resume: args.appResume } : {}) } : undefined;
  const runner: RunnerInvocation = { script: runnerScript(), configName: args.configName ?? '', configDir: ctx.configDir, ...appExtraArgs(app, args.versionBase ? ['--version-base', args.versionBase] : []) };
  const launcher = createLauncher(launcherMasked ?? null, { workspace: process.cwd(), sweepDir });
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  ctx.err.write(`[sweep] ${study ? study.record.n_trials : jobs.length} jobs with the ${launcher.name} launcher in ${sweepDir}\n`);
  // A model-based sweep proposes later batches as it goes; each is composed and validated before it starts.
  const validate = (job: Job) => {
    const p = planJob(source, r0, args, ctx.configDir, job.overrides, job.num, sweepDir, env);
    return p.error ? show(p.error) : null;
  };
  const common = {
    sweepDir,
    launcher,
    runner,
    signal: abort.signal,
    onEvent: (e: Parameters<typeof describeEvent>[0]) => {
      // A one-job sweep on an SSH host is one run sent there (the editor's Run Experiment on a host): its output is the
      // run's, so it shows as a local run's would. With more jobs the lines would interleave; launcher.log keeps each.
      if (e.type === 'log' && e.num >= 0 && jobs.length === 1 && !study && launcher.name === 'ssh') ctx.out.write(e.text);
      const line = describeEvent(e);
      if (line) ctx.err.write(line + '\n');
    },
    // multirun.yaml records the sweep's config with the launcher resolved, so `bait resume <sweep>` relaunches
    // the remaining jobs on the same hosts or cluster.
    // (values read through oc.env masked; `bait resume <sweep>` reads them from the environment again).
    multirun: secrets.maskValue(toPlain(sweepResolved.node) as Record<string, unknown>),
    info: { name: args.configName ?? '', workspace: process.cwd(), ...(app ? { app } : {}) },
  };
  let summary: SweepSummary;
  try {
    summary = study
      ? await runOptunaStudy({ ...common, study, validate, report: (line) => ctx.err.write(line + '\n') })
      : sweepFileSpec
      ? await runSweepFile({ ...common, spec: sweepFileSpec, baseOverrides: args.overrides })
      : await runSweep({ ...common, batchSize: maxBatchSize, jobs: jobs.map(({ num, overrides, dir }) => ({ num, overrides, dir })) });
  } catch (e) {
    if (e instanceof SweepValidationError) {
      ctx.err.write(e.message + '\n');
      return 1;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  ctx.err.write(`[sweep] ${summary.completed.length} completed, ${summary.failed.length} failed, ${summary.stopped.length} stopped — ${join(sweepDir, 'sweep.json')}\n`);
  if (abort.signal.aborted || summary.stopped.length) return 130;
  return summary.failed.length ? 3 : 0;
  void hydraNode;
}
