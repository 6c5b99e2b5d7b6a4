// A minimal WebAssembly encoder for the few instructions our SIMD kernels use (runner/train/adam_simd.ts,
// runner/models/embedding_bag_simd.ts, runner/train/fused_simd.ts): the modules are built here, byte by byte, from readable instruction lists,
// so there is no toolchain and no binary file to ship. Every module is validated by WebAssembly.Module on load.

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;

export function uleb(n: number): number[] {
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

export const get = (i: number) => [0x20, ...uleb(i)];
export const set = (i: number) => [0x21, ...uleb(i)];
export const tee = (i: number) => [0x22, ...uleb(i)];
export const i32c = (n: number) => [0x41, ...sleb(n)];

/** Signed LEB128 (i32.const's immediate): 64 and up need a second byte that uleb would not give them. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}
export const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
export const I32_ADD = [0x6a];
export const I32_SHL = [0x74];
export const I32_GE_U = [0x4f];
export const F32_NEG = [0x8c];
export const F64_ADD = [0xa0];
export const load = (offset = 0) => simd(0x00, 4, ...uleb(offset));
export const store = simd(0x0b, 4, 0);
/** v128.load32_splat: one float32 from memory into all four lanes. */
export const loadSplat = (offset = 0) => simd(0x09, 2, ...uleb(offset));
export const load64zero = (offset: number) => simd(0x5d, 3, ...uleb(offset));
export const V128_ANDNOT = simd(0x4f);
export const f32x4 = { splat: simd(0x13), abs: simd(0xe0), lt: simd(0x43), sqrt: simd(0xe3), add: simd(0xe4), sub: simd(0xe5), mul: simd(0xe6),
  div: simd(0xe7), min: simd(0xe8), max: simd(0xe9) };
export const f64x2 = { add: simd(0xf0), mul: simd(0xf2), promoteLow: simd(0x5f), lane: (i: number) => simd(0x21, i) };

/** `block { loop { if (i >= end) break; body; i += 16; continue } }` over byte offsets. */
export function loopBytes(i: number, end: number, body: number[]): number[] {
  return [0x02, 0x40, 0x03, 0x40, ...get(i), ...get(end), ...I32_GE_U, 0x0d, 1, ...body,
    ...get(i), ...i32c(16), ...I32_ADD, ...set(i), 0x0c, 0, 0x0b, 0x0b];
}

export function func(locals: Array<[number, number]>, body: number[]): number[] {
  const code = [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...body, 0x0b];
  return [...uleb(code.length), ...code];
}

export const I32_MUL = [0x6c];
/** i32.load / f32.load at `offset` bytes (4-byte aligned). */
export const i32load = (offset = 0) => [0x28, 2, ...uleb(offset)];
export const f32load = (offset = 0) => [0x2a, 2, ...uleb(offset)];
export const f32zero4 = [0x43, 0, 0, 0, 0, ...simd(0x13)];

/** `block { loop { if (i >= end) break; body; i += step; continue } }`. */
export function forLoop(i: number, end: number[], step: number, body: number[]): number[] {
  return [0x02, 0x40, 0x03, 0x40, ...get(i), ...end, ...I32_GE_U, 0x0d, 1, ...body,
    ...get(i), ...i32c(step), ...I32_ADD, ...set(i), 0x0c, 0, 0x0b, 0x0b];
}

export interface WasmFunc {
  name: string;
  params: number[];
  results: number[];
  /** The encoded body with its locals (from func()). */
  code: number[];
}

/** A module exporting `funcs` and its memory (`mem`, `pages` of 64 KiB, growable). */
export function moduleBytes(funcs: WasmFunc[], pages: number): Uint8Array<ArrayBuffer> {
  const types = section(1, vec(funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))])));
  const fsec = section(3, vec(funcs.map((_, i) => uleb(i))));
  const memory = section(5, vec([[0x00, ...uleb(pages)]]));
  const exports = section(7, vec([...funcs.map((f, i) => [...name(f.name), 0, ...uleb(i)]), [...name('mem'), 2, 0]]));
  const code = section(10, vec(funcs.map((f) => f.code)));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...fsec, ...memory, ...exports, ...code]);
}
