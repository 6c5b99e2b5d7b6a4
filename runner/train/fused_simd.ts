// The WebAssembly SIMD module behind the fused training steps (fused_step.ts with the mean-pool and transformer
// encoders): one memory holding the parameters, their gradients, Adam's moments and the step's scratch, and every
// kernel the steps need over it: the embedding bag both ways (models/embedding_bag_simd.ts), matrix products four
// and eight lanes wide (backend/gemm_simd.ts), the gradient's sum of squares and Adam (adam_simd.ts). Nothing is
// copied between modules or into tensors per step.
import { F32, F64, I32, type WasmFunc, moduleBytes } from '../backend/wasm_asm.js';
import { GEMM_FUNCS, type GemmKernels, gemmKernels } from '../backend/gemm_simd.js';
import { poolFunc, unpoolFunc } from '../models/embedding_bag_simd.js';
import { adamFunc, sumsqFunc } from './adam_simd.js';

const BAG = [I32, I32, I32, I32, I32, I32, I32, I32];
const FUNCS: WasmFunc[] = [
  { name: 'pool', params: BAG, results: [], code: poolFunc() },
  { name: 'unpool', params: BAG, results: [], code: unpoolFunc() },
  ...GEMM_FUNCS,
  { name: 'adam', params: [I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32, F32, F32], results: [], code: adamFunc() },
  { name: 'sumsq', params: [I32, I32], results: [F64], code: sumsqFunc() },
];

type Bag = (data: number, ids: number, w: number, start: number, rows: number, dimBytes: number, mask: number, out: number) => void;

export interface FusedKernels extends GemmKernels {
  memory: WebAssembly.Memory;
  pool: Bag;
  unpool: Bag;
  adam(p: number, g: number, m: number, v: number, n: number, scale: number, limit: number, b1: number, b2: number,
    a1: number, a2: number, step: number, rc2: number, eps: number): void;
  sumsq(ptr: number, n: number): number;
}

/** Instantiates the module with `bytes` of memory to start with (it grows on demand). */
export function fusedKernels(bytes: number): FusedKernels {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(FUNCS, Math.max(1, Math.ceil(bytes / 65536)))));
  const e = instance.exports as unknown as Omit<FusedKernels, 'memory'> & { mem: WebAssembly.Memory };
  return { memory: e.mem, pool: e.pool, unpool: e.unpool, ...gemmKernels(instance.exports), adam: e.adam, sumsq: e.sumsq };
}
