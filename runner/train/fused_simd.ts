// The WebAssembly SIMD module behind the fused training steps (fused_step.ts with the mean-pool and transformer
// encoders): one memory holding the parameters, their gradients, Adam's moments and the step's scratch, and every
// kernel the steps need over it: the embedding bag both ways (models/embedding_bag_simd.ts), matrix products four
// and eight lanes wide with fused multiply-adds where the process has them (backend/gemm_simd.ts), the gradient's sum of squares and Adam (adam_simd.ts). Nothing is
// copied between modules or into tensors per step.
import { F32, F64, I32, I32_ADD, I32_SHL, V128, type WasmFunc, f32x4, f32zero4, forLoop, func, get, i32c, load, loopBytes, moduleBytes,
  set, simd, store } from '../backend/wasm_asm.js';
import { type GemmKernels, gemmFuncs, gemmKernels, relaxedSimd } from '../backend/gemm_simd.js';
import { poolFunc, unpoolFunc } from '../models/embedding_bag_simd.js';
import { adamFunc, sumsqFunc } from './adam_simd.js';

const BAG = [I32, I32, I32, I32, I32, I32, I32, I32];

/** keepPositive(x, m, n): x[i] = m[i] > 0 ? x[i] : 0 for n floats (a multiple of 4): ReLU (m = x) and its gradient. */
function keepPositiveFunc(): number[] {
  const [X, M, N, I, END, ZERO] = [0, 1, 2, 3, 4, 5];
  const at = (base: number) => [...get(base), ...get(I), ...I32_ADD];
  return func([[2, I32], [1, V128]], [
    ...f32zero4, ...set(ZERO),
    ...get(N), ...i32c(2), ...I32_SHL, ...set(END),
    ...loopBytes(I, END, [...at(X), ...at(X), ...load(), ...get(ZERO), ...at(M), ...load(), ...f32x4.lt, ...V128_AND, ...store]),
  ]);
}
const V128_AND = simd(0x4e);

/**
 * sumRows(x, stride, n, width, out): out[j] = the sum over the n rows of x[t][j] (rows `stride` bytes apart, width a
 * multiple of 4 floats), added in row order in float32: the bias gradients. Rows are read in order, the sums stay
 * in `out` (in cache), where a product with a row of ones walked the columns of a matrix larger than the cache.
 */
function sumRowsFunc(): number[] {
  const [X, STRIDE, N, W, OUT, T, J, WB, P] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const at = (base: number) => [...get(base), ...get(J), ...I32_ADD];
  return func([[4, I32]], [
    ...get(W), ...i32c(2), ...I32_SHL, ...set(WB),
    ...i32c(0), ...set(J),
    ...loopBytes(J, WB, [...at(OUT), ...f32zero4, ...store]),
    ...i32c(0), ...set(T),
    ...get(X), ...set(P),
    ...forLoop(T, get(N), 1, [
      ...i32c(0), ...set(J),
      ...loopBytes(J, WB, [...at(OUT), ...at(OUT), ...load(), ...at(P), ...load(), ...f32x4.add, ...store]),
      ...get(P), ...get(STRIDE), ...I32_ADD, ...set(P),
    ]),
  ]);
}
const funcs = (fma: boolean): WasmFunc[] => [
  { name: 'pool', params: BAG, results: [], code: poolFunc() },
  { name: 'unpool', params: BAG, results: [], code: unpoolFunc() },
  ...gemmFuncs(fma),
  { name: 'adam', params: [I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32, F32, F32], results: [], code: adamFunc() },
  { name: 'sumsq', params: [I32, I32], results: [F64], code: sumsqFunc() },
  { name: 'keepPositive', params: [I32, I32, I32], results: [], code: keepPositiveFunc() },
  { name: 'sumRows', params: [I32, I32, I32, I32, I32], results: [], code: sumRowsFunc() },
];

type Bag = (data: number, ids: number, w: number, start: number, rows: number, dimBytes: number, mask: number, out: number) => void;

export interface FusedKernels extends GemmKernels {
  memory: WebAssembly.Memory;
  /** Whether the products fuse each multiply-add (backend/gemm_simd.ts relaxedSimd()). */
  fma: boolean;
  pool: Bag;
  unpool: Bag;
  adam(p: number, g: number, m: number, v: number, n: number, scale: number, limit: number, b1: number, b2: number,
    a1: number, a2: number, step: number, rc2: number, eps: number): void;
  sumsq(ptr: number, n: number): number;
  keepPositive(x: number, m: number, n: number): void;
  sumRows(x: number, strideBytes: number, n: number, width: number, out: number): void;
}

/**
 * Instantiates the module with `bytes` of memory to start with (it grows on demand); its products fuse each
 * multiply-add where this process can (the training steps' products; the tfjs path's batched matMul does not).
 */
export function fusedKernels(bytes: number): FusedKernels {
  const fma = relaxedSimd();
  const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(funcs(fma), Math.max(1, Math.ceil(bytes / 65536)))));
  const e = instance.exports as unknown as Omit<FusedKernels, 'memory'> & { mem: WebAssembly.Memory };
  return { memory: e.mem, fma, pool: e.pool, unpool: e.unpool, ...gemmKernels(instance.exports), adam: e.adam, sumsq: e.sumsq,
    keepPositive: e.keepPositive, sumRows: e.sumRows };
}
