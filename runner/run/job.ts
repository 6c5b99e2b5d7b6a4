// One run of an experiment, from a composed config to a finished run directory (DESIGN.md sections 4-6). The CLI
// composes the config and calls `runJob`; everything after composition happens here:
//   check the config -> pick the backend -> build data, model and callbacks from their `_target_`s -> create the
//   run directory (or reopen it to resume) -> train -> record the outcome.
// Returns the exit code: 0 done, 3 the experiment failed, 130 interrupted after saving `last`. Problems the user
// must fix are thrown as UserError (the CLI prints them and exits 1).
import { appendFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Plain } from '../config/nodes.js';
import { EnvSecrets } from '../config/secrets.js';
import { backendChoice, initBackend } from '../backend/index.js';
import { chooseCheckpoint, describeBroken, fallbackNote, readCheckpoint, readManifest } from '../checkpoint/store.js';
import { readIndex } from '../checkpoint/index_file.js';
import { findMissing, instantiate, prepareTargets } from '../instantiate/instantiate.js';
import type { Callback } from '../train/callbacks/callback.js';
import { ModelCheckpoint } from '../train/callbacks/model_checkpoint.js';
import { parseTrainerOptions } from '../train/options.js';
import { Progress } from '../train/progress.js';
import { withInitSeed } from '../train/rng.js';
import { type TrainableData, type TrainableModel, Trainer } from '../train/trainer.js';
import { UserError } from './errors.js';
import { provideContext } from '../data/context_features.js';
import { MetricsLog, SUPERSEDED_FILE, supersedeRowsAfter } from './metrics_log.js';
import { type RunRecord, checkpointDirOf, readRunRecord, relocation, writeRunRecord } from './run_record.js';
import { createUniqueDir, runDirProblem, writeHydraFiles } from './run_dir.js';
import { STOP_FILE } from './signals.js';
import { checkLoggingDir, openLoggers } from '../logging/open.js';
import { loggingSettings } from '../logging/settings.js';

export interface JobInput {
  config: Plain;
  hydra: Plain;
  configName: string;
  overrides: string[];
  configDir: string;
  workspaceDir: string;
  sweep?: { dir: string; jobNum: number };
  /**
   * The run directory was assigned by a launcher (BAIT_JOB_DIR): use it as it is, even though the launcher
   * already created it for its own log, instead of taking a free `_1` suffix.
   */
  assignedDir?: boolean;
  /**
   * The texts of `.hydra/config.yaml`, `hydra.yaml` and `overrides.yaml` as Hydra writes them (unresolved, in
   * PyYAML's style), prepared by the CLI from the composed nodes; without them the plain values are written.
   */
  hydraFiles?: { config: string; hydra: string; overrides: string };
  /** The config W&B records (environment values masked); the resolved `config` when absent. */
  loggedConfig?: Plain;
  /** The `trainer` keys the config typed as int (plain JSON cannot tell `1` from `1.0`), when known. */
  trainerIntKeys?: string[];
  /** Values the config read through `oc.env`: masked in everything the run prints or writes. */
  secrets?: EnvSecrets;
}


type Dict = Record<string, Plain>;

function dict(v: Plain | undefined): Dict {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Dict) : {};
}

function str(v: Plain | undefined): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function newRunId(): string {
  // 8 characters from [0-9a-z], like W&B's run ids.
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  return Array.from(randomBytes(8), (b) => alphabet[b % 36]).join('');
}

function abs(workspaceDir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(workspaceDir, p);
}

interface Plan {
  kind: 'new' | 'resume' | 'fork';
  /** For resume: the existing run directory; for new/fork: the requested one (a clash gets a suffix). */
  dir: string;
  checkpoint?: string;
  record?: RunRecord;
  /** What the user should know about the choice (a broken or missing `last`, a copied run dir). */
  notes: string[];
}

