// Number formatting for charts and tables. Axis ticks get the fewest significant digits that keep neighbouring
// ticks distinct (no "0.002, 0.002, 0.001"), with SI-style suffixes for large values and exponents for tiny ones.

const SUFFIX: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];

/** One value with `digits` significant digits, trailing zeros dropped. */
export function formatNumber(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return v !== v ? '' : v > 0 ? '∞' : '-∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4) {
    for (const [scale, s] of SUFFIX) if (a >= scale) return `${plain(v / scale, digits)}${s}`;
  }
  if (a < 1e-3) {
    const [m, e] = v.toExponential(Math.max(0, digits - 1)).split('e');
    return `${String(Number(m))}e${Number(e)}`;
  }
  return plain(v, digits);
}

/** Rounded to `digits` significant digits, written without an exponent and without trailing zeros. */
function plain(v: number, digits: number): string {
  return String(Number(v.toPrecision(digits)));
}

/**
 * Tick labels: the fewest significant digits (1..12) at which every tick is written exactly (ticks are round
 * numbers), so neighbours never read the same and none is rounded to a wrong value.
 */
export function formatTicks(values: number[]): string[] {
  const finite = values.filter(Number.isFinite);
  const scale = Math.max(1e-300, ...finite.map(Math.abs));
  let digits = 1;
  while (digits < 12 && finite.some((v) => Math.abs(Number(v.toPrecision(digits)) - v) > scale * 1e-9)) digits++;
  return values.map((v) => formatNumber(v, digits));
}

/** A duration in seconds as `1h 02m`, `3m 05s`, `12s`. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}
