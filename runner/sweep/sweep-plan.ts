// Job override lists from a sweep file.
//   grid:   the cartesian product of every parameter's values, first parameter varying slowest (like Hydra's
//           basic sweeper); continuous parameters are refused (a grid needs finite values).
//   random: `count` independent samples, seeded, so the same seed gives the same jobs.
//   bayes:  a Tree-structured Parzen Estimator (Bergstra et al., 2011), seeded. The first `startup` jobs are
//           random; after that the finished runs are split at the top quarter of the metric into "good" and
//           "bad", each parameter gets a density for both (value counts with a +1 prior for categorical
//           parameters; Gaussian kernels around the observed values, in log space for log distributions, for
//           numeric ones), 24 candidates are drawn from the good densities and the one with the highest
//           good/bad density ratio that has not run yet is proposed. It is simple, but it is a real model:
//           proposals move towards the values that produced the best metric.
import { elementToString } from '../config/overrides/format.js';
import { seededRandom } from '../config/overrides/sweep.js';
import { scalar, type ConfigNode } from '../config/nodes.js';
import type { SweepParameter, SweepSpec } from './sweep-file.js';
import { LauncherError } from '../launchers/errors.js';

/** One sampled point: parameter key -> value node. */
export type Point = Map<string, ConfigNode>;

export interface Observation {
  point: Point;
  /** The metric's value (W&B's summary value: the last one logged); undefined when the run failed. */
  value?: number;
}

export function pointToOverrides(point: Point): string[] {
  return [...point].map(([k, v]) => `${k}=${elementToString(v)}`);
}

function isDiscrete(p: SweepParameter): boolean {
  return p.distribution === 'categorical' || p.distribution === 'constant';
}

/** The number of grid points, or null when a parameter is continuous. */
export function gridSize(spec: SweepSpec): number | null {
  let n = 1;
  for (const p of spec.parameters) {
    if (p.distribution === 'int_uniform' && p.min !== undefined && p.max !== undefined) n *= p.max - p.min + 1;
    else if (isDiscrete(p)) n *= p.values.length;
    else return null;
  }
  return n;
}

function axis(p: SweepParameter): ConfigNode[] {
  if (isDiscrete(p)) return p.values;
  if (p.distribution === 'int_uniform') return Array.from({ length: p.max! - p.min! + 1 }, (_, i) => scalar('int', p.min! + i));
  throw new LauncherError(`grid sweep: parameter '${p.key}' is continuous (${p.distribution}); give it \`values\`, or use method: random or bayes`);
}

