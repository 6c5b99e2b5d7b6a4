// Lightning checkpoints (`*.ckpt`) of a run that a Hydra app wrote: in the folders its ModelCheckpoint callbacks
// name (`dirpath`), and else anywhere under the run directory (Lightning's default is
// `<logger dir>/version_N/checkpoints`). The files are torch pickles; everything shown comes from their names
// (`epoch=3-step=40-val_acc=0.8125.ckpt`, `last.ckpt`, `last-v1.ckpt`) and times, which is what Lightning's
// `filename` templates put there. Plain file reads only: the runner's `bait runs` and the extension share it.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { findFiles } from './find-files.js';

export interface LightningCheckpoint {
  /** The file name without `.ckpt`. */
  name: string;
  path: string;
  mtimeMs: number;
  epoch?: number;
  step?: number;
  /** The monitored metric's value, read from the name when the name carries it. */
  score?: number;
  isLast: boolean;
  isBest: boolean;
}

/** `key=value` pairs of a Lightning checkpoint name (`epoch=3-val_acc=0.81`, `epoch_003` counts as epoch 3). */
export function nameFields(name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of name.matchAll(/([A-Za-z_][\w./]*?)=(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)(?=-|$|_v\d)/g)) out[m[1]!] = Number(m[2]);
  const epoch = /(?:^|[-_])epoch_(\d+)/.exec(name);
  if (epoch && out.epoch === undefined) out.epoch = Number(epoch[1]);
  return out;
}

/** Bytes of a checkpoint read for its counters: Lightning's dict starts with `epoch` and `global_step`. */
const HEAD_BYTES = 64 * 1024;
const counters = new Map<string, { stamp: string; value: { epoch?: number; step?: number } }>();

/**
 * The int stored under `key` in a pickle (protocol 2-4) of a dict with string keys: the key as BINUNICODE ('X', 4-byte
 * length) or SHORT_BINUNICODE (0x8c, 1-byte length), an optional memo opcode, then BININT1/BININT2/BININT/LONG1.
 */
export function pickledInt(buf: Buffer, key: string): number | undefined {
  const k = Buffer.from(key, 'utf8');
  for (const head of [Buffer.concat([Buffer.from([0x58]), Buffer.from(Uint32Array.of(k.length).buffer), k]), Buffer.concat([Buffer.from([0x8c, k.length]), k])]) {
    const at = buf.indexOf(head);
    if (at < 0) continue;
    let i = at + head.length;
    const op = () => buf[i];
    if (op() === 0x71) i += 2; // BINPUT
    else if (op() === 0x72) i += 5; // LONG_BINPUT
    else if (op() === 0x94) i += 1; // MEMOIZE
    if (i >= buf.length) return undefined;
    switch (op()) {
      case 0x4b: return i + 1 < buf.length ? buf.readUInt8(i + 1) : undefined; // BININT1
      case 0x4d: return i + 2 < buf.length ? buf.readUInt16LE(i + 1) : undefined; // BININT2
      case 0x4a: return i + 4 < buf.length ? buf.readInt32LE(i + 1) : undefined; // BININT
      case 0x8a: { // LONG1: n little-endian two's-complement bytes
        const n = buf[i + 1] ?? 0;
        if (n === 0 || n > 6 || i + 1 + n >= buf.length) return n === 0 ? 0 : undefined;
        return buf.readIntLE(i + 2, n);
      }
      default: return undefined;
    }
  }
  return undefined;
}

/**
 * The `epoch` and `global_step` a Lightning checkpoint holds, for names that do not carry them (`last.ckpt`,
 * custom filename templates). torch.save writes an uncompressed zip whose first entry is the pickled dict (or, in
 * the legacy format, the pickle itself), so the first bytes of the file hold both; cached by size and time.
 */
export function checkpointCounters(path: string): { epoch?: number; step?: number } {
  let stamp: string;
  try {
    const st = statSync(path);
    stamp = `${st.size}:${st.mtimeMs}`;
  } catch {
    return {};
  }
  const hit = counters.get(path);
  if (hit?.stamp === stamp) return hit.value;
  let value: { epoch?: number; step?: number } = {};
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(HEAD_BYTES);
      const head = buf.subarray(0, readSync(fd, buf, 0, HEAD_BYTES, 0));
      value = { epoch: pickledInt(head, 'epoch'), step: pickledInt(head, 'global_step') };
    } finally {
      closeSync(fd);
    }
  } catch { /* unreadable or being written: the name's fields only */ }
  counters.set(path, { stamp, value });
  return value;
}

/** Finds the run's checkpoints, oldest first; `best` is the best score under the monitor's mode (by name). */
export function findLightningCheckpoints(runDir: string, dirs: string[] = [], monitor?: string, mode: 'min' | 'max' = 'min'): LightningCheckpoint[] {
  // Lightning 2.1+ writes last.ckpt as a symbolic link to the newest top-k file when they are the same step.
  const isCkpt = (n: string) => n.endsWith('.ckpt');
  const files = new Set([...dirs.flatMap((d) => findFiles(resolve(d), 0, isCkpt)), ...findFiles(resolve(runDir), 4, isCkpt)]);
  const out: LightningCheckpoint[] = [];
  for (const path of files) {
    let mtimeMs = 0;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      continue; // pruned by save_top_k while we looked
    }
    const name = basename(path, '.ckpt');
    const f = nameFields(name);
    // Lightning replaces '/' in metric names inside file names; a monitor `val/acc` may appear as `val_acc`.
    const score = monitor ? f[monitor] ?? f[monitor.replace(/\//g, '_')] : undefined;
    const held = f.step === undefined || f.epoch === undefined ? checkpointCounters(path) : {};
    out.push({ name, path, mtimeMs, epoch: f.epoch ?? held.epoch, step: f.step ?? held.step, score, isLast: /^last(-v\d+)?$/.test(name), isBest: false });
  }
  let best: LightningCheckpoint | undefined;
  for (const c of out) {
    if (c.isLast || c.score === undefined) continue;
    if (!best || (mode === 'max' ? c.score > best.score! : c.score < best.score!)) best = c;
  }
  if (best) best.isBest = true;
  return out.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
}

/**
 * The checkpoint a resume continues from: `last` (Lightning's last.ckpt, the newest `last-vN` when there are
 * several, else the newest checkpoint), `best`, or a name or path.
 */
export function pickCheckpoint(ckpts: LightningCheckpoint[], from = 'last'): LightningCheckpoint | undefined {
  const newest = (xs: LightningCheckpoint[]) => xs.reduce<LightningCheckpoint | undefined>((a, c) => (!a || c.mtimeMs >= a.mtimeMs ? c : a), undefined);
  if (from === 'last') return newest(ckpts.filter((c) => c.isLast)) ?? newest(ckpts);
  if (from === 'best') return ckpts.find((c) => c.isBest);
  const abs = resolve(from);
  return ckpts.find((c) => c.path === abs || c.name === from || `${c.name}.ckpt` === from);
}
