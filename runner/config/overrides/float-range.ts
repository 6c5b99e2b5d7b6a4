// range() over floats, exactly as Hydra steps it. Hydra's FloatRange converts start, stop and step to Python
// Decimals and adds the step with the default decimal context (28 significant digits, round-half-even), then
// prints float(start) for each job. Plain float addition would drift differently (0.30000000000000004 vs 0.3),
// and job lists must match Hydra's to the last digit, so this file carries a small decimal type.

/** coef * 10^exp, exactly. */
interface Dec {
  coef: bigint;
  exp: number;
}

const PRECISION = 28;

/** The exact decimal value of a finite double (Python's Decimal(float)). */
export function decFromNumber(x: number): Dec {
  let k = 0;
  let n = x;
  // Doubling is exact, and a finite double becomes an integer after at most 1074 doublings.
  while (!Number.isInteger(n)) {
    n *= 2;
    k++;
  }
  return { coef: BigInt(n) * 5n ** BigInt(k), exp: -k };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.exp, b.exp);
  return [a.coef * 10n ** BigInt(a.exp - e), b.coef * 10n ** BigInt(b.exp - e), e];
}

/** a + b rounded to 28 significant digits, half to even, like Python's default decimal context. */
export function decAdd(a: Dec, b: Dec): Dec {
  const [x, y, e] = align(a, b);
  let coef = x + y;
  let exp = e;
  const digits = (coef < 0n ? -coef : coef).toString().length;
  if (digits > PRECISION) {
    const drop = digits - PRECISION;
    const div = 10n ** BigInt(drop);
    const neg = coef < 0n;
    const abs = neg ? -coef : coef;
    let q = abs / div;
    const r = abs % div;
    const twice = r * 2n;
    if (twice > div || (twice === div && q % 2n === 1n)) q += 1n;
    coef = neg ? -q : q;
    exp += drop;
  }
  return { coef, exp };
}

export function decCompare(a: Dec, b: Dec): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** float(Decimal): JavaScript's decimal-string parsing is correctly rounded, as Python's is. */
export function decToNumber(d: Dec): number {
  return Number(`${d.coef}e${d.exp}`);
}

/**
 * The values of a float range, at most `limit` of them (callers pass one more than they accept to detect
 * overflow). Throws a plain Error for a zero step.
 */
export function floatRangeValues(start: number, stop: number, step: number, limit: number): number[] {
  const s = decFromNumber(step);
  const end = decFromNumber(stop);
  const zero = { coef: 0n, exp: 0 };
  const dir = decCompare(s, zero);
  if (dir === 0) throw new Error(`Invalid range values (start:${start}, stop:${stop}, step:${step}): the step must not be zero.`);
  const out: number[] = [];
  let cur = decFromNumber(start);
  while (out.length < limit && decCompare(cur, end) === -dir) {
    out.push(decToNumber(cur));
    cur = decAdd(cur, s);
  }
  return out;
}