export function gridPoints(spec: SweepSpec): Point[] {
  let points: Point[] = [new Map()];
  for (const p of spec.parameters) {
    const vs = axis(p);
    points = points.flatMap((pt) => vs.map((v) => new Map([...pt, [p.key, v]])));
  }
  return points;
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

function quantize(x: number, q: number | undefined): number {
  return q ? Math.round(x / q) * q : x;
}

function numberNode(p: SweepParameter, x: number): ConfigNode {
  // exp(log(max)) can land a rounding error above max; keep samples inside the declared range.
  const clamped = p.distribution !== 'log_uniform' && p.min !== undefined && p.max !== undefined ? Math.min(p.max, Math.max(p.min, x)) : x;
  return p.integer ? scalar('int', Math.round(clamped)) : scalar('float', clamped);
}

/** Maps a parameter to the space its prior is uniform or Gaussian in (log space for log distributions). */
function toModelSpace(p: SweepParameter, x: number): number {
  return /log/.test(p.distribution) ? Math.log(Math.max(x, 1e-300)) : x;
}

function fromModelSpace(p: SweepParameter, y: number): number {
  const x = /log/.test(p.distribution) ? Math.exp(y) : y;
  return quantize(x, p.q);
}

function bounds(p: SweepParameter): [number, number] {
  if (p.distribution === 'log_uniform') return [p.min!, p.max!]; // W&B: min/max are already exponents
  if (p.min !== undefined && p.max !== undefined) return [toModelSpace(p, p.min), toModelSpace(p, p.max)];
  const mu = p.mu ?? 0;
  const s = p.sigma ?? 1;
  return [mu - 4 * s, mu + 4 * s];
}

export function sampleParameter(p: SweepParameter, rand: () => number): ConfigNode {
  if (isDiscrete(p)) return p.values[Math.floor(rand() * p.values.length)]!;
  switch (p.distribution) {
    case 'int_uniform':
      return scalar('int', p.min! + Math.floor(rand() * (p.max! - p.min! + 1)));
    case 'normal': case 'q_normal':
      return numberNode(p, quantize((p.mu ?? 0) + (p.sigma ?? 1) * gaussian(rand), p.q));
    case 'log_normal':
      return numberNode(p, Math.exp((p.mu ?? 0) + (p.sigma ?? 1) * gaussian(rand)));
    case 'inv_log_uniform_values': {
      const [lo, hi] = [Math.log(1 / p.max!), Math.log(1 / p.min!)];
      return numberNode(p, 1 / Math.exp(lo + rand() * (hi - lo)));
    }
    default: {
      const [lo, hi] = bounds(p);
      return numberNode(p, fromModelSpace(p, lo + rand() * (hi - lo)));
    }
  }
}

export function randomPoints(spec: SweepSpec, count: number, seed: number): Point[] {
  const rand = seededRandom(seed);
  return Array.from({ length: count }, () => new Map(spec.parameters.map((p) => [p.key, sampleParameter(p, rand)])));
}

function key(point: Point): string {
  return pointToOverrides(point).join('\u0000');
}

/** The model-space number of a node (for numeric parameters). */
function numeric(p: SweepParameter, n: ConfigNode): number {
  return toModelSpace(p, n.kind === 'scalar' ? Number(n.value) : NaN);
}

function kde(p: SweepParameter, xs: number[], bw: number, y: number): number {
  const [lo, hi] = bounds(p);
  const prior = 1 / Math.max(hi - lo, 1e-12);
  if (!xs.length) return prior;
  let s = 0;
  for (const x of xs) s += Math.exp(-0.5 * ((y - x) / bw) ** 2) / (bw * Math.sqrt(2 * Math.PI));
  return (s + prior) / (xs.length + 1);
}

/** Proposes the next `n` points of a bayes sweep from the observations so far (see the top of this file). */
export function bayesPropose(spec: SweepSpec, history: Observation[], n: number, seed: number, startup = Math.max(3, spec.parameters.length)): Point[] {
  const rand = seededRandom(seed + history.length * 7919);
  const goal = spec.metric?.goal ?? 'minimize';
  const scored = history.filter((h): h is Required<Observation> => typeof h.value === 'number' && Number.isFinite(h.value));
  const seen = new Set(history.map((h) => key(h.point)));
  const total = gridSize(spec);
  const out: Point[] = [];
  for (let i = 0; i < n; i++) {
    const exhausted = total !== null && seen.size >= total;
    let best: Point | null = null;
    if (scored.length < startup) {
      for (let tries = 0; tries < 100 && !best; tries++) {
        const pt = new Map(spec.parameters.map((p) => [p.key, sampleParameter(p, rand)]));
        if (exhausted || !seen.has(key(pt))) best = pt;
      }
    } else {
      const sorted = [...scored].sort((a, b) => (goal === 'maximize' ? b.value - a.value : a.value - b.value));
      const nGood = Math.max(1, Math.ceil(sorted.length * 0.25));
      const good = sorted.slice(0, nGood);
      const bad = sorted.slice(nGood);
      let bestScore = -Infinity;
      for (let c = 0; c < 24; c++) {
        const pt: Point = new Map();
        let score = 0;
        for (const p of spec.parameters) {
          if (isDiscrete(p)) {
            const k = p.values.length;
            const count = (obs: Observation[], v: ConfigNode) => obs.filter((o) => elementToString(o.point.get(p.key)!) === elementToString(v)).length;
            // Sample from the good distribution: each value weighted by (good count + 1).
            const weights = p.values.map((v) => count(good, v) + 1);
            let r = rand() * weights.reduce((a, b) => a + b, 0);
            let idx = 0;
            while (r >= weights[idx]! && idx < k - 1) r -= weights[idx++]!;
            const v = p.values[idx]!;
            pt.set(p.key, v);
            score += Math.log((count(good, v) + 1) / (good.length + k)) - Math.log((count(bad, v) + 1) / (bad.length + k));
          } else {
            const [lo, hi] = bounds(p);
            const bw = Math.max((hi - lo) * 0.15, 1e-9);
            const gx = good.map((o) => numeric(p, o.point.get(p.key)!));
            const bx = bad.map((o) => numeric(p, o.point.get(p.key)!));
            const centre = gx[Math.floor(rand() * gx.length)]!;
            const y = Math.min(hi, Math.max(lo, centre + bw * gaussian(rand)));
            const node = p.distribution === 'int_uniform' ? scalar('int', Math.round(y)) : numberNode(p, fromModelSpace(p, y));
            pt.set(p.key, node);
            const ym = numeric(p, node);
            score += Math.log(kde(p, gx, bw, ym)) - Math.log(kde(p, bx, bw, ym));
          }
        }
        if ((!seen.has(key(pt)) || exhausted) && score > bestScore) { bestScore = score; best = pt; }
      }
      // Every candidate had already run: fall back to an unseen random point.
      for (let tries = 0; tries < 100 && !best; tries++) {
        const pt = new Map(spec.parameters.map((p) => [p.key, sampleParameter(p, rand)]));
        if (exhausted || !seen.has(key(pt))) best = pt;
      }
    }
    if (!best) break;
    seen.add(key(best));
    out.push(best);
    // A point proposed in this batch counts as seen, without a value, so one batch does not repeat itself.
    history = [...history, { point: best }];
  }
  return out;
}

/** How many jobs a random or bayes sweep runs: the caller's count, else run_cap, else the grid size capped at 20. */
export function runCount(spec: SweepSpec, count?: number): number {
  if (count && count > 0) return count;
  if (spec.method === 'grid') return gridSize(spec) ?? 0;
  if (spec.runCap) return spec.runCap;
  return Math.min(gridSize(spec) ?? 20, 20);
}
