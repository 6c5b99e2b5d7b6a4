// Finding `${...}` spans in a value's source text, for go-to-definition, hover and completion. The config
// engine resolves interpolations; this only needs where they are and which key path a plain one names.
import type { Range } from '../../runner/config/nodes.js';
import type { PathSegment } from './yaml-syntax.js';

export interface InterpolationSpan {
  /** Offsets of `$` and one past the closing `}` (or the text end when unclosed). */
  range: Range;
  /** The text between `${` and `}`. */
  inner: string;
  innerStart: number;
  closed: boolean;
  /** `oc.env` for `${oc.env:HOME}`; absent for a key reference. */
  resolver?: string;
}

/** All spans, outermost and nested, in source order of their start. `base` is the offset of `text` in its file. */
export function interpolationSpans(text: string, base = 0): InterpolationSpan[] {
  const out: InterpolationSpan[] = [];
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && text[i + 1] === '$') {
      i++;
      continue;
    }
    if (c === '$' && text[i + 1] === '{') {
      open.push(i);
      i++;
    } else if (c === '}' && open.length) {
      const s = open.pop()!;
      out.push(span(text, base, s, i + 1, true));
    }
  }
  for (const s of open) out.push(span(text, base, s, text.length, false));
  return out.sort((a, b) => a.range[0] - b.range[0]);
}

function span(text: string, base: number, s: number, e: number, closed: boolean): InterpolationSpan {
  const inner = text.slice(s + 2, closed ? e - 1 : e);
  const out: InterpolationSpan = { range: [base + s, base + e], inner, innerStart: base + s + 2, closed };
  const m = /^\s*([A-Za-z_][\w.-]*)\s*:/.exec(inner);
  if (m) out.resolver = m[1]!;
  return out;
}

/** The innermost span containing an offset. */
export function spanAt(spans: InterpolationSpan[], offset: number): InterpolationSpan | undefined {
  let best: InterpolationSpan | undefined;
  for (const s of spans) {
    if (offset >= s.range[0] && offset <= s.range[1] && (!best || s.range[0] >= best.range[0])) best = s;
  }
  return best;
}

/**
 * The absolute key path a plain reference names (`a.b`, `.x` relative to the node's parent, `..x` one more up;
 * `a[0]` and `a.0` index a list). `containerPath` is the path of the mapping that holds the interpolated value.
 * Returns undefined for resolver calls and nested interpolations.
 */
export function referencePath(inner: string, containerPath: readonly PathSegment[]): PathSegment[] | undefined {
  const ref = inner.trim();
  if (!ref || ref.includes('${') || /^[A-Za-z_][\w.-]*\s*:/.test(ref)) return undefined;
  let up = 0;
  while (up < ref.length && ref[up] === '.') up++;
  const rest = ref.slice(up);
  const segs: PathSegment[] = [];
  for (const part of rest.split('.')) {
    if (part === '') continue;
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    if (m[1]) segs.push(/^\d+$/.test(m[1]) ? m[1] : m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) segs.push(Number(idx[1]));
  }
  if (up === 0) return segs;
  // `.x` is relative to the containing node; every further dot goes one level up.
  const base = containerPath.slice(0, Math.max(0, containerPath.length - (up - 1)));
  return [...base, ...segs];
}

/**
 * The key argument of `${oc.select:key,default}` (a plain key, absolute or relative, which OmegaConf selects
 * from the interpolation's parent as it resolves `${key}`), with its offset in the file; undefined for other
 * resolvers and for computed keys (`${oc.select:${name},x}`).
 */
export function selectKey(span: InterpolationSpan): { text: string; start: number } | undefined {
  if (span.resolver !== 'oc.select') return undefined;
  const colon = span.inner.indexOf(':');
  const comma = span.inner.indexOf(',', colon);
  const text = span.inner.slice(colon + 1, comma < 0 ? span.inner.length : comma);
  if (!/^\s*\.*[\w-]+(\.[\w-]+|\[\d+\])*\s*$/.test(text)) return undefined;
  return { text, start: span.innerStart + colon + 1 };
}
