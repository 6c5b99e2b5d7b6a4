// Smoothing and downsampling for the metrics charts, as pure functions over typed arrays (no DOM), so they are
// tested in Node and timed in the benchmark. A chart never draws more points per run than it has pixels: each
// series is reduced with Largest-Triangle-Three-Buckets (LTTB), which keeps the visual shape (peaks, dips) that
// plain striding would drop.

/** Points of one series with finite x and y, sorted by x; a repeated x keeps the later row (a resumed attempt). */
export function validPoints(xs: ArrayLike<number | null>, ys: ArrayLike<number | null>, n = Math.min(xs.length, ys.length)):
    { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let m = 0;
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const xv = xs[i];
    const yv = ys[i];
    if (xv === null || yv === null || !Number.isFinite(xv) || !Number.isFinite(yv)) continue;
    if (m > 0 && xv <= x[m - 1]) sorted = false;
    x[m] = xv;
    y[m] = yv;
    m++;
  }
  if (sorted) return { x: x.subarray(0, m), y: y.subarray(0, m) };
  // A resumed run logs some steps again: sort by x (stable on row order) and keep the last row for each x.
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => x[a] - x[b] || a - b);
  const ox = new Float64Array(m);
  const oy = new Float64Array(m);
  let k = 0;
  for (const i of order) {
    if (k > 0 && ox[k - 1] === x[i]) k--;
    ox[k] = x[i];
    oy[k] = y[i];
    k++;
  }
  return { x: ox.subarray(0, k), y: oy.subarray(0, k) };
}

/**
 * Exponential moving average with debiasing (the same smoothing TensorBoard and W&B show): weight 0 is the raw
 * series, 0.99 is very smooth; early points are not pulled towards zero.
 */
export function smoothEma(y: Float64Array, weight: number): Float64Array {
  if (weight <= 0) return y;
  const w = Math.min(weight, 0.999);
  const out = new Float64Array(y.length);
  let last = 0;
  let norm = 0;
  for (let i = 0; i < y.length; i++) {
    last = last * w + (1 - w) * y[i];
    norm = norm * w + (1 - w);
    out[i] = last / norm;
  }
  return out;
}

/**
 * Largest-Triangle-Three-Buckets: the indices of at most `threshold` points that keep the series' shape. The first
 * and last points are always kept; each middle bucket keeps the point forming the largest triangle with the point
 * kept before it and the average of the next bucket.
 */
export function lttb(x: Float64Array, y: Float64Array, threshold: number): Uint32Array {
  const n = x.length;
  if (threshold >= n || threshold < 3) return Uint32Array.from({ length: n }, (_, i) => i);
  const out = new Uint32Array(threshold);
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  out[0] = 0;
  for (let i = 0; i < threshold - 2; i++) {
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += x[j];
      avgY += y[j];
    }
    const len = nextEnd - nextStart || 1;
    avgX /= len;
    avgY /= len;
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs((x[a] - avgX) * (y[j] - y[a]) - (x[a] - x[j]) * (avgY - y[a]));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out[i + 1] = best;
    a = best;
  }
  out[threshold - 1] = n - 1;
  return out;
}

export interface Series {
  x: Float64Array;
  y: Float64Array;
}

/**
 * Puts several series on one shared x column, as uPlot wants (one x array, one y array per series, null where a
 * series has no point). When the series' x values are few (runs of a sweep log the same steps) they are joined
 * exactly; otherwise each point moves to the nearest of `columns` evenly spaced x values, which at chart
 * resolution is less than a pixel.
 */
export function alignSeries(series: Series[], columns: number): { x: Float64Array; ys: (number | null)[][] } {
  let total = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const s of series) {
    total += s.x.length;
    if (s.x.length) {
      min = Math.min(min, s.x[0]);
      max = Math.max(max, s.x[s.x.length - 1]);
    }
  }
  if (total === 0) return { x: new Float64Array(0), ys: series.map(() => []) };
  const all = new Float64Array(total);
  let k = 0;
  for (const s of series) {
    all.set(s.x, k);
    k += s.x.length;
  }
  all.sort();
  let u = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[u - 1]) all[u++] = all[i];
  if (u <= columns * 2) {
    const xs = all.slice(0, u);
    const index = new Map<number, number>();
    xs.forEach((v, i) => index.set(v, i));
    const ys = series.map((s) => {
      const col = new Array<number | null>(u).fill(null);
      for (let i = 0; i < s.x.length; i++) col[index.get(s.x[i])!] = s.y[i];
      return col;
    });
    return { x: xs, ys };
  }
  const span = max - min || 1;
  const xs = new Float64Array(columns);
  for (let i = 0; i < columns; i++) xs[i] = min + (span * i) / (columns - 1);
  const ys = series.map((s) => {
    const col = new Array<number | null>(columns).fill(null);
    for (let i = 0; i < s.x.length; i++) col[Math.round(((s.x[i] - min) / span) * (columns - 1))] = s.y[i];
    return col;
  });
  return { x: xs, ys };
}
