// Seeds of the fuzz tests. Each test has a fixed default seed, so CI runs the same cases every time and a red run
// is never a coin toss; FUZZ_SEED=<n> runs another set (to explore, or to reproduce). Every failure names the
// seed and the command that reruns it.

/** The seed a fuzz test runs with: FUZZ_SEED when set, else the test's own default. */
export function fuzzSeed(fallback: number): number {
  const s = process.env.FUZZ_SEED;
  if (s === undefined || s === '') return fallback;
  const n = Number(s);
  if (!Number.isInteger(n)) throw new Error(`FUZZ_SEED must be an integer, got '${s}'`);
  return n;
}

/** What a failure message says so that the same cases run again. */
export function reproduce(seed: number, testFile: string): string {
  return `fuzz seed ${seed}; rerun with: FUZZ_SEED=${seed} node scripts/test.mjs ${testFile}`;
}

/** Runs a fuzz loop; whatever it throws names the seed and the rerun command first. */
export function withSeed<T>(seed: number, testFile: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof Error) e.message = `${reproduce(seed, testFile)}\n${e.message}`;
    throw e;
  }
}
