// Reads one run directory or one sweep directory into plain records. Everything here tolerates a runner that is
// writing at the same moment: a missing or torn file becomes a `problems` entry, never an exception.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { appRunGone, isAppRunDir, readAppCheckpoints } from './app-run.js';
import type { AttemptInfo, CheckpointInfo, RunRecord, RunStatus, SweepJob, SweepRecord } from './model.js';

const STATUSES: ReadonlySet<string> = new Set(['running', 'completed', 'failed', 'stopped']);

function status(v: unknown): RunStatus {
  return typeof v === 'string' && STATUSES.has(v) ? (v as RunStatus) : 'unknown';
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Parses a JSON file into an object, or returns a readable problem. */
export function readJsonFile(file: string): { value?: Record<string, unknown>; problem?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { problem: `${basename(file)} is missing` };
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return { value: value as Record<string, unknown> };
    return { problem: `${file}: expected a JSON object` };
  } catch (e) {
    return { problem: `${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
}

/** Overrides as `key=value` strings, from run.json or else from Hydra's .hydra/overrides.yaml (a YAML list). */
function readOverrides(dir: string, fromJson: unknown): string[] {
  if (Array.isArray(fromJson)) return fromJson.filter((o): o is string => typeof o === 'string');
  try {
    const text = readFileSync(join(dir, '.hydra/overrides.yaml'), 'utf8');
    // Hydra writes one `- item` per line; its items are plain or single-quoted override strings.
    return text.split('\n').filter((l) => l.startsWith('- ')).map((l) => {
      const v = l.slice(2).trim();
      return v.startsWith("'") && v.endsWith("'") ? v.slice(1, -1).replace(/''/g, "'") : v;
    });
  } catch {
    return [];
  }
}

function readAttempts(raw: unknown): AttemptInfo[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((a, i) => {
    const o = (a && typeof a === 'object' ? a : {}) as Record<string, unknown>;
    return {
      index: i + 1,
      started: str(o.started),
      ended: str(o.ended),
      status: status(o.status),
      // The runner writes the checkpoint's path inside the run (`checkpoints/last`); its name is what users see.
      resumedFrom: str(o.resumed_from)?.replace(/^checkpoints\//, ''),
    };
  });
}

function numberRecord(v: unknown): Record<string, number> | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'number' && Number.isFinite(x)) out[k] = x;
  return out;
}

function timeOf(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** Which attempt wrote a checkpoint when its manifest does not say: the last attempt that started before it. */
function attemptByTime(attempts: AttemptInfo[], mtimeMs: number): number | undefined {
  let found: number | undefined;
  for (const a of attempts) {
    const s = timeOf(a.started);
    if (s === undefined || s <= mtimeMs + 1000) found = a.index;
  }
  return found;
}

export function readCheckpoints(dir: string, attempts: AttemptInfo[], problems: string[]):
    { checkpoints: CheckpointInfo[]; monitor?: string; mode?: 'min' | 'max' } {
  const ckDir = join(dir, 'checkpoints');
  if (!existsSync(ckDir)) return { checkpoints: [] };
  const index = existsSync(join(ckDir, 'index.json')) ? readJsonFile(join(ckDir, 'index.json')) : {};
  if (index.problem) problems.push(index.problem);
  const idx = index.value ?? {};
  const bestK = (idx.best_k && typeof idx.best_k === 'object' ? idx.best_k : {}) as Record<string, unknown>;
  const mode = idx.mode === 'max' ? 'max' : idx.mode === 'min' ? 'min' : undefined;
  const last = str(idx.last);
  // The runner names the best checkpoint; for older indexes it is the best of best_k under the monitor's mode.
  let best: string | undefined = str(idx.best);
  for (const [name, score] of Object.entries(bestK)) {
    if (typeof score !== 'number' || str(idx.best)) continue;
    const cur = best === undefined ? undefined : (bestK[best] as number);
    if (cur === undefined || (mode === 'max' ? score > cur : score < cur)) best = name;
  }
  // The index may describe each checkpoint (step, epoch); manifests are the fallback.
  const described = new Map<string, Record<string, unknown>>();
  if (Array.isArray(idx.checkpoints)) {
    for (const c of idx.checkpoints) {
      if (c && typeof c === 'object' && typeof (c as { name?: unknown }).name === 'string') {
        described.set((c as { name: string }).name, c as Record<string, unknown>);
      }
    }
  }
  const checkpoints: CheckpointInfo[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(ckDir, { withFileTypes: true })
      // `<name>.tmp` folders are checkpoints being written (or whose writing was interrupted): never valid.
      .filter((d) => d.isDirectory() && !d.name.endsWith('.tmp'))
      .map((d) => d.name);
  } catch {
    names = [];
  }
  for (const name of names) {
    const cdir = join(ckDir, name);
    if (!existsSync(join(cdir, 'manifest.json'))) continue;
    const manifest = readJsonFile(join(cdir, 'manifest.json')).value ?? {};
    const progress = (manifest.progress && typeof manifest.progress === 'object' ? manifest.progress : {}) as
      Record<string, unknown>;
    let mtimeMs = 0;
    try {
      mtimeMs = statSync(join(cdir, 'manifest.json')).mtimeMs;
    } catch { /* vanished while reading: keep 0 */ }
    const d = described.get(name) ?? {};
    checkpoints.push({
      name,
      dir: cdir,
      score: num(bestK[name]),
      isBest: name === best,
      isLast: name === last || (last === undefined && name === 'last'),
      step: num(d.step) ?? num(manifest.step) ?? num(manifest.global_step) ?? num(progress.step) ?? num(progress.global_step),
      epoch: num(d.epoch) ?? num(manifest.epoch) ?? num(progress.epoch),
      attempt: num(manifest.attempt) ?? attemptByTime(attempts, mtimeMs),
      mtimeMs,
    });
  }
  // Oldest first, so trees and graphs read left to right in time.
  checkpoints.sort((a, b) => (a.step ?? Infinity) - (b.step ?? Infinity) || a.mtimeMs - b.mtimeMs ||
    a.name.localeCompare(b.name));
  return { checkpoints, monitor: str(idx.monitor), mode };
}

/** BAIT's layout is runs/<experiment>/<name>/<date>/<time>: names come from the path when run.json has none. */
function namesFromPath(dir: string): { experiment: string; name: string } {
  const parts = resolve(dir).split('/').filter(Boolean);
  if (parts.length >= 4) return { experiment: parts[parts.length - 4], name: parts[parts.length - 3] };
  return { experiment: 'outputs', name: parts[parts.length - 1] ?? dir };
}

/** A run directory is one with run.json, or a plain Hydra output with .hydra/. */
export function isRunDir(dir: string): boolean {
  return existsSync(join(dir, 'run.json')) || existsSync(join(dir, '.hydra', 'config.yaml'));
}

export function isSweepDir(dir: string): boolean {
  return existsSync(join(dir, 'sweep.json')) || existsSync(join(dir, 'multirun.yaml'));
}

function resolveFrom(base: string, p: string): string {
  return isAbsolute(p) ? p : resolve(base, p);
}

export function readRun(dirIn: string): RunRecord {
  const dir = resolve(dirIn);
  const problems: string[] = [];
  const rj = existsSync(join(dir, 'run.json')) ? readJsonFile(join(dir, 'run.json')) : {};
  if (rj.problem) problems.push(rj.problem);
  const r = rj.value ?? {};
  const fromPath = namesFromPath(dir);
  const attempts = readAttempts(r.attempts);
  const gone = appRunGone(rj.value);
  if (gone) problems.push(gone);
  const ck = isAppRunDir(dir, rj.value) ? readAppCheckpoints(dir, r.app as Record<string, unknown> | undefined, attempts)
    : readCheckpoints(dir, attempts, problems);
  const parentRaw = (r.parent && typeof r.parent === 'object' ? r.parent : undefined) as Record<string, unknown> | undefined;
  const sweepRaw = (r.sweep && typeof r.sweep === 'object' ? r.sweep : undefined) as Record<string, unknown> | undefined;
  const parentRun = str(parentRaw?.run);
  return {
    dir,
    id: str(r.id) ?? basename(dir),
    experiment: str(r.experiment) ?? fromPath.experiment,
    name: str(r.name) ?? fromPath.name,
    configName: str(r.config_name),
    configDir: str(r.config_dir),
    overrides: readOverrides(dir, r.overrides),
    status: gone ? 'failed' : status(r.status),
    host: str(r.host),
    pid: num(r.pid),
    backend: str(r.backend),
    startedAt: str(r.started_at),
    endedAt: str(r.ended_at),
    attempts,
    parent: parentRun ? { run: parentRun, checkpoint: str(parentRaw?.checkpoint) ?? 'last' } : undefined,
    sweep: sweepRaw && str(sweepRaw.dir)
      ? { dir: resolveFrom(dir, str(sweepRaw.dir)!), jobNum: num(sweepRaw.job_num) ?? -1 } : undefined,
    checkpoints: ck.checkpoints,
    monitor: ck.monitor,
    mode: ck.mode,
    problems,
    finalMetrics: numberRecord(r.final_metrics),
    tags: Array.isArray(r.tags) ? r.tags.filter((t): t is string => typeof t === 'string') : [],
    notes: str(r.notes),
  };
}

export function readSweep(dirIn: string): SweepRecord {
  const dir = resolve(dirIn);
  const problems: string[] = [];
  const sj = existsSync(join(dir, 'sweep.json')) ? readJsonFile(join(dir, 'sweep.json')) : {};
  if (sj.problem) problems.push(sj.problem);
  const s = sj.value ?? {};
  const jobs: SweepJob[] = [];
  if (Array.isArray(s.jobs)) {
    for (const j of s.jobs) {
      const o = (j && typeof j === 'object' ? j : {}) as Record<string, unknown>;
      const st = o.status === 'pending' ? 'pending' : status(o.status);
      jobs.push({
        num: num(o.num) ?? jobs.length,
        overrides: Array.isArray(o.overrides) ? o.overrides.filter((x): x is string => typeof x === 'string') : [],
        status: st,
        dir: str(o.dir) ? resolveFrom(dir, str(o.dir)!) : undefined,
        error: str(o.error),
      });
    }
  }
  const fromPath = namesFromPath(dir);
  return {
    dir,
    experiment: str(s.experiment) ?? fromPath.experiment,
    name: str(s.name) ?? fromPath.name,
    configName: str(s.config_name),
    configDir: str(s.config_dir),
    jobs,
    problems,
  };
}

