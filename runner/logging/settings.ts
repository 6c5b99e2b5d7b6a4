// `logging_config` (BAIT's keys `project`, `offline`, `notes`, `id`, plus W&B's `entity`, `group`, `tags`, `name`,
// `mode`, `dir`, `job_type`, and our `tensorboard`) and the W&B environment variables, checked before training so
// a bad value is one error naming its key (the CLI adds the file:line:col that set it).
import { UserError } from '../run/errors.js';

export type WandbMode = 'online' | 'offline' | 'disabled';

export interface LoggingSettings {
  mode: WandbMode;
  /** Why this mode: `logging_config.mode`, `WANDB_MODE`, `logging_config.offline`. */
  modeFrom: string;
  project: string;
  entity: string | null;
  group: string | null;
  tags: string[];
  name: string | null;
  notes: string | null;
  jobType: string | null;
  /** `logging_config.id` when it is a string (false/null/absent: the runner makes a new id). */
  id: string | null;
  /** Where `wandb/` goes (W&B's `dir`); null: the run directory. */
  dir: string | null;
  tensorboard: boolean;
  apiKey: string | null;
  baseUrl: string;
}

/** What describes a W&B run besides its id: written into the run record and sent by the online client. */
export type WandbRunMeta = Pick<LoggingSettings, 'project' | 'entity' | 'group' | 'tags' | 'name' | 'notes' | 'jobType'>;

type Dict = Record<string, unknown>;

const MODES: Record<string, WandbMode> = { online: 'online', offline: 'offline', disabled: 'disabled', dryrun: 'offline', run: 'online' };

/** W&B refuses run ids with these characters (wandb.init's documentation) and ids with outer whitespace. */
const ID_FORBIDDEN = /[/\\#?%:\u0000-\u001f\u007f]/;

export function checkRunId(id: string, key = 'logging_config.id'): void {
  const bad = id.match(ID_FORBIDDEN);
  if (bad) {
    throw new UserError(`W&B run ids cannot contain ${JSON.stringify(bad[0])} (nor any of / \\ # ? % : or control ` +
      `characters); use letters, digits, '-' and '_', e.g. ${id.replace(/[^A-Za-z0-9_-]/g, '_')}`, key);
  }
  if (!id.trim()) throw new UserError('a W&B run id cannot be empty or blank; leave logging_config.id false for a new id', key);
  if (id !== id.trim()) throw new UserError(`W&B run ids cannot start or end with whitespace: '${id}'`, key);
  if (id.length > 128) throw new UserError(`W&B run ids are at most 128 characters (this one has ${id.length})`, key);
}

function optString(d: Dict, key: string): string | null {
  const v = d[key];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new UserError(`expected a string, got ${JSON.stringify(v)}`, `logging_config.${key}`);
}

function bool(d: Dict, key: string, fallback: boolean): boolean {
  const v = d[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  throw new UserError(`expected true or false, got ${JSON.stringify(v)}`, `logging_config.${key}`);
}

function modeOf(value: unknown, where: string, key?: string): WandbMode {
  const m = typeof value === 'string' ? MODES[value.toLowerCase()] : undefined;
  if (!m) {
    const msg = `W&B mode must be online, offline or disabled, got ${JSON.stringify(value)}`;
    throw new UserError(key ? msg : `${where}: ${msg}`, key);
  }
  return m;
}

/**
 * Reads the settings. Which mode wins: `logging_config.mode` (said for this config), then `WANDB_MODE` (said for
 * this shell, as W&B users switch it), then BAIT's `logging_config.offline`, else online.
 */
export function loggingSettings(loggingConfig: unknown, expName: string | null, env: NodeJS.ProcessEnv): LoggingSettings {
  const d: Dict = loggingConfig !== null && typeof loggingConfig === 'object' && !Array.isArray(loggingConfig) ? (loggingConfig as Dict) : {};
  let mode: WandbMode;
  let modeFrom: string;
  if (d.mode !== undefined && d.mode !== null) {
    mode = modeOf(d.mode, '', 'logging_config.mode');
    modeFrom = 'logging_config.mode';
  } else if (env.WANDB_MODE) {
    mode = modeOf(env.WANDB_MODE, 'environment variable WANDB_MODE');
    modeFrom = 'WANDB_MODE';
  } else {
    mode = bool(d, 'offline', false) ? 'offline' : 'online';
    modeFrom = 'logging_config.offline';
  }
  // `offline` is read even when another setting wins, so a wrong type is still reported.
  bool(d, 'offline', false);
  const rawTags = d.tags;
  let tags: string[] = [];
  if (typeof rawTags === 'string') tags = rawTags ? [rawTags] : [];
  else if (Array.isArray(rawTags)) {
    tags = rawTags.map((t, i) => {
      if (typeof t !== 'string' && typeof t !== 'number') throw new UserError(`tags must be strings, got ${JSON.stringify(t)}`, `logging_config.tags[${i}]`);
      return String(t);
    });
  } else if (rawTags !== undefined && rawTags !== null) {
    throw new UserError(`expected a list of strings, got ${JSON.stringify(rawTags)}`, 'logging_config.tags');
  }
  for (const [i, t] of tags.entries()) {
    if (t.length > 64) throw new UserError(`W&B tags are at most 64 characters ('${t.slice(0, 20)}...' has ${t.length})`, `logging_config.tags[${i}]`);
  }
  let id: string | null = null;
  if (typeof d.id === 'string' && d.id !== '') {
    checkRunId(d.id);
    id = d.id;
  } else if (d.id !== undefined && d.id !== null && d.id !== false && d.id !== '') {
    throw new UserError(`expected a W&B run id (a string) or false for a new one, got ${JSON.stringify(d.id)}`, 'logging_config.id');
  }
  const project = optString(d, 'project') ?? env.WANDB_PROJECT ?? 'uncategorized';
  if (/[/\\#?%:]/.test(project)) throw new UserError(`W&B project names cannot contain / \\ # ? % or :, got '${project}'`, 'logging_config.project');
  return {
    mode,
    modeFrom,
    project,
    entity: optString(d, 'entity') ?? (env.WANDB_ENTITY || null),
    group: optString(d, 'group') ?? (env.WANDB_RUN_GROUP || null),
    tags,
    name: optString(d, 'name') ?? expName,
    notes: optString(d, 'notes'),
    jobType: optString(d, 'job_type') ?? (env.WANDB_JOB_TYPE || null),
    id,
    dir: optString(d, 'dir'),
    tensorboard: bool(d, 'tensorboard', true),
    apiKey: env.WANDB_API_KEY || null,
    baseUrl: (env.WANDB_BASE_URL || 'https://api.wandb.ai').replace(/\/+$/, ''),
  };
}

/** The run's page, as W&B's app shows it (the app host is the API host without `api.`). */
export function runUrl(s: Pick<LoggingSettings, 'baseUrl' | 'project'>, entity: string, id: string): string {
  const app = s.baseUrl.replace('//api.', '//');
  return `${app}/${encodeURIComponent(entity)}/${encodeURIComponent(s.project)}/runs/${encodeURIComponent(id)}`;
}
