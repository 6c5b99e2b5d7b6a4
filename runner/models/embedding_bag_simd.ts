// The embedding bag's forward and backward loops (embedding_bag.ts) as WebAssembly SIMD, four float32 lanes of
// the embedding at a time; the JavaScript loops were ~12% of a bag-of-words training step. The inputs are copied
// into this module's memory for each call (the table is ~300 KB: a memcpy), and the results copied out.
import { F32, I32, I32_ADD, I32_MUL, I32_SHL, V128, type WasmFunc, f32load, f32x4, f32zero4, forLoop, func, get, i32c,
  i32load, load, moduleBytes, set, store } from '../backend/wasm_asm.js';

// Parameters shared by both functions (byte addresses, and the embedding width in bytes).
const [DATA, IDS, W, START, ROWS, DIMB, MASK, OUT] = [0, 1, 2, 3, 4, 5, 6, 7];
const [R, K, K1, J, ROW] = [8, 9, 10, 11, 12];
const at4 = (base: number, index: number) => [...get(base), ...get(index), ...i32c(2), ...I32_SHL, ...I32_ADD];
/** The byte address of row ids[k] of the table at `base`. */
const tableRow = (base: number) => [...get(base), ...at4(IDS, K), ...i32load(), ...get(DIMB), ...I32_MUL, ...I32_ADD];
const bounds = [...at4(START, R), ...i32load(0), ...set(K), ...at4(START, R), ...i32load(4), ...set(K1)];
const rowPtr = (base: number) => [...get(base), ...get(ROW), ...I32_ADD, ...get(J), ...I32_ADD];

// pool(table, ids, w, start, rows, dimBytes, mask, out): out[r] = mask[r] * sum_k w[k] * table[ids[k]], k over row r.
export function poolFunc(): number[] {
  const ACC = 13;
  const body = forLoop(R, get(ROWS), 1, [
    ...get(R), ...get(DIMB), ...I32_MUL, ...set(ROW),
    ...i32c(0), ...set(J),
    ...forLoop(J, get(DIMB), 16, [
      ...f32zero4, ...set(ACC),
      ...bounds,
      ...forLoop(K, get(K1), 1, [
        ...get(ACC), ...at4(W, K), ...f32load(), ...f32x4.splat, ...tableRow(DATA), ...get(J), ...I32_ADD, ...load(),
        ...f32x4.mul, ...f32x4.add, ...set(ACC),
      ]),
      ...rowPtr(OUT), ...get(ACC), ...rowPtr(MASK), ...load(), ...f32x4.mul, ...store,
    ]),
  ]);
  return func([[5, I32], [1, V128]], body);
}

// unpool(dy, ids, w, start, rows, dimBytes, mask, grad): grad[ids[k]] += w[k] * (dy[r] * mask[r]); grad starts zeroed.
export function unpoolFunc(): number[] {
  const [DST, WK] = [13, 14];
  const body = forLoop(R, get(ROWS), 1, [
    ...get(R), ...get(DIMB), ...I32_MUL, ...set(ROW),
    ...bounds,
    ...forLoop(K, get(K1), 1, [
      ...at4(W, K), ...f32load(), ...f32x4.splat, ...set(WK),
      ...tableRow(OUT), ...set(DST),
      ...i32c(0), ...set(J),
      ...forLoop(J, get(DIMB), 16, [
        ...get(DST), ...get(J), ...I32_ADD,
        ...get(DST), ...get(J), ...I32_ADD, ...load(),
        ...get(WK), ...rowPtr(DATA), ...load(), ...rowPtr(MASK), ...load(), ...f32x4.mul, ...f32x4.mul,
        ...f32x4.add, ...store,
      ]),
    ]),
  ]);
  return func([[6, I32], [1, V128]], body);
}

const PARAMS = [I32, I32, I32, I32, I32, I32, I32, I32];
const FUNCS: WasmFunc[] = [
  { name: 'pool', params: PARAMS, results: [], code: poolFunc() },
  { name: 'unpool', params: PARAMS, results: [], code: unpoolFunc() },
];

type Fn = (data: number, ids: number, w: number, start: number, rows: number, dimBytes: number, mask: number, out: number) => void;

let instance: { mem: WebAssembly.Memory; pool: Fn; unpool: Fn } | undefined;

/** What one call needs, laid out in the module's memory: [data | ids | w | start | mask | out], 16-byte aligned. */
export interface BagCall {
  /** The table (forward) or the upstream gradient [rows, dim] (backward). */
  data: ArrayLike<number>;
  ids: Int32Array;
  weights: Float32Array;
  start: Int32Array;
  rows: number;
  dim: number;
  mask: Float32Array | undefined;
  /** Floats in the output: rows * dim (forward) or vocab * dim (backward). */
  outSize: number;
}

function run(which: 'pool' | 'unpool', c: BagCall): Float32Array {
  const align = (n: number) => Math.ceil(n / 4) * 4;
  const offs = [0];
  for (const n of [c.data.length, c.ids.length, c.weights.length, c.start.length, c.rows * c.dim]) offs.push(offs.at(-1)! + align(n));
  const bytes = (offs.at(-1)! + c.outSize) * 4;
  if (!instance) {
    const e = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(FUNCS, Math.ceil(bytes / 65536)))).exports;
    instance = e as unknown as NonNullable<typeof instance>;
  }
  const mem = instance.mem;
  if (mem.buffer.byteLength < bytes) mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / 65536));
  const f32 = new Float32Array(mem.buffer);
  const i32 = new Int32Array(mem.buffer);
  f32.set(c.data, offs[0]);
  i32.set(c.ids, offs[1]);
  f32.set(c.weights, offs[2]);
  i32.set(c.start, offs[3]);
  const mask = f32.subarray(offs[4]!, offs[4]! + c.rows * c.dim);
  if (c.mask) mask.set(c.mask);
  else mask.fill(1);
  const out = f32.subarray(offs[5]!, offs[5]! + c.outSize);
  if (which === 'unpool') out.fill(0);
  instance[which](offs[0]! * 4, offs[1]! * 4, offs[2]! * 4, offs[3]! * 4, c.rows, c.dim * 4, offs[4]! * 4, offs[5]! * 4);
  return out;
}

/**
 * Forward: [rows, dim] means (times the mask). `dim` must be a multiple of 4. The results of both functions are
 * views of the module's memory, valid until the next call: copy them (or hand them to a backend that copies).
 */
export function simdPool(c: BagCall): Float32Array {
  return run('pool', c);
}

/** Backward: the dense [vocab, dim] gradient of the table. */
export function simdUnpool(c: BagCall): Float32Array {
  return run('unpool', c);
}
