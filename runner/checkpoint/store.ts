// Checkpoints on disk (DESIGN.md section 5): `<dir>/<name>/manifest.json` + `tensors.bin`.
//
// A checkpoint is written into `<name>.tmp/` and renamed into place, so a crash mid-write leaves a `.tmp` that is
// never read. Replacing an existing checkpoint (`last`) moves the old one to `<name>.old/` first; if the process
// dies between the two renames, the loader falls back to `.old`, which is complete. The manifest records the size
// and SHA-256 of tensors.bin, and is written last, so a checkpoint without a matching manifest is not valid.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync,
  statSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { writeJsonAtomic } from '../run/atomic.js';

export const CHECKPOINT_FORMAT = 1;

export interface TensorEntry {
  name: string;
  /** `model`, `optimizer` (Adam's m and v) or `optimizer_state` (iterations, accBeta1, accBeta2). */
  group: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  offset: number;
  bytes: number;
}

export interface Manifest {
  format: number;
  name: string;
  created: string;
  tfjs_version: string;
  backend: string;
  /** The loop position after the last completed batch. */
  progress: { epoch: number; batch_in_epoch: number; global_step: number };
  rng: { seed: number; step: number };
  optimizer: { class: string; config: Record<string, number>; iterations: number };
  callbacks: Record<string, unknown>;
  metrics: Record<string, number>;
  /** Validation runs completed so far (callbacks behave differently before the first). */
  validation_count: number;
  config: unknown;
  /** The unresolved config (YAML, as .hydra/config.yaml): secrets from the environment stay `${oc.env:...}`. */
  config_unresolved?: string;
  /** A model whose state is not tensors (the trees of bait.models.GradientBoostedTrees), as JSON. */
  model_state?: unknown;
  tensors: TensorEntry[];
  tensors_bytes: number;
  tensors_sha256: string;
}

export interface TensorData {
  name: string;
  group: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  values: Float32Array | Int32Array;
}

export interface Checkpoint {
  manifest: Manifest;
  tensors: TensorData[];
}

