// Adam's update and the gradient's sum of squares as WebAssembly SIMD (four float32 lanes at a time), in a small
// module built here, byte by byte, from the instruction list below (no toolchain, no binary file to ship).
//
// The plain JavaScript loop was ~30% of a bag-of-words training step on 2 cores: every parameter is updated every
// step (Adam decays the moments of rows the batch did not touch too), ~180k values, with a square root and a
// division each. The SIMD loop does four at a time in float32, as tfjs's own Adam kernels and torch do; IEEE
// float32 arithmetic with a fixed order, so the results are the same on every machine and run.

// ---- a minimal encoder for the instructions used ---------------------------------------------------------------

const I32 = 0x7f;
const F32 = 0x7d;
const F64 = 0x7c;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const bytes = [...Buffer.from(s, 'utf8')];
  return [...uleb(bytes.length), ...bytes];
}

const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const tee = (i: number) => [0x22, ...uleb(i)];
const i32c = (n: number) => [0x41, ...uleb(n)]; // small non-negative constants only (uleb == sleb below 64)
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const I32_ADD = [0x6a];
const I32_SHL = [0x74];
const I32_GE_U = [0x4f];
const F32_NEG = [0x8c];
const F64_ADD = [0xa0];
const load = (offset = 0) => simd(0x00, 4, ...uleb(offset));
const store = simd(0x0b, 4, 0);
const load64zero = (offset: number) => simd(0x5d, 3, ...uleb(offset));
const f32x4 = { splat: simd(0x13), sqrt: simd(0xe3), add: simd(0xe4), sub: simd(0xe5), mul: simd(0xe6),
  div: simd(0xe7), min: simd(0xe8), max: simd(0xe9) };
const f64x2 = { add: simd(0xf0), mul: simd(0xf2), promoteLow: simd(0x5f), lane: (i: number) => simd(0x21, i) };

/** `block { loop { if (i >= end) break; body; i += 16; continue } }` over byte offsets. */
function loopBytes(i: number, end: number, body: number[]): number[] {
  return [0x02, 0x40, 0x03, 0x40, ...get(i), ...get(end), ...I32_GE_U, 0x0d, 1, ...body,
    ...get(i), ...i32c(16), ...I32_ADD, ...set(i), 0x0c, 0, 0x0b, 0x0b];
}

function func(locals: Array<[number, number]>, body: number[]): number[] {
  const code = [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...body, 0x0b];
  return [...uleb(code.length), ...code];
}

// adam(p, g, m, v, n, scale, limit, b1, b2, a1, a2, step, rc2, eps): n float32s (a multiple of 4, 16-byte aligned
// arrays), g clipped to [-limit, limit] after scaling, then m, v and p updated in place as in tfjs's Adam.
function adamFunc(): number[] {
  const [P, G, M, V, N] = [0, 1, 2, 3, 4];
  const [I, END] = [14, 15];
  const [vScale, vLim, vNegLim, vB1, vB2, vA1, vA2, vStep, vRc2, vEps, gi, mi, vi] = [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28];
  const at = (base: number) => [...get(base), ...get(I), ...I32_ADD];
  const body = [
    ...get(5), ...f32x4.splat, ...set(vScale),
    ...get(6), ...f32x4.splat, ...set(vLim),
    ...get(6), ...F32_NEG, ...f32x4.splat, ...set(vNegLim),
    ...get(7), ...f32x4.splat, ...set(vB1),
    ...get(8), ...f32x4.splat, ...set(vB2),
    ...get(9), ...f32x4.splat, ...set(vA1),
    ...get(10), ...f32x4.splat, ...set(vA2),
    ...get(11), ...f32x4.splat, ...set(vStep),
    ...get(12), ...f32x4.splat, ...set(vRc2),
    ...get(13), ...f32x4.splat, ...set(vEps),
    ...get(N), ...i32c(2), ...I32_SHL, ...set(END),
    ...loopBytes(I, END, [
      // gi = clamp(g * scale, -limit, limit)
      ...at(G), ...load(), ...get(vScale), ...f32x4.mul, ...get(vLim), ...f32x4.min, ...get(vNegLim), ...f32x4.max, ...set(gi),
      // m = b1 * m + (1 - b1) * gi
      ...at(M), ...get(vB1), ...at(M), ...load(), ...f32x4.mul, ...get(vA1), ...get(gi), ...f32x4.mul, ...f32x4.add,
      ...tee(mi), ...store,
      // v = b2 * v + (1 - b2) * gi * gi
      ...at(V), ...get(vB2), ...at(V), ...load(), ...f32x4.mul, ...get(vA2), ...get(gi), ...f32x4.mul, ...get(gi),
      ...f32x4.mul, ...f32x4.add, ...tee(vi), ...store,
      // p = p - (lr / (1 - beta1^t)) * m / (sqrt(v / (1 - beta2^t)) + eps)
      ...at(P), ...at(P), ...load(), ...get(vStep), ...get(mi), ...f32x4.mul, ...get(vi), ...get(vRc2), ...f32x4.mul,
      ...f32x4.sqrt, ...get(vEps), ...f32x4.add, ...f32x4.div, ...f32x4.sub, ...store,
    ]),
  ];
  return func([[2, I32], [13, V128]], body);
}

