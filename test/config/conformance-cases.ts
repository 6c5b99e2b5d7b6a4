// Loads the conformance corpus (expected results produced by real Hydra 1.3.2) copied into test/conformance.

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const CONFORMANCE = join(import.meta.dirname, '..', 'conformance');

export interface ComposeCase {
  name: string;
  dir: string;
  configDir: string;
  config_name: string | null;
  overrides: string[];
  version_base: '1.1' | null;
  env?: Record<string, string | null>;
  requires_structured_configs?: boolean;
  fixed_now?: string;
  expected_yaml?: string;
  expected_json?: unknown;
  expected_resolved_yaml?: string;
  expected_resolved_json?: unknown;
  expected_resolve_error?: { type: string; message: string };
  expected_error?: { type: string; message: string };
  warnings?: string[];
}

function readCase(dir: string, name: string, configDir: string): ComposeCase {
  const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'));
  return { ...c, name, dir, configDir };
}

export function hydraCases(kind: string): ComposeCase[] {
  const root = join(CONFORMANCE, 'hydra');
  return readdirSync(root)
    .filter((n) => existsSync(join(root, n, 'case.json')))
    .map((n) => readCase(join(root, n), n, join(root, n, 'configs')))
    .filter((c) => (c as unknown as { kind: string }).kind === kind);
}

export function baitCases(): ComposeCase[] {
  const root = join(CONFORMANCE, 'bait', 'cases');
  return readdirSync(root).map((n) => readCase(join(root, n), n, join(CONFORMANCE, 'bait', 'configs')));
}
