// `bait resume <run>` and `--fork` for runs of the workspace's own app. The app decides how it continues, so the
// relaunch says it in the app's terms: BAIT-layout configs get the seed's keys (`exp_config.resume=true
// logging_config.id=<id> exp_config.directory=<dir>`); others get Lightning's `ckpt_path=<ckpt>` when the config has
// that key, else the user's resume template (`--app-resume`, `bait.apps[].resume`) with {ckpt}, {dir} and {id}.
// Resume continues in the same directory as a new attempt; a fork is a new run whose parent is this one.
import { UserError } from '../run/errors.js';
import { appCheckpointDirs, readRunRecord, type RunRecord } from '../run/run_record.js';
import { quoteOverrideValue } from '../run/resume.js';
import { findLightningCheckpoints, pickCheckpoint, type LightningCheckpoint } from '../readers/lightning-checkpoints.js';
import { isLauncherOverride } from './command-line.js';
import type { AppRunOptions } from './supervise.js';
import { pathValue } from './plan.js';

const RESUME_KEYS = ['ckpt_path', 'exp_config.resume', 'exp_config.directory', 'logging_config.id', 'exp_config.resume_from',
  'exp_config.fork_from', 'hydra.run.dir'];

function keyOf(o: string): string {
  return o.replace(/^(\+\+|\+|~)/, '').split('=')[0]!.trim();
}

/** Splits override text at whitespace outside quotes; the quotes stay, for Hydra's parser. */
export function splitOverrideText(text: string): string[] {
  return text.match(/(?:[^\s'"]+|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")+/g) ?? [];
}

/** The resume template's words with {ckpt}, {dir} and {id} filled in, each value quoted for the override grammar. */
export function fillTemplate(template: string, values: { ckpt: string; dir: string; id: string }): string[] {
  return splitOverrideText(template).map((w) => w.replace(/\{(ckpt|dir|id)\}/g, (_m, k: keyof typeof values) => (k === 'id' ? quoteOverrideValue(values[k]) : pathValue(values[k]))));
}

/** The overrides that make the app continue from one of its checkpoints, in the app's own terms (see above). */
export function appResumeKeys(dir: string, record: RunRecord, opts: { from?: string; fork?: boolean; appResume?: string }):
    { keys: string[]; chosen: LightningCheckpoint } {
  const app = record.app!;
  const ckpts = findLightningCheckpoints(dir, appCheckpointDirs(dir, app), app.monitor, app.mode);
  const from = opts.from ?? 'last';
  const chosen = pickCheckpoint(ckpts, from);
  if (!chosen) {
    throw new UserError(ckpts.length
      ? `the run in ${dir} has no checkpoint '${from}'; it has ${ckpts.map((c) => c.name).join(', ')}`
      : `the run in ${dir} has no Lightning checkpoint (*.ckpt) yet, in ${[...appCheckpointDirs(dir, app), dir].join(' or ')}; start a new run instead`);
  }
  const template = opts.appResume ?? app.resume;
  const values = { ckpt: chosen.path, dir, id: record.id };
  let keys: string[];
  if (app.layout === 'bait' && !opts.fork) {
    keys = ['++exp_config.resume=true', `++logging_config.id=${quoteOverrideValue(record.id)}`, `++exp_config.directory=${pathValue(dir)}`,
      ...(from === 'last' ? [] : [`++exp_config.resume_from=${pathValue(chosen.path)}`])];
  } else if (app.ckpt_path_key) {
    keys = [`ckpt_path=${pathValue(chosen.path)}`];
  } else if (template) {
    keys = fillTemplate(template, values);
  } else if (app.layout === 'bait') {
    keys = [`++exp_config.fork_from=${pathValue(chosen.path)}`];
  } else {
    throw new UserError(`cannot tell how this app resumes: its config has no ckpt_path key and no resume template is set. ` +
      `Give one with --app-resume (e.g. --app-resume 'ckpt_path={ckpt}') or in the setting bait.apps.`);
  }
  return { keys, chosen };
}

export function appRelaunch(dir: string, record: RunRecord, opts: { from?: string; fork?: boolean; extra?: string[]; app?: string; appResume?: string }):
    { options: AppRunOptions; checkpoint: string } {
  const app = record.app!;
  const { keys, chosen } = appResumeKeys(dir, record, opts);
  const template = opts.appResume ?? app.resume;
  const kept = record.overrides.filter((o) => !RESUME_KEYS.includes(keyOf(o)) && !isLauncherOverride(o));
  const options: AppRunOptions = {
    app: opts.app ?? app.command, ...(template ? { appResume: template } : {}),
    configName: record.config_name, configDir: record.config_dir, workspaceDir: record.workspace_dir,
    overrides: opts.fork ? [...kept, ...(opts.extra ?? [])] : kept,
    extra: [...keys, ...(opts.fork ? [] : opts.extra ?? [])],
    ...(opts.fork ? { parent: { run: dir, checkpoint: chosen.name } } : { resumeDir: dir, resumedFrom: chosen.name }),
  };
  return { options, checkpoint: chosen.path };
}

/**
 * A launcher job (BAIT_JOB_DIR) whose directory already holds a stopped or interrupted attempt of this app with a
 * checkpoint: a resumed sweep, a requeued SLURM task, `bait resume` of a job on an SSH host. It continues from
 * `from` (default last) instead of starting over, as a job of the bundled runner does; a failed job starts over.
 */
export function jobContinuation(dir: string, from?: string): { keys: string[]; resumedFrom: string } | undefined {
  const record = readRunRecord(dir);
  if (!record?.app || (record.status !== 'stopped' && record.status !== 'running')) return undefined;
  try {
    const { keys, chosen } = appResumeKeys(dir, record, { ...(from ? { from } : {}) });
    return { keys, resumedFrom: chosen.name };
  } catch (e) {
    if (e instanceof UserError && !from) return undefined; // no checkpoint yet: the job starts over
    throw e;
  }
}
