// The GPU path that installs from npm: TensorFlow.js's WebGPU backend on Dawn's Node bindings (the `webgpu`
// package's prebuilt dawn.node). Dawn needs only the Vulkan loader and the GPU driver's Vulkan ICD: no CUDA, no
// download. Facts and pitfalls measured here are in notes/tfjs.md ("A GPU path that installs from npm").
//
// Everything that can go wrong before training (no bindings, no Vulkan loader, no adapter, only a software
// adapter, an adapter index that does not exist) is a UserError that says how to fix it, and GPU faults during
// training (out of memory, device lost, validation errors) are recorded here and turned into one by the trainer.
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '../run/errors.js';
import { type DeviceRequest, pickAdapter } from './devices.js';

/** What run.json and the run's first lines say about the adapter. */
export interface AdapterRecord {
  index: number;
  vendor: string;
  architecture: string;
  device: string;
  /** The driver's own description (on Vulkan: driver name and version). */
  driver: string;
  software: boolean;
}

// The parts of Dawn's bindings we use (types kept local: the package's own types describe a browser's GPU).
interface GpuAdapterInfo { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean }
interface GpuDevice {
  lost: Promise<{ reason?: string; message?: string }>;
  addEventListener(type: 'uncapturederror', f: (e: { error?: { message?: string; constructor?: { name?: string } } }) => void): void;
}
interface GpuAdapter {
  info: GpuAdapterInfo;
  limits: Record<string, number>;
  features: Set<string>;
  requestDevice(desc: object): Promise<GpuDevice>;
}
interface Gpu { requestAdapter(opts?: object): Promise<GpuAdapter | null | undefined> }
interface Dawn { create(flags: string[]): Gpu; globals: Record<string, unknown> }

const ENV_ALLOW_SOFTWARE = 'BAIT_ALLOW_SOFTWARE_GPU';
const VULKAN_LOADER = 'libvulkan.so.1';

