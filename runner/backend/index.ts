// Picks and initialises the TensorFlow.js backend a run trains on (DESIGN.md section 6).
//
//   auto        tfjs-node(-gpu) when installed, else WebGPU on a real (hardware) adapter, else embedded wasm
//   gpu, cuda   tfjs-node-gpu when installed, else WebGPU on a real adapter; an error when neither exists
//   webgpu      WebGPU through Dawn (backend/webgpu.ts); an error without a usable adapter
//   tensorflow  @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node (optional native packages; an error if absent)
//   wasm        the embedded default: WebAssembly with SIMD, the .wasm files beside the running bundle
//   cpu         pure JavaScript (slow; the reference for correctness)
//
// A software GPU adapter (Mesa's lavapipe, SwiftShader) is refused unless BAIT_ALLOW_SOFTWARE_GPU=1: it trains
// slower than wasm, and a researcher asking for a GPU must not silently get one. The run's first lines and
// run.json say which backend and adapter were picked, and why.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '../run/errors.js';
import { type DeviceRequest, parseDevices } from './devices.js';
import { registerKernelFixes } from './kernels.js';
import { type AdapterRecord, describeAdapter, openAdapter, quietProbe } from './webgpu.js';

export type BackendChoice = 'auto' | 'gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** The tfjs backend name in use: `tensorflow`, `webgpu`, `wasm` or `cpu`. */
  name: string;
  /** What was asked for (after mapping Lightning's names). */
  requested: BackendChoice;
  /** The package or binary that provides it, for run.json. */
  detail: string;
  kernels: string[];
  /** Why this backend: the fallbacks taken on the way (`auto`), in one line. */
  reason: string;
  /** The GPU adapter, on webgpu. */
  adapter?: AdapterRecord;
  /** Things the user should know (devices beyond the first, an ambiguous adapter name). */
  notes: string[];
}

export const ACCELERATORS = ['auto', 'gpu', 'cuda', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;

const WASM_FILE = 'tfjs-backend-wasm-simd.wasm';

/** Maps `trainer.accelerator` (ours or Lightning's) onto a backend choice; unknown names are a user error. */
export function backendChoice(accelerator: unknown): BackendChoice {
  if (accelerator === undefined || accelerator === null || accelerator === 'auto') return 'auto';
  if (accelerator === 'cuda') return 'gpu';
  if (typeof accelerator === 'string' && (ACCELERATORS as readonly string[]).includes(accelerator)) return accelerator as BackendChoice;
  throw new UserError(`unknown accelerator ${JSON.stringify(accelerator)}; use one of ${ACCELERATORS.join(', ')}`, 'trainer.accelerator');
}

/** The folder that holds the wasm binaries: beside the bundle when bundled, else the package in node_modules. */
export function wasmFolder(): string {
  if (existsSync(join(__dirname, WASM_FILE))) return __dirname;
  const req = createRequire(__filename);
  return dirname(req.resolve('@tensorflow/tfjs-backend-wasm'));
}

let active: BackendInfo | undefined;

function tensorflowMissing(): UserError {
  return new UserError(
    'accelerator tensorflow (or gpu) needs @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node installed beside the ' +
      'runner (npm install @tensorflow/tfjs-node); or use trainer.accelerator=wasm',
    'trainer.accelerator',
  );
}

async function tryNative(): Promise<string | undefined> {
  // A computed require keeps esbuild from bundling the native addon; it stays an optional install.
  const req = createRequire(__filename);
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      req(pkg);
      return pkg;
    } catch {
      // Not installed (the usual case on the embedded path): try the next one.
    }
  }
  return undefined;
}

async function quietly<T>(f: () => Promise<T>): Promise<T> {
  // tfjs prints an advertisement for tfjs-node on first use of the cpu backend; it is noise in a run log.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('looks like you are running TensorFlow.js')) return;
    warn(...args);
  };
  try {
    return await f();
  } finally {
    console.warn = warn;
  }
}

async function startWasm(): Promise<string> {
  const folder = wasmFolder();
  setWasmPaths(folder.endsWith('/') ? folder : folder + '/');
  if (!(await tf.setBackend('wasm'))) throw new Error(`the wasm backend failed to start (binaries in ${folder})`);
  return `@tensorflow/tfjs-backend-wasm (${join(folder, WASM_FILE)})`;
}

interface Picked { name: string; detail: string; reason: string; adapter?: AdapterRecord; notes: string[] }

/**
 * Starts the backend `requested` resolves to. With `probeOnly`, starts nothing: it only throws the UserError that
 * says why a GPU backend is unavailable (used when another backend already runs in this process).
 */
