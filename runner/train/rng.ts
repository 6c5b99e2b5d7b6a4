// The project's own seeded PRNG. Every random draw in training (weight init, batch order, dropout masks) is a pure
// function of (seed, purpose, counter), never Math.random, so the global step is the only RNG state a checkpoint
// needs: resuming at step k draws exactly what the uninterrupted run drew at step k.

/** A 32-bit hash of a list of numbers and strings (MurmurHash3's finaliser over an FNV-style fold). */
export function hash32(...parts: Array<number | string>): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const s = typeof p === 'number' ? `#${p}` : `$${p}`;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0x2f, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A small, fast generator (mulberry32) whose whole state is one 32-bit integer. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller; one value per call keeps the stream position simple). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** A generator for one purpose, derived from the run's seed: `rngFor(seed, 'epoch', 3)`. */
export function rngFor(seed: number, ...purpose: Array<number | string>): Rng {
  return new Rng(hash32(seed, ...purpose));
}

/** A Fisher-Yates permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/**
 * Parameter initialisation draws from one stream per model build, in construction order, like
 * `torch.manual_seed(seed)` before building a module. The trainer opens it around instantiation.
 */
let initStream: Rng | undefined;

export function withInitSeed<T>(seed: number, build: () => T): T {
  const saved = initStream;
  initStream = rngFor(seed, 'init');
  try {
    return build();
  } finally {
    initStream = saved;
  }
}

export function initRng(): Rng {
  // Outside a build (a model made by hand in a test) a fixed stream keeps results reproducible.
  if (!initStream) initStream = rngFor(0, 'init');
  return initStream;
}
