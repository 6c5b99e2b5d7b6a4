// `bait resume <run-dir> [--from last|best|<checkpoint>] [--fork]`: the override list that relaunches a run with
// the seed's keys. Resume continues the same run directory as a new attempt; fork starts a new run from any
// checkpoint, whose run.json points back at its parent (the resume tree).
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { readIndex } from '../checkpoint/index_file.js';
import { chooseCheckpoint, describeBroken, fallbackNote } from '../checkpoint/store.js';
import { UserError } from './errors.js';
import { withQuotes } from '../config/overrides/format.js';
import { type RunRecord, checkpointDirOf, readRunRecord } from './run_record.js';

export interface ResumeOptions {
  /** `last` (default), `best` (by the run's ModelCheckpoint monitor), or a checkpoint name or folder path. */
  from?: 'last' | 'best' | string;
  fork?: boolean;
}

export interface Relaunch {
  configName: string;
  configDir: string;
  workspaceDir: string;
  overrides: string[];
  /** The checkpoint folder the relaunch starts from. */
  checkpoint: string;
  /** Why it is not the one asked for (a broken or missing `last`), for the user to see. */
  notes: string[];
}

const OWN_KEYS = ['exp_config.resume', 'exp_config.directory', 'logging_config.id', 'exp_config.resume_from', 'exp_config.fork_from'];

/** Quotes an override value when Hydra's grammar would not read it as one plain string. */
export function quoteOverrideValue(v: string): string {
  if (/^[A-Za-z0-9_/\-+.%*@?|]+$/.test(v) && !/^(true|false|null|[-+]?\d)/i.test(v)) return v;
  // Only backslashes before a quote are escapes in Hydra's quoted values; withQuotes doubles exactly those.
  return withQuotes(v, v.includes("'") && !v.includes('"') ? '"' : "'");
}

function overrideKey(o: string): string {
  return o.replace(/^(\+\+|\+|~)/, '').split('=')[0]!.trim();
}

/**
 * The run record of `runDir` and the verified folder of its checkpoint `from` (`last`, `best`, a name or a folder
 * path). A missing or broken `last` gives way to the newest valid checkpoint; `notes` says so, naming the broken.
 */
export function runCheckpoint(runDir: string, from: string): { dir: string; record: RunRecord; name: string; found: string; notes: string[] } {
  const dir = resolve(runDir);
  const record = readRunRecord(dir);
  if (!record) throw new UserError(`${dir} is not a run directory (no run.json); pick one from \`bait runs\``);
  const ckptDir = checkpointDirOf(dir, record);
  let name = from;
  if (name === 'best') {
    const best = readIndex(ckptDir).best;
    if (!best) throw new UserError(`the run in ${dir} has no best checkpoint (no ModelCheckpoint with a monitor saved one)`);
    name = best;
  }
  const path = isAbsolute(name) || name.includes('/') ? resolve(name) : join(ckptDir, name);
  const choice = chooseCheckpoint(dirname(path), basename(path), from === 'last');
  if (!choice.path) {
    const why = choice.broken.length ? ` (${describeBroken(choice.broken)})` : ` (looked in ${ckptDir})`;
    throw new UserError(`the run in ${dir} has no ${choice.broken.length ? 'valid' : 'complete'} checkpoint '${name}'${why}; ` +
      '`bait runs --json` lists the checkpoints of each run');
  }
  const note = fallbackNote(dirname(path), basename(path), choice, 'using');
  const notes = note ? [note] : [];
  return { dir, record, name, found: choice.path, notes };
}

export function resumeCommand(runDir: string, opts: ResumeOptions = {}): Relaunch {
  const { dir, record, name, found, notes } = runCheckpoint(runDir, opts.from ?? 'last');
  const kept = record.overrides.filter((o) => !OWN_KEYS.includes(overrideKey(o)));
  const overrides = opts.fork
    ? [...kept, `++exp_config.fork_from=${quoteOverrideValue(found)}`]
    : [
        ...kept,
        '++exp_config.resume=true',
        `++logging_config.id=${quoteOverrideValue(record.id)}`,
        `++exp_config.directory=${quoteOverrideValue(dir)}`,
        ...(name === 'last' && !notes.length ? [] : [`++exp_config.resume_from=${quoteOverrideValue(found)}`]),
      ];
  return { configName: record.config_name, configDir: record.config_dir, workspaceDir: record.workspace_dir, overrides, checkpoint: found, notes };
}
