// The WebAssembly SIMD module behind the fused mean-pool training step (fused_meanpool.ts): one memory holding the
// parameters, their gradients, Adam's moments and the step's scratch, and every kernel the step needs over it: the
// embedding bag both ways (models/embedding_bag_simd.ts), the classifier's matrix products (gemm below), the
// gradient's sum of squares and Adam (adam_simd.ts). Nothing is copied between modules or into tensors per step.
import { F32, F64, I32, I32_ADD, I32_MUL, V128, type WasmFunc, f32x4, f32zero4, forLoop, func, get, i32c, load, loadSplat,
  moduleBytes, set, store } from '../backend/wasm_asm.js';
import { poolFunc, unpoolFunc } from '../models/embedding_bag_simd.js';
import { adamFunc, sumsqFunc } from './adam_simd.js';

/**
 * gemm(A, aRow, aCol, B, bRow, C, cRow, M, K, NB): C[m][n] = sum_k A[m*aRow + k*aCol] * B[k*bRow + n] for m < M and
 * the NB/4 floats n of a row, every stride in bytes; `rows` rows of A per pass (M a multiple of it), four lanes of n
 * at a time (NB a multiple of 16 bytes). A's strides are free, so A may be read transposed (X^T in the weight gradient).
 * Each output is summed in k order, in float32.
 */
function gemmFunc(rows: number): number[] {
  const [A, AROW, ACOL, B, BROW, C, CROW, M, K, NB] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [MI, AR, CR, N, PA, PB, KI] = [10, 11, 12, 13, 14, 15, 16];
  const ACC = 17;
  const BV = ACC + rows;
  const plus = (base: number, stride: number, times: number) =>
    [...get(base), ...(times === 0 ? [] : [...get(stride), ...i32c(times), ...I32_MUL, ...I32_ADD])];
  const accs = Array.from({ length: rows }, (_, r) => r);
  const body = forLoop(MI, get(M), rows, [
    ...get(A), ...get(MI), ...get(AROW), ...I32_MUL, ...I32_ADD, ...set(AR),
    ...get(C), ...get(MI), ...get(CROW), ...I32_MUL, ...I32_ADD, ...set(CR),
    ...i32c(0), ...set(N),
    ...forLoop(N, get(NB), 16, [
      ...accs.flatMap((r) => [...f32zero4, ...set(ACC + r)]),
      ...get(AR), ...set(PA),
      ...get(B), ...get(N), ...I32_ADD, ...set(PB),
      ...i32c(0), ...set(KI),
      ...forLoop(KI, get(K), 1, [
        ...get(PB), ...load(), ...set(BV),
        ...accs.flatMap((r) => [...get(ACC + r), ...plus(PA, AROW, r), ...loadSplat(), ...get(BV), ...f32x4.mul, ...f32x4.add,
          ...set(ACC + r)]),
        ...get(PA), ...get(ACOL), ...I32_ADD, ...set(PA),
        ...get(PB), ...get(BROW), ...I32_ADD, ...set(PB),
      ]),
      ...accs.flatMap((r) => [...plus(CR, CROW, r), ...get(N), ...I32_ADD, ...get(ACC + r), ...store]),
    ]),
  ]);
  return func([[7, I32], [rows + 1, V128]], body);
}

const BAG = [I32, I32, I32, I32, I32, I32, I32, I32];
const FUNCS: WasmFunc[] = [
  { name: 'pool', params: BAG, results: [], code: poolFunc() },
  { name: 'unpool', params: BAG, results: [], code: unpoolFunc() },
  { name: 'gemm4', params: Array(10).fill(I32), results: [], code: gemmFunc(4) },
  { name: 'gemm1', params: Array(10).fill(I32), results: [], code: gemmFunc(1) },
  { name: 'adam', params: [I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32, F32, F32], results: [], code: adamFunc() },
  { name: 'sumsq', params: [I32, I32], results: [F64], code: sumsqFunc() },
];

type Bag = (data: number, ids: number, w: number, start: number, rows: number, dimBytes: number, mask: number, out: number) => void;
type Gemm = (a: number, aRow: number, aCol: number, b: number, bRow: number, c: number, cRow: number, m: number, k: number, nb: number) => void;

export interface MeanPoolKernels {
  memory: WebAssembly.Memory;
  pool: Bag;
  unpool: Bag;
  gemm4: Gemm;
  gemm1: Gemm;
  adam(p: number, g: number, m: number, v: number, n: number, scale: number, limit: number, b1: number, b2: number,
    a1: number, a2: number, step: number, rc2: number, eps: number): void;
  sumsq(ptr: number, n: number): number;
}

/** Instantiates the module with `bytes` of memory to start with (it grows on demand). */
export function meanPoolKernels(bytes: number): MeanPoolKernels {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(FUNCS, Math.max(1, Math.ceil(bytes / 65536)))));
  const e = instance.exports as unknown as Omit<MeanPoolKernels, 'memory'> & { mem: WebAssembly.Memory };
  return { memory: e.mem, pool: e.pool, unpool: e.unpool, gemm4: e.gemm4, gemm1: e.gemm1, adam: e.adam, sumsq: e.sumsq };
}

/**
 * C = A B with `m` rows of A (any count): four rows per pass, the rest one at a time. Strides in bytes, as gemm.
 */
export function matMul(k: MeanPoolKernels, a: number, aRow: number, aCol: number, b: number, bRow: number, c: number,
  cRow: number, m: number, inner: number, nb: number): void {
  const m4 = m & ~3;
  if (m4 > 0) k.gemm4(a, aRow, aCol, b, bRow, c, cRow, m4, inner, nb);
  if (m4 < m) k.gemm1(a + m4 * aRow, aRow, aCol, b, bRow, c + m4 * cRow, cRow, m - m4, inner, nb);
}
