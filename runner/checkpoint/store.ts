// Checkpoints on disk (DESIGN.md section 5): `<dir>/<name>/manifest.json` + `tensors.bin`.
//
// A checkpoint is written into `<name>.tmp/` and renamed into place, so a crash mid-write leaves a `.tmp` that is
// never read. Replacing an existing checkpoint (`last`) moves the old one to `<name>.old/` first; if the process
// dies between the two renames, the loader falls back to `.old`, which is complete. The manifest records the size
// and SHA-256 of tensors.bin, and is written last, so a checkpoint without a matching manifest is not valid.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync,
  statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
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

/** Why a checkpoint folder is not a valid checkpoint, or undefined when it is. */
export function checkpointProblem(path: string): string | undefined {
  const mf = join(path, 'manifest.json');
  const bin = join(path, 'tensors.bin');
  if (!existsSync(mf)) return 'manifest.json is missing (the checkpoint was not finished)';
  if (!existsSync(bin)) return 'tensors.bin is missing';
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(mf, 'utf8'));
  } catch {
    return 'manifest.json is not valid JSON';
  }
  if (m.format !== CHECKPOINT_FORMAT) return `unknown checkpoint format ${String(m.format)}`;
  if (statSync(bin).size !== m.tensors_bytes) return 'tensors.bin has the wrong size (the write was interrupted)';
  return undefined;
}

/** The folder of a checkpoint by name, falling back to `<name>.old` after a crash between renames. */
export function findCheckpoint(dir: string, name: string): string | undefined {
  for (const candidate of [join(dir, name), join(dir, `${name}.old`)]) {
    if (existsSync(candidate) && checkpointProblem(candidate) === undefined) return candidate;
  }
  return undefined;
}

export function readManifest(path: string): Manifest {
  return JSON.parse(readFileSync(join(path, 'manifest.json'), 'utf8')) as Manifest;
}

/** Reads and verifies a checkpoint folder (size and SHA-256 of tensors.bin against the manifest). */
export function readCheckpoint(path: string): Checkpoint {
  const problem = checkpointProblem(path);
  if (problem) throw new Error(`${path}: ${problem}`);
  const manifest = readManifest(path);
  const buf = readFileSync(join(path, 'tensors.bin'));
  const digest = createHash('sha256').update(buf).digest('hex');
  if (digest !== manifest.tensors_sha256) throw new Error(`${path}: tensors.bin does not match its manifest (corrupted)`);
  const tensors = manifest.tensors.map((e) => {
    const copy = buf.buffer.slice(buf.byteOffset + e.offset, buf.byteOffset + e.offset + e.bytes);
    const values = e.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    return { name: e.name, group: e.group, dtype: e.dtype, shape: e.shape, values };
  });
  return { manifest, tensors };
}

export function removeCheckpoint(dir: string, name: string): void {
  rmSync(join(dir, name), { recursive: true, force: true });
}

/** Valid checkpoints in a folder (interrupted `.tmp` and leftover `.old` folders are not listed). */
export function listCheckpoints(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.endsWith('.tmp') && !d.name.endsWith('.old'))
    .map((d) => d.name)
    .filter((n) => checkpointProblem(join(dir, n)) === undefined)
    .sort();
}