async function pick(requested: BackendChoice, devices: DeviceRequest, env: NodeJS.ProcessEnv, probeOnly = false): Promise<Picked | undefined> {
  if (probeOnly && (requested === 'cpu' || requested === 'wasm' || requested === 'auto')) return undefined;
  if (requested === 'cpu') {
    await quietly(() => tf.setBackend('cpu'));
    return { name: 'cpu', detail: '@tensorflow/tfjs-backend-cpu', reason: 'asked for', notes: [] };
  }
  if (requested === 'wasm') return { name: 'wasm', detail: await startWasm(), reason: 'asked for', notes: [] };
  const reasons: string[] = [];
  if (requested === 'auto' || requested === 'gpu' || requested === 'tensorflow') {
    const native = await tryNative();
    if (probeOnly && native) return undefined;
    // tfjs-node registers its backend with the tfjs it was installed with; if that is not the runner's own copy,
    // the backend is not visible here.
    const ready = native !== undefined && tf.findBackendFactory('tensorflow') !== null &&
      (await tf.setBackend('tensorflow').catch(() => false));
    if (native && ready) return { name: 'tensorflow', detail: native, reason: requested === 'tensorflow' ? 'asked for' : `${native} is installed`, notes: [] };
    if (requested === 'tensorflow' && native) {
      throw new UserError(`${native} is installed but did not register with the runner's TensorFlow.js ` +
        `(${tf.version.tfjs}); install the matching version beside the runner, or use trainer.accelerator=wasm`, 'trainer.accelerator');
    }
    if (requested === 'tensorflow') throw tensorflowMissing();
    reasons.push(native ? `${native} did not register` : 'tfjs-node-gpu is not installed');
  }
  // auto, gpu, webgpu: WebGPU on a real adapter. `auto` asks quietly first, so a CPU-only host's run does not
  // load Dawn (nor show its notices) just to fall back to wasm.
  if (requested === 'auto') {
    const probe = quietProbe(env);
    if (!probe.usable) {
      if (probeOnly) return undefined;
      reasons.push(`no usable WebGPU adapter (${probe.reason})`);
      return { name: 'wasm', detail: await startWasm(), reason: reasons.join('; '), notes: [] };
    }
  }
  let opened: Awaited<ReturnType<typeof openAdapter>>;
  try {
    opened = await openAdapter(devices, env);
  } catch (e) {
    if (requested !== 'auto' || !(e instanceof UserError) || e.key === 'trainer.devices') throw e;
    opened = { unavailable: e };
  }
  if ('unavailable' in opened) {
    if (requested === 'gpu') {
      throw new UserError(`accelerator gpu found no GPU backend: @tensorflow/tfjs-node-gpu is not installed (on a CUDA ` +
        `host: npm install @tensorflow/tfjs-node-gpu beside the runner), and WebGPU cannot be used: ${opened.unavailable.detail}`,
      'trainer.accelerator');
    }
    if (requested !== 'auto') throw opened.unavailable;
    reasons.push(`no usable WebGPU adapter (${opened.unavailable.detail.split(/[;.] /)[0]})`);
    return { name: 'wasm', detail: await startWasm(), reason: reasons.join('; '), notes: [] };
  }
  if (probeOnly) return undefined;
  await opened.start();
  reasons.push(`using ${describeAdapter(opened.record)}`);
  return {
    name: 'webgpu', detail: '@tensorflow/tfjs-backend-webgpu on Dawn (npm webgpu)', reason: reasons.join('; '),
    adapter: opened.record, notes: opened.notes,
  };
}

/**
 * Initialises the backend once per process; a second call with another choice is an error. `devices` is
 * `trainer.devices` (the GPU adapter to use), `env` the environment that may restrict it (CUDA_VISIBLE_DEVICES).
 */
export async function initBackend(requested: BackendChoice, devices: unknown = 'auto', env: NodeJS.ProcessEnv = process.env): Promise<BackendInfo> {
  const request = parseDevices(devices);
  if (active) {
    if (active.requested === requested) return active;
    await pick(requested, request, env, true);
    throw new Error(`backend already initialised as ${active.name}`);
  }
  tf.env().set('PROD', true);
  const picked = (await pick(requested, request, env))!;
  await tf.ready();
  // Touch the backend once so its first-use notice (filtered above) is printed, and filtered, now.
  await quietly(async () => tf.tidy(() => tf.scalar(0)).dispose());
  const kernels = registerKernelFixes(picked.name);
  active = { ...picked, requested, kernels };
  return active;
}
