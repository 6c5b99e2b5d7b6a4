// The venv that test/setup/15-python.mjs makes (real hydra-core, lightning, wandb, tensorboard from PyPI on
// Debian's torch). Tests ask for it here so a missing venv skips loudly (or fails under CI=true) in one place.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './common.js';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const VENV = join(root, '.cache/venv');
export const VENV_PYTHON = join(VENV, 'bin/python');

/** The venv's python, or null (with the reason printed, or thrown under CI=true) when the venv is missing. */
export function venvPython(tier: string): string | null {
  if (existsSync(join(VENV, '.bait-pins')) && existsSync(VENV_PYTHON)) return VENV_PYTHON;
  const reason = `${tier}: .cache/venv is missing (test/setup/15-python.mjs makes it)`;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: this tier must not skip)`);
  console.warn(`\n*** SKIPPED ${reason} ***\n`);
  return null;
}

/** Runs a Python snippet in the venv and returns stdout (throws with stderr on failure). */
export function python(code: string, args: string[] = [], env?: NodeJS.ProcessEnv, timeoutMs = 120_000): string {
  const r = run(VENV_PYTHON, ['-c', code, ...args], { env: { ...process.env, ...env }, timeoutMs });
  if (r.code !== 0) throw new Error(`python failed (exit ${r.code}):\n${r.stderr}`);
  return r.stdout;
}