// sumsq(ptr, n): the sum of squares of n float32s (a multiple of 4), accumulated in float64 in two pairs of lanes.
function sumsqFunc(): number[] {
  const [PTR, N, I, END, A, B, X] = [0, 1, 2, 3, 4, 5, 6];
  const square = (acc: number, offset: number) => [...get(PTR), ...get(I), ...I32_ADD, ...load64zero(offset),
    ...f64x2.promoteLow, ...tee(X), ...get(X), ...f64x2.mul, ...get(acc), ...f64x2.add, ...set(acc)];
  const body = [
    ...get(N), ...i32c(2), ...I32_SHL, ...set(END),
    ...loopBytes(I, END, [...square(A, 0), ...square(B, 8)]),
    ...get(A), ...get(B), ...f64x2.add, ...tee(A), ...f64x2.lane(0), ...get(A), ...f64x2.lane(1), ...F64_ADD,
  ];
  return func([[2, I32], [3, V128]], body);
}

function moduleBytes(pages: number): Uint8Array<ArrayBuffer> {
  const types = section(1, vec([
    [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [F32], [F32], [F32], [F32], [F32], [F32], [F32], [F32], [F32]]), 0],
    [0x60, ...vec([[I32], [I32]]), 1, F64],
  ]));
  const funcs = section(3, vec([[0], [1]]));
  const memory = section(5, vec([[0x00, ...uleb(pages)]]));
  const exports = section(7, vec([[...name('adam'), 0, 0], [...name('sumsq'), 0, 1], [...name('mem'), 2, 0]]));
  const code = section(10, vec([adamFunc(), sumsqFunc()]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...funcs, ...memory, ...exports, ...code]);
}

export interface SimdAdamKernels {
  /** The module's memory as float32s; arrays passed to the functions are views of it. */
  heap: Float32Array;
  adam(p: number, g: number, m: number, v: number, n: number, scale: number, limit: number, b1: number, b2: number,
    a1: number, a2: number, step: number, rc2: number, eps: number): void;
  sumsq(ptr: number, n: number): number;
}

/** Instantiates a module whose memory holds `floats` float32s (fixed size: views of it never detach). */
export function simdAdamKernels(floats: number): SimdAdamKernels {
  const pages = Math.max(1, Math.ceil((floats * 4) / 65536));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(pages)));
  const e = instance.exports as unknown as { mem: WebAssembly.Memory; adam: SimdAdamKernels['adam']; sumsq: SimdAdamKernels['sumsq'] };
  return { heap: new Float32Array(e.mem.buffer), adam: e.adam, sumsq: e.sumsq };
}
