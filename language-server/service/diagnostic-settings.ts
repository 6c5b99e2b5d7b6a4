// `bait.diagnostics.<code>`: the user's severity for each diagnostic code (`off` hides it). Engine warnings
// carry no code of their own, so the one users most want to silence gets one here: `missing-self`.
import type { Diagnostic, Severity } from './types.js';

export type SeveritySetting = Severity | 'off';

const VALUES = new Set<SeveritySetting>(['off', 'hint', 'information', 'warning', 'error']);

/** The codes documented in package.json (contributes.configuration); any other code is accepted as well. */
export const DIAGNOSTIC_CODES = [
  'unknown-target', 'unknown-target-param', 'missing-target-param', 'target-not-callable', 'missing-self', 'warning',
  'missing-value', 'interpolation-key', 'sweep-unknown-key', 'missing-option', 'missing-config', 'yaml-syntax',
] as const;

/** Reads `{ code: severity }` from the client's settings, ignoring anything else. */
export function parseSeverities(raw: unknown): Map<string, SeveritySetting> {
  const out = new Map<string, SeveritySetting>();
  if (!raw || typeof raw !== 'object') return out;
  for (const [code, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value === 'string' && VALUES.has(value as SeveritySetting)) out.set(code, value as SeveritySetting);
  }
  return out;
}

/** The engine's "Defaults list is missing `_self_`" warning under its own code. */
export function withCode(d: Diagnostic): Diagnostic {
  return d.code === 'warning' && /missing `_self_`/.test(d.message) ? { ...d, code: 'missing-self' } : d;
}

export function applySeverities(diagnostics: Diagnostic[], severities: ReadonlyMap<string, SeveritySetting>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const raw of diagnostics) {
    const d = withCode(raw);
    const s = severities.get(d.code);
    if (s === 'off') continue;
    out.push(s ? { ...d, severity: s } : d);
  }
  return out;
}
