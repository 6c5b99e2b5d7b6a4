// `trainer.devices` as Lightning reads it, turned into the one GPU adapter this runner trains on.
//
// Lightning accepts an int (how many devices; -1 all), a list of device indices, a string ("2" a count, "0,1" or
// "1," a list, "-1" all) or "auto". Indices count within CUDA_VISIBLE_DEVICES when it is set, as CUDA numbers
// them; the local launcher's one-GPU-per-job sets it, so a job asking for "the first device" gets its own GPU.
// This runner trains a job on one adapter: more than one device is accepted with a note.
import { UserError } from '../run/errors.js';

export interface DeviceRequest {
  /** Index among the devices the process may use (the first one asked for). */
  logical: number;
  /** How many devices the config asked for (for the note when it is more than one). */
  count: number | 'all';
}

function fail(v: unknown): never {
  throw new UserError(`must be an int (a count, -1 for all), a list of device indices, a string such as "0,1", ` +
    `or auto; got ${JSON.stringify(v)}`, 'trainer.devices');
}

/** Reads `trainer.devices` (undefined and null mean auto). */
export function parseDevices(v: unknown): DeviceRequest {
  if (v === undefined || v === null || v === 'auto') return { logical: 0, count: 1 };
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < -1 || v === 0) fail(v);
    return { logical: 0, count: v === -1 ? 'all' : v };
  }
  if (Array.isArray(v)) {
    if (!v.length || !v.every((x) => Number.isInteger(x) && (x as number) >= 0)) fail(v);
    return { logical: v[0] as number, count: v.length };
  }
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '-1') return { logical: 0, count: 'all' };
    if (s.includes(',')) {
      const ids = s.split(',').map((x) => x.trim()).filter((x) => x !== '');
      if (!ids.length || !ids.every((x) => /^\d+$/.test(x))) fail(v);
      return { logical: Number(ids[0]), count: ids.length };
    }
    if (/^\d+$/.test(s) && Number(s) > 0) return { logical: 0, count: Number(s) };
  }
  return fail(v);
}

/** CUDA_VISIBLE_DEVICES as a list of physical indices, or undefined when unset or not plain indices (UUIDs). */
export function visibleDevices(env: NodeJS.ProcessEnv): number[] | undefined {
  const raw = env.CUDA_VISIBLE_DEVICES;
  if (raw === undefined || raw.trim() === '') return undefined;
  const ids = raw.split(',').map((x) => x.trim());
  return ids.every((x) => /^\d+$/.test(x)) ? ids.map(Number) : undefined;
}

export interface AdapterPick {
  /** Index into the adapters the GPU API enumerates. */
  index: number;
  notes: string[];
}

/**
 * The adapter to use among `adapterCount` enumerated ones. With CUDA_VISIBLE_DEVICES set, logical index i is the
 * physical adapter visible[i]; a driver that already hides the other GPUs from Vulkan enumerates fewer adapters
 * than that index, and then the logical index is used as is.
 */
export function pickAdapter(req: DeviceRequest, adapterCount: number, env: NodeJS.ProcessEnv): AdapterPick {
  const notes: string[] = [];
  const visible = visibleDevices(env);
  if (req.count === 'all' || req.count > 1) {
    notes.push(`trainer.devices asks for ${req.count === 'all' ? 'all' : req.count} devices; this runner trains a job ` +
      'on one adapter (launch a sweep to use several GPUs: one job per GPU)');
  }
  if (visible && req.logical >= visible.length) {
    throw new UserError(`asks for device ${req.logical}, but CUDA_VISIBLE_DEVICES=${env.CUDA_VISIBLE_DEVICES} makes ` +
      `only ${visible.length} visible`, 'trainer.devices');
  }
  let index = visible ? visible[req.logical]! : req.logical;
  if (visible && index >= adapterCount && req.logical < adapterCount) index = req.logical;
  if (index >= adapterCount) {
    throw new UserError(`asks for GPU adapter ${index}, but this host has ${adapterCount} ` +
      `(${adapterCount === 1 ? 'index 0' : `indices 0-${adapterCount - 1}`})`, 'trainer.devices');
  }
  return { index, notes };
}
