// Runs cases through real Hydra (test/infra/hydra_driver.py, a long-lived process per worker) and through our
// engine, and says where they differ: `--cfg job` YAML, `--cfg job --resolve` YAML, `hydra.runtime.choices`,
// and whether composition or resolution fails.

import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { printComposed } from '../../../runner/cli/print.js';
import { compose } from '../../../runner/config/compose.js';
import { toYaml } from '../../../runner/config/emit.js';
import { selectNode } from '../../../runner/config/apply-override.js';
import { DiskSource } from '../../../runner/disk-source.js';
import { renderFile, type DiffCase } from './generate.js';

export const DRIVER = join(import.meta.dirname, '..', '..', 'infra', 'hydra_driver.py');

export interface Outcome {
  error?: string;
  job?: string;
  choices?: string;
  resolved?: string;
  resolve_error?: string;
}

/** Writes a case's config tree under `dir` (replacing what was there). */
export function materialize(c: DiffCase, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [path, f] of Object.entries(c.files)) {
    const p = join(dir, path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, renderFile(f));
  }
  mkdirSync(dir, { recursive: true });
}

/** Real Hydra's outcomes for cases already on disk, split over `workers` Python processes. */
export async function hydraOutcomes(python: string, cases: { dir: string; overrides: string[] }[], workers = 2): Promise<Outcome[]> {
  const chunks: { dir: string; overrides: string[] }[][] = Array.from({ length: workers }, () => []);
  const size = Math.ceil(cases.length / workers);
  cases.forEach((c, i) => chunks[Math.floor(i / size)]!.push(c));
  const parts = await Promise.all(chunks.filter((c) => c.length).map((chunk) => runDriver(python, chunk)));
  return parts.flat();
}

function runDriver(python: string, cases: { dir: string; overrides: string[] }[]): Promise<Outcome[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(python, [DRIVER], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, HYDRA_FULL_ERROR: '0' } });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => {
      const lines = out.split('\n').filter((l) => l.trim());
      if (code !== 0 || lines.length !== cases.length) {
        reject(new Error(`hydra driver exited ${code} after ${lines.length}/${cases.length} cases:\n${err.slice(-3000)}`));
        return;
      }
      resolve(lines.map((l) => JSON.parse(l) as Outcome));
    });
    p.stdin.end(cases.map((c) => JSON.stringify({ dir: c.dir, name: 'config', overrides: c.overrides })).join('\n') + '\n');
  });
}

/** Our outcome for a case on disk, as `bait run config --cfg job [--resolve]` computes it. */
export function ourOutcome(dir: string, overrides: string[]): Outcome {
  const r = compose({ source: new DiskSource(dir), configName: 'config', overrides });
  if (r.errors.length) return { error: `${r.errors[0]!.code}: ${r.errors[0]!.message}` };
  const cfg = r.config!;
  const job = printComposed(cfg, { which: 'job', resolve: false, json: false });
  const choices = selectNode(cfg, 'hydra.runtime.choices');
  const out: Outcome = { job: 'text' in job ? job.text : '', choices: choices?.kind === 'dict' ? toYaml(choices) : '' };
  const resolved = printComposed(cfg, { which: 'job', resolve: true, json: false }, {});
  if ('text' in resolved) out.resolved = resolved.text;
  else out.resolve_error = `${resolved.errors[0]!.code}: ${resolved.errors[0]!.message}`;
  return out;
}

/** The first way two outcomes differ, or null when they agree. Error texts may differ; failing or not may not. */
export function difference(hydra: Outcome, ours: Outcome): string | null {
  if (hydra.error !== undefined || ours.error !== undefined) {
    if (hydra.error !== undefined && ours.error !== undefined) return null;
    return hydra.error !== undefined ? `Hydra fails (${hydra.error}) but we compose` : `we fail (${ours.error}) but Hydra composes`;
  }
  if (hydra.job !== ours.job) return '--cfg job differs';
  if (hydra.choices !== ours.choices) return 'hydra.runtime.choices differs';
  if ((hydra.resolve_error === undefined) !== (ours.resolve_error === undefined)) {
    return hydra.resolve_error !== undefined ? `Hydra's --resolve fails (${hydra.resolve_error}) but ours does not` : `our --resolve fails (${ours.resolve_error}) but Hydra's does not`;
  }
  if (hydra.resolved !== ours.resolved) return '--cfg job --resolve differs';
  return null;
}