function planRun(input: JobInput): Plan {
  const exp = dict(dict(input.config).exp_config);
  const logging = dict(dict(input.config).logging_config);
  const hydra = dict(input.hydra);
  if (exp.resume === true) {
    const d = str(exp.directory);
    if (!d) throw new UserError('resume needs the run directory: exp_config.directory=<run dir>', 'exp_config.directory');
    const dir = abs(input.workspaceDir, d);
    const record = readRunRecord(dir);
    if (!record) {
      throw new UserError(`${dir} is not a run directory (it has no run.json); point exp_config.directory at a run ` +
        `made by bait run`, 'exp_config.directory');
    }
    const id = logging.id;
    if (typeof id === 'string' && id && id !== record.id) {
      throw new UserError(`logging_config.id '${id}' does not match the run in ${dir} (its id is '${record.id}'); ` +
        `use logging_config.id=${record.id} or leave it unset`, 'logging_config.id');
    }
    const notes: string[] = [];
    const moved = relocation(dir, record);
    if (moved) {
      notes.push(`this run directory was ${moved.kind} from ${moved.from} (recorded in its run.json); it resumes from its own ` +
        `checkpoints and keeps the run id ${record.id}${moved.kind === 'copied' ? ` (for a separate run: bait resume ${moved.from} --fork)` : ''}`);
    }
    const ckptDir = checkpointDirOf(dir, record);
    const explicit = str(exp.resume_from);
    const path = explicit ? resolve(ckptDir, explicit) : join(ckptDir, 'last');
    const choice = chooseCheckpoint(resolve(path, '..'), relative(resolve(path, '..'), path), !explicit);
    if (!choice.path) {
      const broken = choice.broken;
      throw new UserError(`the run in ${dir} has no valid checkpoint${explicit ? ` '${explicit}'` : ''} to resume from` +
        `${broken.length ? ` (${describeBroken(broken)})` : ` in ${ckptDir}`}; interrupted .tmp checkpoints are never ` +
        `used${explicit ? '; pick another with --from' : '; start a new run instead'}`, 'exp_config.resume');
    }
    const note = fallbackNote(ckptDir, 'last', choice, 'resuming from');
    if (note && !explicit) notes.push(note);
    return { kind: 'resume', dir, checkpoint: choice.path, record, notes };
  }
  const fork = str(exp.fork_from);
  let requested = str(exp.directory);
  if (!requested && input.sweep) {
    const sweep = dict(hydra.sweep);
    requested = str(sweep.dir) && str(sweep.subdir) ? join(str(sweep.dir)!, str(sweep.subdir)!) : join(input.sweep.dir, String(input.sweep.jobNum));
  }
  requested ??= str(dict(hydra.run).dir) ?? join('outputs', new Date().toISOString().slice(0, 10), new Date().toISOString().slice(11, 19).replace(/:/g, '-'));
  const dir = abs(input.workspaceDir, requested);
  const problem = input.assignedDir ? undefined : runDirProblem(dir);
  if (problem) {
    throw new UserError(`cannot make the run directory there: ${problem}. Point it at a new folder (BAIT's default is ` +
      'runs/${exp_config.experiment}/${exp_config.name}/<date>/<time>)', str(exp.directory) ? 'exp_config.directory' : 'hydra.run.dir');
  }
  if (fork) {
    const path = abs(input.workspaceDir, fork);
    const found = chooseCheckpoint(resolve(path, '..'), relative(resolve(path, '..'), path), false);
    if (!found.path) {
      const why = found.broken.length ? ` (${describeBroken(found.broken)})` : '';
      throw new UserError(`${path} is not a valid checkpoint to fork from${why}`, 'exp_config.fork_from');
    }
    return { kind: 'fork', dir, checkpoint: found.path, notes: [] };
  }
  return { kind: 'new', dir, notes: [] };
}