/** Where dawn.node is: beside the bundle (the build copies it there), else in the installed `webgpu` package. */
export function dawnPath(): string | undefined {
  const besideBundle = join(__dirname, 'dawn.node');
  if (existsSync(besideBundle)) return besideBundle;
  try {
    const pkg = createRequire(__filename).resolve('webgpu/package.json');
    const arch = process.platform === 'darwin' ? 'universal' : process.arch;
    const p = join(dirname(pkg), 'dist', `${process.platform}-${arch}`, 'dawn.node');
    return existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the dynamic linker can find the Vulkan loader (dawn.node opens it at run time, not at load). */
export function vulkanLoaderFound(ldconfigOutput?: string, libDirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu']): boolean {
  if (process.platform !== 'linux') return true;
  const fromEnv = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  if ([...fromEnv, ...libDirs].some((d) => existsSync(join(d, VULKAN_LOADER)))) return true;
  const listing = ldconfigOutput ?? spawnSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8' }).stdout ?? '';
  return listing.includes(VULKAN_LOADER);
}

export function isSoftwareAdapter(info: GpuAdapterInfo): boolean {
  return info.isFallbackAdapter === true || info.architecture === 'software' ||
    /llvmpipe|lavapipe|swiftshader/i.test(`${info.device ?? ''} ${info.description ?? ''}`);
}

/**
 * Adapter names in the order Dawn enumerates them. The bindings select an adapter only by (a substring of) its
 * name and list them all when no name matches, so we ask for a name that cannot exist and read the list.
 */
export function parseAdapterList(message: string): string[] {
  const names: string[] = [];
  for (const m of message.matchAll(/^ \* backend: '[^']*', name: '(.*)'$/gm)) names.push(m[1]!);
  return names;
}

function loadDawn(): Dawn {
  const p = dawnPath();
  if (!p) {
    throw new UserError('the webgpu accelerator needs Dawn\'s Node bindings (the npm package `webgpu`, which ships ' +
      'a prebuilt dawn.node beside the runner bundle); rebuild the runner with `npm run build`, or use ' +
      'trainer.accelerator=wasm', 'trainer.accelerator');
  }
  try {
    return createRequire(__filename)(p) as Dawn;
  } catch (e) {
    throw new UserError(`Dawn's Node bindings (${p}) failed to load on this host (${(e as Error).message.split('\n')[0]}); ` +
      'they need glibc >= 2.34 on x86-64 or arm64 Linux, macOS or Windows; or use trainer.accelerator=wasm', 'trainer.accelerator');
  }
}

async function listAdapters(dawn: Dawn): Promise<string[]> {
  const probe = dawn.create(['adapter=\u0001bait-no-such-adapter']);
  try {
    const a = await probe.requestAdapter();
    return a ? [a.info.device ?? 'adapter'] : [];
  } catch (e) {
    return parseAdapterList(String((e as Error).message ?? e));
  }
}

// The adapter listing as a child process runs it: Dawn prints its notices (limits it clamps, a missing Vulkan
// loader) straight to the process's stderr, which `auto` must not leave in a CPU run's terminal.
const LIST_IN_CHILD = `const { create } = require(process.argv[1]);
create(['adapter=\\u0001bait-no-such-adapter']).requestAdapter().then(
  (a) => process.stdout.write(JSON.stringify(a ? [a.info.device || 'adapter'] : [])),
  (e) => process.stdout.write(JSON.stringify({ message: String(e && e.message || e) })));`;

/**
 * For `auto`: whether this host has a hardware adapter WebGPU may use (a software one counts when
 * BAIT_ALLOW_SOFTWARE_GPU=1), asked in a child process so a CPU run stays quiet; the reason when it has none.
 */
export function quietProbe(env: NodeJS.ProcessEnv): { usable: true } | { usable: false; reason: string } {
  const p = dawnPath();
  if (!p) return { usable: false, reason: 'Dawn\'s Node bindings (npm webgpu) are not beside the runner' };
  const r = spawnSync(process.execPath, ['-e', LIST_IN_CHILD, p], { encoding: 'utf8', timeout: 30_000, env });
  let names: string[];
  try {
    const out = JSON.parse(r.stdout) as string[] | { message: string };
    names = Array.isArray(out) ? out : parseAdapterList(out.message);
  } catch {
    return { usable: false, reason: `probing Dawn failed (${(r.stderr || r.error?.message || 'no output').trim().split('\n')[0]})` };
  }
  if (!names.length) return { usable: false, reason: vulkanLoaderFound() ? 'Vulkan found no GPU adapter' : 'no Vulkan loader (libvulkan.so.1)' };
  const hardware = names.filter((n) => !isSoftwareAdapter({ device: n }));
  if (!hardware.length && env[ENV_ALLOW_SOFTWARE] !== '1') {
    return { usable: false, reason: `the only GPU adapter is a software one (${names.join(', ')}; BAIT_ALLOW_SOFTWARE_GPU=1 allows it)` };
  }
  return { usable: true };
}

function noAdapter(): UserError {
  if (!vulkanLoaderFound()) {
    return new UserError(`no Vulkan loader (${VULKAN_LOADER}) on this host, so WebGPU sees no GPU. Install it ` +
      '(Debian/Ubuntu: apt install libvulkan1) together with the GPU driver\'s Vulkan support (NVIDIA\'s driver ships ' +
      'it; check with `vulkaninfo --summary`), or use trainer.accelerator=wasm', 'trainer.accelerator');
  }
  return new UserError('Vulkan found no GPU adapter on this host: the GPU driver\'s Vulkan ICD is missing or cannot ' +
    'reach the GPU (NVIDIA: /usr/share/vulkan/icd.d/nvidia_icd.json comes with the driver; in a container, expose ' +
    'the graphics capability, e.g. NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics). Check with ' +
    '`vulkaninfo --summary`, or use trainer.accelerator=wasm', 'trainer.accelerator');
}

export interface OpenedAdapter {
  record: AdapterRecord;
  notes: string[];
  /** Registers and starts tfjs's webgpu backend on this adapter. */
  start(): Promise<void>;
}

/**
 * Finds the adapter `devices` asks for. Software adapters are refused unless BAIT_ALLOW_SOFTWARE_GPU=1 (`refuse`
 * says how: an error for an explicit GPU request, undefined for `auto`, which then falls back to wasm).
 */
export async function openAdapter(req: DeviceRequest, env: NodeJS.ProcessEnv): Promise<OpenedAdapter | { unavailable: UserError }> {
  const dawn = loadDawn();
  const names = await listAdapters(dawn);
  if (!names.length) return { unavailable: noAdapter() };
  const { index, notes } = pickAdapter(req, names.length, env);
  const name = names[index]!;
  if (names.slice(0, index).some((n) => n.includes(name))) {
    notes.push(`adapters ${names.map((n, i) => `${i} '${n}'`).join(', ')}: Dawn selects an adapter by name, so adapter ` +
      `${index} cannot be told apart from an earlier one with the same name and this job uses the first of them`);
  }
  const gpu = dawn.create(names.length > 1 ? [`adapter=${name}`] : []);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { unavailable: noAdapter() };
  const info = adapter.info;
  const record: AdapterRecord = {
    index,
    vendor: info.vendor || 'unknown',
    architecture: info.architecture || 'unknown',
    device: info.device || name,
    driver: info.description || 'unknown',
    software: isSoftwareAdapter(info),
  };
  if (record.software && env[ENV_ALLOW_SOFTWARE] !== '1') {
    return {
      unavailable: new UserError(`the only GPU adapter WebGPU found is a software one (${describeAdapter(record)}), which ` +
        `trains slower than the wasm backend; set ${ENV_ALLOW_SOFTWARE}=1 to use it anyway (tests do), or use ` +
        'trainer.accelerator=wasm', 'trainer.accelerator'),
    };
  }
  return {
    record,
    notes,
    async start() {
      // tfjs's webgpu backend looks for navigator.gpu when it loads; in Node we provide Dawn's.
      Object.assign(globalThis, dawn.globals);
      (globalThis as { navigator?: unknown }).navigator = { gpu };
      const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
      // Its own factory would request an adapter again; ours uses the one chosen here, with the device's fault
      // reports wired to the trainer.
      tf.removeBackend('webgpu');
      const device = await adapter.requestDevice(deviceDescriptor(adapter));
      watchDevice(device);
      tf.registerBackend('webgpu', () => new WebGPUBackend(device as never, info as never), 3);
      if (!(await tf.setBackend('webgpu'))) throw new UserError(`the webgpu backend failed to start on ${describeAdapter(record)}`, 'trainer.accelerator');
    },
  };
}

/** The limits tfjs's own factory requests: the adapter's maxima, so large tensors fit. */
function deviceDescriptor(adapter: GpuAdapter): object {
  const keys = ['maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize',
    'maxBufferSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup'];
  const requiredLimits = Object.fromEntries(keys.map((k) => [k, adapter.limits[k]]));
  const requiredFeatures = ['timestamp-query', 'bgra8unorm-storage'].filter((f) => adapter.features.has(f));
  return { requiredLimits, requiredFeatures };
}

export function describeAdapter(r: AdapterRecord): string {
  return `adapter ${r.index}: ${r.device} (vendor ${r.vendor}, architecture ${r.architecture}, driver ${r.driver}` +
    `${r.software ? ', software' : ''})`;
}

// ---- faults during training -------------------------------------------------------------------------------------

let fault: string | undefined;

function watchDevice(device: GpuDevice): void {
  device.addEventListener('uncapturederror', (e) => {
    const kind = e.error?.constructor?.name ?? 'GPUError';
    // Dawn appends the objects the error invalidated on further lines; the first line is the cause.
    fault ??= `${kind}: ${(e.error?.message ?? 'unknown GPU error').trim().split('\n')[0]}`;
  });
  void device.lost.then((l) => {
    fault ??= `the GPU device was lost (${l.reason ?? 'unknown'}${l.message ? `: ${l.message}` : ''})`;
  });
}

/** A GPU fault reported since the backend started, as a UserError that says what to do; undefined when none. */
export function gpuFault(): UserError | undefined {
  if (!fault) return undefined;
  const oom = /out ?of ?memory|OutOfMemory|allocation/i.test(fault);
  return new UserError(oom
    ? `the GPU ran out of memory (${fault}); lower data_config.batch_size or the model size, or pick a GPU with more memory`
    : `the GPU reported an error and training cannot continue (${fault}); rerun with trainer.accelerator=wasm to ` +
      'check the model on the CPU, and report the error with the adapter shown at the start of the run',
  'trainer.accelerator');
}

/** tfjs's "kernel not registered" error as a UserError naming the op, else undefined. */
export function missingKernel(e: unknown): UserError | undefined {
  const m = /Kernel '([^']+)' not registered for backend '([^']+)'/.exec(String((e as Error)?.message ?? ''));
  if (!m) return undefined;
  return new UserError(`the ${m[2]} backend has no '${m[1]}' kernel, which this model uses; train it with ` +
    `trainer.accelerator=wasm (or cpu), or change the model to avoid that op`, 'trainer.accelerator');
}
