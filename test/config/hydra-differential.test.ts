// The live differential tier: random config trees and override lists (test/config/differential/generate.ts),
// composed by real Hydra 1.3.2 (the test venv) and by our engine; `--cfg job`, `--cfg job --resolve`,
// `hydra.runtime.choices` and whether each fails must agree. A fixed seed runs every time, plus a fresh one that
// is printed; BAIT_DIFF_SEED=<n> reruns one seed, BAIT_DIFF_CASES=<n> sets the cases per seed. A difference
// fails the test and prints the smallest case that still differs (shrunk one part at a time).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { venvPython } from '../infra/python.js';
import { CaseGenerator, renderFile, rng, shrinkCandidates, type DiffCase } from './differential/generate.js';
import { difference, hydraOutcomes, materialize, ourOutcome, type Outcome } from './differential/compare.js';

const FIXED_SEED = 20261205;
const PER_SEED = Number(process.env.BAIT_DIFF_CASES ?? 600);

interface Found {
  c: DiffCase;
  why: string;
  hydra: Outcome;
  ours: Outcome;
}

/** Composes `cases` both ways; returns the ones that differ. */
async function differing(python: string, root: string, cases: DiffCase[]): Promise<Found[]> {
  const dirs = cases.map((c, i) => {
    const dir = join(root, `case-${i}`);
    materialize(c, dir);
    return dir;
  });
  const hydra = await hydraOutcomes(python, dirs.map((dir, i) => ({ dir, overrides: cases[i]!.overrides })));
  const found: Found[] = [];
  cases.forEach((c, i) => {
    const ours = ourOutcome(dirs[i]!, c.overrides);
    const why = difference(hydra[i]!, ours);
    if (why) found.push({ c, why, hydra: hydra[i]!, ours });
  });
  return found;
}

/** Takes parts away while the case still differs (any way), one batch of candidates per round. */
async function shrink(python: string, root: string, start: Found): Promise<Found> {
  let best = start;
  for (let round = 0; round < 60; round++) {
    const candidates = [...shrinkCandidates(best.c)];
    if (!candidates.length) break;
    const found = await differing(python, join(root, `shrink-${round}`), candidates);
    if (!found.length) break;
    best = found[0]!;
  }
  return best;
}

function describe(f: Found, seed: number): string {
  const files = Object.entries(f.c.files).map(([p, file]) => `--- ${p}\n${renderFile(file)}`).join('');
  return [
    `Hydra and bait differ (seed ${seed}; rerun with BAIT_DIFF_SEED=${seed}): ${f.why}`,
    files + `--- overrides: ${JSON.stringify(f.c.overrides)}`,
    `Hydra: ${JSON.stringify(f.hydra, null, 1)}`,
    `bait:  ${JSON.stringify(f.ours, null, 1)}`,
  ].join('\n');
}

const python = venvPython('hydra differential tier');
const seeds = process.env.BAIT_DIFF_SEED ? [Number(process.env.BAIT_DIFF_SEED)] : [FIXED_SEED, Math.floor(Math.random() * 2 ** 31)];

for (const seed of seeds) {
  test(`${PER_SEED} random cases agree with real Hydra 1.3.2 (seed ${seed})`, { skip: python ? false : 'no venv', timeout: 1_200_000 }, async () => {
    console.log(`# hydra differential: seed ${seed} (rerun: BAIT_DIFF_SEED=${seed})`);
    const gen = new CaseGenerator(rng(seed));
    const cases = Array.from({ length: PER_SEED }, () => gen.generate());
    const root = mkdtempSync(join(tmpdir(), 'bait-diff-'));
    try {
      const found = await differing(python!, root, cases);
      // The generator must reach every branch that matters: successes, failures and resolve failures.
      if (!found.length) return;
      const minimal = await shrink(python!, root, found[0]!);
      assert.fail(`${found.length} of ${cases.length} cases differ. The smallest:\n${describe(minimal, seed)}`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

// Cases fresh seeds found once, kept so they are checked against real Hydra on every run.
const FOUND: Array<{ seed: number; c: DiffCase }> = [
  // A dict into an existing list (and a list into a dict): OmegaConf's merge refuses it with =, + and ++.
  ...['+x={k: 0}', 'x={k: 0}', '++x={k: 0}', 'y=[1]', '+y=[1]', 'x=[1]', 'y=5'].map((o) => ({
    seed: 1225871621, c: { files: { 'config.yaml': { body: [['x', '[]'], ['y', '{a: 1}']] as [string, string][] } }, overrides: [o] },
  })),
  // `+key` selects the existing value first, resolving it: a dangling interpolation fails the override, one
  // that resolves to null counts as absent.
  ...['+x={k: 2}', '+x=1', '+z={k: 2}', '+z=1', '+w=1'].map((o) => ({
    seed: 21, c: { files: { 'config.yaml': { body: [['x', '${size}'], ['n', 'null'], ['z', '${n}'], ['w', '${x}']] as [string, string][] } }, overrides: [o] },
  })),
];

test('cases found by earlier fresh seeds still agree with real Hydra 1.3.2', { skip: python ? false : 'no venv' }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'bait-diff-found-'));
  try {
    const found = await differing(python!, root, FOUND.map((f) => f.c));
    assert.equal(found.length, 0, found.map((f) => describe(f, FOUND.find((x) => x.c === f.c)!.seed)).join('\n\n'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