function writeAndSync(path: string, chunks: Uint8Array[]): void {
  const fd = openSync(path, 'w');
  try {
    for (const c of chunks) writeSync(fd, c);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes a checkpoint atomically; `meta` is the manifest without the tensor table and digest. */
export function writeCheckpoint(dir: string, name: string, meta: Omit<Manifest, 'tensors' | 'tensors_bytes' |
  'tensors_sha256' | 'format' | 'name'>, tensors: TensorData[]): string {
  mkdirSync(dir, { recursive: true });
  const final = join(dir, name);
  const tmp = `${final}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const table: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  const hash = createHash('sha256');
  let offset = 0;
  for (const t of tensors) {
    const bytes = new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength);
    table.push({ name: t.name, group: t.group, dtype: t.dtype, shape: t.shape, offset, bytes: bytes.byteLength });
    chunks.push(bytes);
    hash.update(bytes);
    offset += bytes.byteLength;
  }
  writeAndSync(join(tmp, 'tensors.bin'), chunks);
  const manifest: Manifest = { format: CHECKPOINT_FORMAT, name, ...meta, tensors: table, tensors_bytes: offset,
    tensors_sha256: hash.digest('hex') };
  writeJsonAtomic(join(tmp, 'manifest.json'), manifest);
  const old = `${final}.old`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(final)) renameSync(final, old);
  renameSync(tmp, final);
  rmSync(old, { recursive: true, force: true });
  return final;
}

/** The manifest fields a checkpoint cannot be resumed without, and the type each must have. */
const REQUIRED: Array<[string, (v: unknown) => boolean]> = [
  ['progress', (v) => isObj(v) && ['epoch', 'batch_in_epoch', 'global_step'].every((k) => Number.isInteger((v as Record<string, unknown>)[k]))],
  ['rng', (v) => isObj(v) && Number.isFinite((v as Record<string, unknown>).seed) && Number.isFinite((v as Record<string, unknown>).step)],
  ['optimizer', (v) => isObj(v) && Number.isInteger((v as Record<string, unknown>).iterations)],
  ['tensors', (v) => Array.isArray(v)],
  ['tensors_bytes', (v) => Number.isInteger(v)],
  ['tensors_sha256', (v) => typeof v === 'string'],
];

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function manifestProblem(m: unknown): string | undefined {
  if (!isObj(m)) return 'manifest.json is not a JSON object';
  if (m.format !== CHECKPOINT_FORMAT) return `manifest.json has unknown checkpoint format ${JSON.stringify(m.format)}`;
  for (const [key, ok] of REQUIRED) {
    if (!(key in m)) return `manifest.json has no '${key}' (written by another tool or edited)`;
    if (!ok(m[key])) return `manifest.json has a malformed '${key}'`;
  }
  const size = m.tensors_bytes as number;
  // The writer lays the tensors out back to back; a table that skips or overlaps bytes was not written by it.
  let end = 0;
  for (const t of m.tensors as unknown[]) {
    const e = t as Partial<TensorEntry>;
    const shapeOk = Array.isArray(e.shape) && e.shape.every((d) => Number.isInteger(d) && d >= 0);
    if (!isObj(t) || typeof e.name !== 'string' || !Number.isInteger(e.offset) || !Number.isInteger(e.bytes) || e.offset! < 0 ||
      e.offset! + e.bytes! > size || !shapeOk || (e.dtype !== 'float32' && e.dtype !== 'int32') ||
      e.bytes !== 4 * e.shape!.reduce((a, b) => a * b, 1)) {
      return `manifest.json has a malformed tensor entry ${JSON.stringify(e.name ?? null)}`;
    }
    if (e.offset !== end) return `manifest.json's tensor table does not match tensors.bin (at ${JSON.stringify(e.name)})`;
    end += e.bytes!;
  }
  if (end !== size) return "manifest.json's tensor table does not cover tensors.bin";
  return undefined;
}

/**
 * Why a checkpoint folder is not a valid checkpoint, or undefined when it is. The quick check (listings) reads
 * the manifest and the size of tensors.bin; `verify` also compares tensors.bin with the manifest's SHA-256, as
 * every checkpoint is before it is used.
 */
export function checkpointProblem(path: string, opts: { verify?: boolean } = {}): string | undefined {
  const mf = join(path, 'manifest.json');
  const bin = join(path, 'tensors.bin');
  if (!existsSync(mf)) return 'manifest.json is missing (the checkpoint was not finished)';
  if (!existsSync(bin)) return 'tensors.bin is missing';
  let m: unknown;
  try {
    m = JSON.parse(readFileSync(mf, 'utf8'));
  } catch {
    return 'manifest.json is not valid JSON';
  }
  const bad = manifestProblem(m);
  if (bad) return bad;
  const manifest = m as Manifest;
  if (statSync(bin).size !== manifest.tensors_bytes) return 'tensors.bin has the wrong size (the write was interrupted or the file was cut)';
  if (opts.verify && sha256File(bin) !== manifest.tensors_sha256) return 'tensors.bin does not match the checksum in its manifest (corrupted)';
  return undefined;
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The folder of a checkpoint by name, falling back to `<name>.old` after a crash between renames. */
export function findCheckpoint(dir: string, name: string, opts: { verify?: boolean } = {}): string | undefined {
  for (const candidate of [join(dir, name), join(dir, `${name}.old`)]) {
    if (existsSync(candidate) && checkpointProblem(candidate, opts) === undefined) return candidate;
  }
  return undefined;
}

export interface CheckpointChoice {
  /** The verified checkpoint folder to use; undefined when none is valid. */
  path: string | undefined;
  /** Checkpoints that were looked at first and are broken, each with why (for the user to see). */
  broken: Array<{ name: string; problem: string }>;
}

/**
 * The checkpoint to resume from, verified (checksum included). `name` is tried first (and `<name>.old`, left by
 * a crash between the renames of a replace). With `fallback` (resuming from `last`, the default), a missing or
 * broken one gives way to the newest valid checkpoint of the folder by global step, e.g. the top-k checkpoint
 * written just before a kill in the middle of the first `last`.
 */
export function chooseCheckpoint(dir: string, name: string, fallback: boolean): CheckpointChoice {
  const broken: CheckpointChoice['broken'] = [];
  for (const candidate of [name, `${name}.old`]) {
    const p = join(dir, candidate);
    if (!existsSync(p)) continue;
    const problem = checkpointProblem(p, { verify: true });
    if (problem === undefined) return { path: p, broken };
    broken.push({ name: candidate, problem });
  }
  if (!fallback) return { path: undefined, broken };
  const others: Array<{ n: string; step: number }> = [];
  for (const n of checkpointFolders(dir)) {
    if (n === name) continue;
    const problem = checkpointProblem(join(dir, n));
    if (problem) broken.push({ name: n, problem });
    else others.push({ n, step: readManifest(join(dir, n)).progress.global_step });
  }
  others.sort((a, b) => b.step - a.step || a.n.localeCompare(b.n));
  for (const { n } of others) {
    const p = join(dir, n);
    const problem = checkpointProblem(p, { verify: true });
    if (problem === undefined) return { path: p, broken };
    broken.push({ name: n, problem });
  }
  return { path: undefined, broken };
}

/** What the user should read when the chosen checkpoint is not `name`: which were broken or missing, which is used. */
export function fallbackNote(dir: string, name: string, choice: CheckpointChoice, verb: string): string | undefined {
  if (!choice.path || choice.path === join(dir, name)) return undefined;
  const why = choice.broken.length ? `checkpoint ${describeBroken(choice.broken)}`
    : `there is no complete checkpoint '${name}' (the run was stopped while writing it)`;
  return `${why}; ${verb} '${relative(dir, choice.path)}' (step ${readManifest(choice.path).progress.global_step}), the newest valid one`;
}

/** Why nothing could be chosen, naming each broken checkpoint. */
export function describeBroken(broken: CheckpointChoice['broken']): string {
  return broken.map((b) => `'${b.name}': ${b.problem}`).join('; ');
}

export function readManifest(path: string): Manifest {
  return JSON.parse(readFileSync(join(path, 'manifest.json'), 'utf8')) as Manifest;
}

/** Reads and verifies a checkpoint folder (structure, size and SHA-256 of tensors.bin against the manifest). */
export function readCheckpoint(path: string): Checkpoint {
  const problem = checkpointProblem(path);
  if (problem) throw new CheckpointError(path, problem);
  const manifest = readManifest(path);
  const buf = readFileSync(join(path, 'tensors.bin'));
  const digest = createHash('sha256').update(buf).digest('hex');
  if (digest !== manifest.tensors_sha256) throw new CheckpointError(path, 'tensors.bin does not match the checksum in its manifest (corrupted)');
  const tensors = manifest.tensors.map((e) => {
    const copy = buf.buffer.slice(buf.byteOffset + e.offset, buf.byteOffset + e.offset + e.bytes);
    const values = e.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    return { name: e.name, group: e.group, dtype: e.dtype, shape: e.shape, values };
  });
  return { manifest, tensors };
}

/** A checkpoint that cannot be used; the message names the folder and the reason. */
export class CheckpointError extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(`the checkpoint ${path} cannot be used: ${problem}`);
    this.name = 'UserError';
  }
}

export function removeCheckpoint(dir: string, name: string): void {
  rmSync(join(dir, name), { recursive: true, force: true });
}

/** Checkpoint folders, valid or not (interrupted `.tmp` and leftover `.old` folders are not listed). */
function checkpointFolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.endsWith('.tmp') && !d.name.endsWith('.old'))
    .map((d) => d.name)
    .sort();
}

/** Valid checkpoints in a folder (by the quick check: manifest and size). */
export function listCheckpoints(dir: string): string[] {
  return checkpointFolders(dir).filter((n) => checkpointProblem(join(dir, n)) === undefined);
}
