// Picks and initialises the TensorFlow.js backend a run trains on (DESIGN.md section 6).
//
//   auto        tfjs-node(-gpu) when installed, else the embedded wasm backend
//   tensorflow  @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node (optional native packages; an error if absent)
//   wasm        the embedded default: WebAssembly with SIMD, the .wasm files beside the running bundle
//   cpu         pure JavaScript (slow; the reference for correctness)
//
// Lightning's accelerator names map onto these: `gpu`/`cuda` ask for tensorflow, `cpu` for the embedded default.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '../run/errors.js';
import { registerKernelFixes } from './kernels.js';

export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** The tfjs backend name in use: `tensorflow`, `wasm` or `cpu`. */
  name: string;
  /** What was asked for (after mapping Lightning's names). */
  requested: BackendChoice;
  /** The package or binary that provides it, for run.json. */
  detail: string;
  kernels: string[];
}

const WASM_FILE = 'tfjs-backend-wasm-simd.wasm';

/** Maps `trainer.accelerator` (ours or Lightning's) onto a backend choice; unknown names are a user error. */
export function backendChoice(accelerator: unknown): BackendChoice {
  if (accelerator === undefined || accelerator === null || accelerator === 'auto') return 'auto';
  if (accelerator === 'tensorflow' || accelerator === 'wasm' || accelerator === 'cpu') return accelerator;
  if (accelerator === 'gpu' || accelerator === 'cuda') return 'tensorflow';
  throw new UserError(
    `unknown accelerator ${JSON.stringify(accelerator)}; use one of auto, tensorflow, wasm, cpu (or Lightning's gpu)`,
    'trainer.accelerator',
  );
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

/** Initialises the backend once per process; a second call with another choice is an error. */
export async function initBackend(requested: BackendChoice): Promise<BackendInfo> {
  if (requested === 'tensorflow' && !(await tryNative())) throw tensorflowMissing();
  if (active) {
    if (active.requested !== requested) throw new Error(`backend already initialised as ${active.name}`);
    return active;
  }
  tf.env().set('PROD', true);
  let name: string;
  let detail: string;
  const native = requested === 'auto' || requested === 'tensorflow' ? await tryNative() : undefined;
  // tfjs-node registers its backend with the tfjs it was installed with; if that is not the runner's own copy,
  // the backend is not visible here, and `auto` falls back to wasm.
  const nativeReady = native !== undefined && tf.findBackendFactory('tensorflow') !== null &&
    (await tf.setBackend('tensorflow').catch(() => false));
  if (native && nativeReady) {
    name = 'tensorflow';
    detail = native;
  } else if (requested === 'tensorflow' && native) {
    throw new UserError(`${native} is installed but did not register with the runner's TensorFlow.js ` +
      `(${tf.version.tfjs}); install the matching version beside the runner, or use trainer.accelerator=wasm`, 'trainer.accelerator');
  } else if (requested === 'tensorflow') {
    throw tensorflowMissing();
  } else if (requested === 'cpu') {
    await quietly(() => tf.setBackend('cpu'));
    name = 'cpu';
    detail = '@tensorflow/tfjs-backend-cpu';
  } else {
    const folder = wasmFolder();
    setWasmPaths(folder.endsWith('/') ? folder : folder + '/');
    if (!(await tf.setBackend('wasm'))) throw new Error(`the wasm backend failed to start (binaries in ${folder})`);
    name = 'wasm';
    detail = `@tensorflow/tfjs-backend-wasm (${join(folder, WASM_FILE)})`;
  }
  await tf.ready();
  // Touch the backend once so its first-use notice (filtered above) is printed, and filtered, now.
  await quietly(async () => tf.tidy(() => tf.scalar(0)).dispose());
  const kernels = registerKernelFixes(name);
  active = { name, requested, detail, kernels };
  return active;
}
