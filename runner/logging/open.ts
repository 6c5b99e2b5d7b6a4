// Opens a run's loggers for one attempt (new run, resume or fork) from the checked settings, and says what it
// did in the lines the run prints: where the W&B run folder is, how to upload it, the run's page when known.
import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { UserError } from '../run/errors.js';
import type { MetricsLog } from '../run/metrics_log.js';
import { RunLoggers } from './run-loggers.js';
import { type LoggingSettings, runUrl } from './settings.js';
import { TensorBoardWriter } from './tfevents.js';
import { WandbOnline } from './wandb-online.js';
import { findWandbRunDir, WandbRunFile, wandbRunDirName, type WandbRunInfo } from './wandb-run-file.js';

/** What run.json records about the W&B run, so `bait runs` and the editor can sync or open it. */
export interface WandbRecordInfo {
  id: string;
  mode: 'online' | 'offline';
  project: string;
  entity: string | null;
  /** The W&B run folder, relative to the run directory when inside it. */
  dir: string;
  /** The run's page once it is known (online, or an entity was configured). */
  url: string | null;
}

export interface AttemptInfo {
  kind: 'new' | 'resume' | 'fork';
  runDir: string;
  runId: string;
  host: string;
  /** The run's first start (ISO time from run.json). */
  startedAt: string;
  config: Record<string, unknown>;
  /** For resume and fork: the step of the checkpoint this attempt starts from. */
  fromStep?: number;
  /** For a fork: the parent's run id. */
  parentId?: string;
  /** What a previous attempt recorded (resume). */
  previous?: WandbRecordInfo | null;
  /**
   * Masks secrets (values read through `oc.env`) in what the W&B run file records about the run (name, notes,
   * tags, ...). The online client gets the settings as they are: it needs the real project and entity.
   */
  mask?: <T>(value: T) => T;
}

/** Fails before training when W&B's folder cannot be written (an explicit `logging_config.dir`). */
export function checkLoggingDir(s: LoggingSettings, workspaceDir: string): void {
  if (s.mode === 'disabled' || !s.dir) return;
  const dir = isAbsolute(s.dir) ? s.dir : resolve(workspaceDir, s.dir);
  const probe = join(dir, 'wandb', `.bait-write-test-${process.pid}`);
  try {
    mkdirSync(join(dir, 'wandb'), { recursive: true });
    accessSync(join(dir, 'wandb'), constants.W_OK);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw new UserError(`W&B cannot write its run folder under ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); ` +
      'point logging_config.dir at a writable directory, or remove it to use the run directory', 'logging_config.dir');
  }
}

export interface OpenedLoggers {
  loggers: RunLoggers;
  wandb: WandbRecordInfo | null;
  /** Lines to print when the attempt starts. */
  notes: string[];
}

export interface LoggerOutput {
  /** A line for the terminal and the run's log (warnings). */
  print(line: string): void;
  /** A line for the run's log only (the W&B SDK's own messages). */
  log(line: string): void;
  /** The run's W&B page became known (online): record it. */
  url(url: string): void;
}

export function openLoggers(s: LoggingSettings, a: AttemptInfo, store: MetricsLog, workspaceDir: string, out: LoggerOutput): OpenedLoggers {
  const notes: string[] = [];
  const tb = s.tensorboard ? new TensorBoardWriter(a.runDir, a.kind === 'resume' ? { firstStep: a.fromStep! + 1 } : {}) : null;
  if (s.mode === 'disabled') return { loggers: new RunLoggers(store, null, tb), wandb: null, notes };
  const root = s.dir ? (isAbsolute(s.dir) ? s.dir : resolve(workspaceDir, s.dir)) : a.runDir;
  const startTime = Date.parse(a.startedAt) || Date.now();
  let mode: 'online' | 'offline' = s.mode;
  if (mode === 'online' && !s.apiKey) {
    notes.push(`W&B: online mode (${s.modeFrom}) needs WANDB_API_KEY; logging offline instead`);
    mode = 'offline';
  }
  let file: WandbRunFile | undefined;
  if (a.kind === 'resume') {
    const prev = a.previous?.dir ? resolve(a.runDir, a.previous.dir) : findWandbRunDir(root, a.runId);
    if (prev && existsSync(join(prev, `run-${a.runId}.wandb`))) {
      file = WandbRunFile.resume(prev, a.runId, startTime, a.fromStep!);
      notes.push(`W&B: continuing run ${a.runId} in ${relOrAbs(a.runDir, prev)} after step ${a.fromStep} (${file.rows} rows kept)`);
    }
  }
  if (!file) {
    const described = { project: s.project, entity: s.entity, group: s.group, tags: s.tags, name: s.name, notes: s.notes, jobType: s.jobType };
    const info: WandbRunInfo = {
      id: a.runId, ...(a.mask ? a.mask(described) : described), host: a.host, startTime, config: a.config,
      forkedFrom: a.kind === 'fork' && a.parentId ? { runId: a.parentId, step: a.fromStep! } : null,
    };
    file = WandbRunFile.create(join(root, 'wandb', wandbRunDirName(mode, a.runId, startTime)), info);
  }
  const entity = s.entity ?? a.previous?.entity ?? null;
  const wandb: WandbRecordInfo = {
    id: a.runId, mode, project: s.project, entity, dir: relOrAbs(a.runDir, file.dir),
    url: a.previous?.url ?? (entity ? runUrl(s, entity, a.runId) : null),
  };
  const loggers = new RunLoggers(store, file, tb);
  if (mode === 'online') {
    const config = Object.fromEntries(Object.entries({ _wandb: {}, ...a.config }).map(([k, v]) => [k, { desc: null, value: v }]));
    loggers.online = new WandbOnline(s, {
      id: a.runId, host: a.host, config,
      startOffset: file.rows,
    }, out.print, (url) => {
      wandb.url = url;
      out.url(url);
    }, out.log);
    notes.push(`W&B: streaming run ${a.runId} to ${s.baseUrl} (project ${s.project}); local copy in ${relOrAbs(a.runDir, file.dir)}`);
  }
  return { loggers, wandb, notes };
}

function relOrAbs(base: string, p: string): string {
  const r = relative(base, p);
  return r.startsWith('..') || isAbsolute(r) ? p : r;
}