export async function runJob(input: JobInput): Promise<number> {
  // A signal while the experiment is being built (before the trainer's own handler) stops it before the run
  // directory exists, or, once it does, at the first batch with `last` saved: exit 130 either way.
  let earlySignal = false;
  const onEarlySignal = () => {
    earlySignal = true;
  };
  process.on('SIGINT', onEarlySignal);
  process.on('SIGTERM', onEarlySignal);
  try {
    return await runJobInner(input, () => earlySignal);
  } finally {
    process.off('SIGINT', onEarlySignal);
    process.off('SIGTERM', onEarlySignal);
  }
}

async function runJobInner(input: JobInput, interrupted: () => boolean): Promise<number> {
  const config = input.config;
  const root = dict(config);
  const missing = findMissing(config);
  if (missing !== undefined) {
    throw new UserError(`'${missing}' is missing (???): set it in the config or with ${missing}=<value> on the command line`, missing);
  }
  for (const k of ['model', 'data_module'] as const) {
    if (!dict(root[k])._target_) {
      throw new UserError(`the config has no ${k} with a _target_; a Lightning experiment needs model, data_module ` +
        `and trainer (see configs/premise_selection/mizar40/)`, k);
    }
  }
  // W&B and TensorBoard settings (mode, run id, writable folder) fail here, before anything is built.
  const logSettings = loggingSettings(root.logging_config, str(dict(root.exp_config).name) ?? null, process.env);
  checkLoggingDir(logSettings, input.workspaceDir);
  const notes: string[] = [];
  const opts = parseTrainerOptions(root.trainer, notes, input.trainerIntKeys ? new Set(input.trainerIntKeys) : undefined);
  const plan = planRun(input);
  const resumeManifest = plan.checkpoint ? readManifest(plan.checkpoint) : undefined;
  const seed = resumeManifest?.rng.seed ?? opts.seed ?? (typeof dict(root.exp_config).seed === 'number'
    ? (dict(root.exp_config).seed as number) : randomBytes(4).readUInt32LE(0) % 2147483647);

  // Everything that can fail on a bad config happens before the run directory exists.
  const backend = await initBackend(backendChoice(opts.accelerator), opts.devices);
  notes.push(...backend.notes);
  const ctx = await prepareTargets(config, input.workspaceDir);
  const data = instantiate(root.data_module!, ctx, 'data_module') as TrainableData;
  if (typeof data?.setup !== 'function') throw new UserError('the data_module target did not build a data module', 'data_module._target_');
  data.setup();
  const model = withInitSeed(seed, () => instantiate(root.model!, ctx, 'model')) as TrainableModel;
  if (typeof model?.loss !== 'function') throw new UserError('the model target did not build a trainable model', 'model._target_');
  model.checkVocabulary?.(data.vocabSize);
  provideContext(model, data);
  const callbacks = opts.callbacks.map((c, i) => instantiate(c, ctx, `trainer.callbacks[${i}]`)) as Callback[];
  if (opts.enable_checkpointing && !callbacks.some((c) => c instanceof ModelCheckpoint)) {
    // Lightning adds a ModelCheckpoint when none is configured; ours also keeps `last` so the run can be resumed.
    callbacks.push(new ModelCheckpoint({ save_last: true, save_top_k: 1 }));
  }

  if (interrupted()) {
    process.stderr.write('bait: interrupted before the run started; nothing was created\n');
    return 130;
  }
  const runDir = plan.kind === 'resume' ? plan.dir : input.assignedDir && !existsSync(join(plan.dir, 'run.json')) ? (mkdirSync(plan.dir, { recursive: true }), plan.dir) : createUniqueDir(plan.dir);
  // The paths a run must record to work stay exact even when part of them came from the environment.
  const secrets = input.secrets ?? new EnvSecrets();
  for (const p of [runDir, input.workspaceDir, input.configDir]) secrets.allowWithin(p);
  const logFile = join(runDir, 'log.txt');
  const log = (text: string) => appendFileSync(logFile, secrets.mask(text) + '\n');
  const print = (line: string) => {
    process.stdout.write(secrets.mask(line) + '\n');
    log(line);
  };
  // A ModelCheckpoint whose dirpath was interpolated from the requested directory follows a suffixed one.
  for (const c of callbacks) {
    if (c instanceof ModelCheckpoint && c.dirpath) {
      const p = abs(input.workspaceDir, c.dirpath);
      const rel = relative(plan.dir, p);
      (c as { dirpath: string | null }).dirpath = !rel.startsWith('..') && !isAbsolute(rel) ? join(runDir, rel) : p;
    }
  }
  const firstCkpt = callbacks.find((c): c is ModelCheckpoint => c instanceof ModelCheckpoint);
  const checkpointDir = plan.record ? checkpointDirOf(runDir, plan.record) : firstCkpt?.dirpath ?? join(runDir, 'checkpoints');

  const now = new Date().toISOString();
  const exp = dict(root.exp_config);
  const logging = dict(root.logging_config);
  let record: RunRecord;
  const adapter = backend.adapter ?? null;
  const attemptBase = { started: now, ended: null, status: 'running' as const, pid: process.pid, host: hostname(), backend: backend.name,
    backend_reason: backend.reason, adapter };
  if (plan.kind === 'resume') {
    record = plan.record!;
    record.attempts.push({ attempt: record.attempts.length + 1, resumed_from: relative(runDir, plan.checkpoint!), ...attemptBase });
    Object.assign(record, { status: 'running', pid: process.pid, host: hostname(), backend: backend.name, adapter, ended_at: null, run_dir: runDir,
      checkpoint_dir: relative(runDir, checkpointDir) || '.' });
    rmSync(join(runDir, STOP_FILE), { force: true });
    if (resumeManifest && resumeManifest.backend !== backend.name) {
      notes.push(`the checkpoint was written on ${resumeManifest.backend} and this attempt runs on ${backend.name}: ` +
        'the continuation is close but not bit-identical');
    }
  } else {
    writeHydraFiles(runDir, config, input.hydra, input.overrides, input.hydraFiles);
    record = {
      id: typeof logging.id === 'string' && logging.id ? logging.id : newRunId(),
      experiment: str(exp.experiment) ?? null,
      name: str(exp.name) ?? null,
      config_name: input.configName,
      config_dir: input.configDir,
      workspace_dir: input.workspaceDir,
      overrides: input.overrides,
      status: 'running', host: hostname(), pid: process.pid, backend: backend.name, adapter, seed,
      started_at: now, ended_at: null, checkpoint_dir: relative(runDir, checkpointDir) || '.', run_dir: runDir,
      attempts: [{ attempt: 1, resumed_from: null, ...attemptBase }],
      parent: plan.kind === 'fork' ? { run: resolve(plan.checkpoint!, '..', '..'), checkpoint: relative(resolve(plan.checkpoint!, '..'), plan.checkpoint!) } : null,
      sweep: input.sweep ? { dir: input.sweep.dir, job_num: input.sweep.jobNum } : null,
    };
  }
  secrets.allowWithin(record.id);
  const saveRecord = () => writeRunRecord(runDir, secrets.maskValue(record));
  saveRecord();
  const attempt = record.attempts.length;
  const finish = (status: RunRecord['status'], finalMetrics?: Record<string, number>) => {
    const end = new Date().toISOString();
    record.status = status;
    record.ended_at = end;
    const a = record.attempts[attempt - 1]!;
    a.status = status;
    a.ended = end;
    if (finalMetrics) record.final_metrics = finalMetrics;
    saveRecord();
  };

  if (plan.kind === 'resume') {
    const from = resumeManifest!.progress.global_step;
    const moved = supersedeRowsAfter(join(runDir, 'metrics.jsonl'), from, attempt);
    if (moved) plan.notes.push(`${moved} metrics rows past step ${from} (logged after the checkpoint, lost with the attempt that wrote them) moved to ${SUPERSEDED_FILE}`);
  }
  const metrics = new MetricsLog(join(runDir, 'metrics.jsonl'));
  const parentId = plan.kind === 'fork' ? readRunRecord(resolve(plan.checkpoint!, '..', '..'))?.id : undefined;
  const opened = openLoggers(logSettings, {
    kind: plan.kind, runDir, runId: record.id, host: hostname(), startedAt: record.started_at, config: dict(input.loggedConfig ?? config),
    ...(resumeManifest ? { fromStep: resumeManifest.progress.global_step } : {}),
    ...(parentId ? { parentId } : {}), previous: record.wandb ?? null, mask: (v) => secrets.maskValue(v),
  }, metrics, input.workspaceDir, {
    print,
    log,
    url: saveRecord,
  });
  const loggers = opened.loggers;
  record.wandb = opened.wandb;
  saveRecord();
  const progress = new Progress(opts.enable_progress_bar, Boolean(process.stderr.isTTY), print);
  const trainer = new Trainer(opts, {
    model, data, callbacks, seed, attempt, runDir, checkpointDir, metrics: loggers, progress, print, backend: backend.name,
    // Never the resolved config: values read through oc.env (tokens, passwords) must not reach the checkpoints.
    config: input.loggedConfig ?? config, stopFile: join(runDir, STOP_FILE),
    ...(input.hydraFiles ? { configUnresolved: input.hydraFiles.config } : {}),
  });
  let loggingEnded = false;
  const endLogging = async (code: number, summary?: Record<string, number>) => {
    if (loggingEnded) return;
    loggingEnded = true;
    await loggers.finish(code, summary);
    const w = record.wandb;
    if (w && (w.mode === 'offline' || loggers.online?.offline)) {
      const dir = resolve(runDir, w.dir);
      print(`W&B: ${w.mode === 'offline' ? 'offline run' : 'run (not fully uploaded)'} ${w.id} in ${dir}`);
      print(`W&B: upload it with: wandb sync ${quoteShell(dir)}`);
    }
    if (w?.url) print(`W&B: ${w.url}`);
  };
  const onSignal = () => trainer.interrupt();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (interrupted()) trainer.interrupt();
  try {
    print(`${plan.kind === 'resume' ? `Resuming run ${record.id} (attempt ${attempt}) from ${relative(runDir, plan.checkpoint!)}` :
      `Run ${record.id}`} in ${runDir}`);
    print(`backend ${backend.name} (${backend.detail}; kernels: ${[...backend.kernels, ...trainer.stepKernels].join(', ') || 'stock'}), seed ${seed}, ` +
      `${trainer.trainBatches} train / ${trainer.valBatches} val batches per epoch`);
    print(`accelerator ${String(opts.accelerator)} -> ${backend.name}: ${backend.reason}`);
    for (const n of [...plan.notes, ...notes]) print(`note: ${n}`);
    for (const n of opened.notes) print(n);
    if (plan.checkpoint) await trainer.restore(readCheckpoint(plan.checkpoint));
    const result = await trainer.fit();
    if (result === 'interrupted') {
      await endLogging(130);
      finish('stopped');
      print(`Interrupted at step ${trainer.globalStep}; saved checkpoints/last. Resume with: bait resume ${runDir}`);
      return 130;
    }
    await endLogging(0, trainer.metrics);
    finish('completed', trainer.metrics);
    print(`Finished at step ${trainer.globalStep}: ` +
      Object.entries(trainer.metrics).map(([k, v]) => `${k}=${Number(v.toPrecision(4))}`).join(' '));
    print(`Run directory: ${runDir}`);
    const best = readIndex(checkpointDir);
    if (best.best) {
      print(`Best checkpoint: ${best.best} (${best.monitor} ${best.best_k[best.best]}); score it on the test split with: ` +
        `bait test ${runDir}`);
    }
    return 0;
  } catch (e) {
    await endLogging(3).catch(() => undefined);
    finish('failed');
    if (e instanceof UserError) throw e;
    print(`error: the experiment failed: ${(e as Error)?.message ?? String(e)}`);
    log((e as Error)?.stack ?? '');
    return 3;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    metrics.close();
    trainer.dispose();
  }
}

/** A path as a POSIX shell word (printed for copy and paste). */
function quoteShell(p: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}
