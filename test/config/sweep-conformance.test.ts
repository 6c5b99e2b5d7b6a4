// The basic sweeper's job expansion: every `sweep` case of the Hydra conformance corpus (the batches Hydra 1.3.2's
// BasicSweeper.split_arguments made), plus unit tests for ordering, batching, shuffling, counting and limits.
// Config group options for glob() are listed from each case's configs/ folder here, so the library stays pure.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseOverrides } from '../../runner/config/overrides/parser.js';
import { countJobs, expandSweep, seededRandom, type SweepOptions } from '../../runner/config/overrides/sweep.js';

// Test files run as CommonJS under tsx (the package has no "type": "module"), so __dirname is defined.
const CORPUS = join(__dirname, '..', 'conformance', 'hydra');

interface SweepCase {
  kind: string;
  config_dir: string;
  overrides: string[];
  max_batch_size: number | null;
  expected_batches?: string[][][];
  expected_jobs?: string[][];
  expected_error?: { type: string; message: string };
}

/** The config names in a group folder, as Hydra's repository lists them (files only, no extension, sorted). */
function groupOptions(configDir: string, group: string): string[] {
  const dir = join(configDir, group);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && statSync(join(dir, f)).isFile())
    .map((f) => f.replace(/\.ya?ml$/, ''))
    .sort();
}

function expand(overrides: string[], opts: Partial<SweepOptions> = {}) {
  const parsed = parseOverrides(overrides);
  assert.deepEqual(parsed.errors, []);
  return expandSweep(parsed.overrides, { listOptions: () => [], ...opts });
}

describe('sweep conformance (Hydra 1.3.2 BasicSweeper)', () => {
  const cases = readdirSync(CORPUS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => [d.name, JSON.parse(readFileSync(join(CORPUS, d.name, 'case.json'), 'utf8')) as SweepCase] as const)
    .filter(([, c]) => c.kind === 'sweep');
  it('covers the whole corpus', () => assert.equal(cases.length, 15));
  for (const [name, c] of cases) {
    it(`${name}: ${c.overrides.join(' ')}`, () => {
      const configDir = join(CORPUS, name, c.config_dir);
      const parsed = parseOverrides(c.overrides);
      assert.deepEqual(parsed.errors, [], 'Hydra parsed these overrides');
      const opts = { listOptions: (g: string) => groupOptions(configDir, g), maxBatchSize: c.max_batch_size };
      const r = expandSweep(parsed.overrides, opts);
      if (c.expected_error) {
        assert.equal(r.batches, undefined);
        assert.equal(r.error?.code, 'sweep-unsupported');
        assert.equal(r.error?.origin?.kind, 'override');
        return;
      }
      assert.equal(r.error, undefined, r.error?.message);
      assert.deepEqual(r.batches, c.expected_batches);
      assert.deepEqual(r.batches!.flat(), c.expected_jobs);
      assert.deepEqual(countJobs(parsed.overrides, opts).count, c.expected_jobs!.length);
    });
  }
});

describe('basic sweeper', () => {
  it('varies the first override slowest and keeps plain overrides in every job', () => {
    const r = expand(['+x=0', 'a=1,2', '~y', 'b=range(2)', 'c@p={k:v}']);
    assert.deepEqual(r.batches, [
      [
        ['+x=0', 'a=1', '~y', 'b=0', 'c@p={k:v}'],
        ['+x=0', 'a=1', '~y', 'b=1', 'c@p={k:v}'],
        ['+x=0', 'a=2', '~y', 'b=0', 'c@p={k:v}'],
        ['+x=0', 'a=2', '~y', 'b=1', 'c@p={k:v}'],
      ],
    ]);
  });

  it('treats +a and a as different keys, and a repeated key as one axis', () => {
    assert.deepEqual(expand(['a=1,2', '+a=3', 'a=4,5,6']).batches![0]!.length, 3 * 1);
    assert.deepEqual(expand(['a=1,2', 'b=1', 'a=x,y']).batches, [[['a=x', 'b=1'], ['a=y', 'b=1']]]);
  });

  it('cuts jobs into batches of max_batch_size', () => {
    const r = expand(['a=range(7)'], { maxBatchSize: 3 });
    assert.deepEqual(r.batches!.map((b) => b.length), [3, 3, 1]);
    assert.deepEqual(expand(['a=range(3)'], { maxBatchSize: -1 }).batches!.length, 1);
    assert.equal(expand(['a=1'], { maxBatchSize: 0 }).error?.code, 'sweep-unsupported');
  });

  it('makes no jobs for an empty sweep, like itertools.product', () => {
    assert.deepEqual(expand(['a=range(3,3)', 'b=1']).batches, [[]]);
    assert.deepEqual(expand(['a=range(3,3)'], { maxBatchSize: 2 }).batches, []);
  });

  it('shuffles with the random source it is given, keeping every value', () => {
    const jobs = (seed: number) => expand(['a=shuffle(range(10))', 'b=shuffle(x,y,z)'], { random: seededRandom(seed) }).batches![0]!;
    const first = jobs(1);
    assert.deepEqual(jobs(1), first, 'the same seed gives the same order');
    assert.notDeepEqual(jobs(2), first, 'another seed gives another order');
    assert.deepEqual(first.map((j) => j.join(' ')).sort(), expand(['a=range(10)', 'b=x,y,z']).batches![0]!.map((j) => j.join(' ')).sort());
  });

  it('counts jobs without listing them', () => {
    const parsed = parseOverrides(['a=range(0,1000000,3)', 'b=1,2', 'c=range(0,1,0.25)', 'd=glob(*)']).overrides;
    assert.equal(countJobs(parsed, { listOptions: () => ['p', 'q', 'r'] }).count, 333334 * 2 * 4 * 3);
  });

  it('refuses a sweep too large to list instead of exhausting memory', () => {
    const r = expand(['a=range(100000)', 'b=range(100000)']);
    assert.equal(r.error?.code, 'sweep-unsupported');
    assert.match(r.error!.message, /10000000000 jobs/);
    assert.equal(expand(['a=range(0,1e9,0.5)'], { maxJobs: 10 }).error?.code, 'sweep-unsupported');
  });

  it('reports sweeps the basic sweeper cannot enumerate', () => {
    assert.equal(expand(['a=tag(x,interval(0,1))']).error?.code, 'sweep-unsupported');
    assert.equal(expand(['a=choice(1,2),3']).error?.code, 'sweep-unsupported');
    assert.equal(expand(['a=range(1,5,0)']).error?.code, 'sweep-unsupported');
    assert.equal(expand(['a=range(0,inf,1.0)']).error?.code, 'sweep-unsupported');
  });

  it('filters group options with fnmatch patterns', () => {
    const listOptions = () => ['adam', 'adamw', 'sgd', 'rms[prop]'];
    const jobs = (o: string) => expand([o], { listOptions }).batches![0]!.map((j) => j[0]);
    assert.deepEqual(jobs('opt=glob(adam?)'), ['opt=adamw']);
    assert.deepEqual(jobs('opt=glob([*],exclude=[a*])'), ['opt=rms[prop]', 'opt=sgd'].sort());
    assert.deepEqual(jobs("opt=glob('rms[[]*')"), ['opt=rms[prop]']);
    assert.deepEqual(jobs("opt=glob('[!a]*')"), ['opt=rms[prop]', 'opt=sgd']);
  });

  it('prints hostile choices so that each job parses back to the same value', () => {
    const r = expand(["a='; rm -rf ~','$(id)',\"it's\",'x\ny'"]);
    const jobs = r.batches![0]!.map((j) => j[0]!);
    assert.deepEqual(jobs, ["a='; rm -rf ~'", "a='$(id)'", 'a="it\'s"', "a='x\ny'"]);
    const again = parseOverrides(jobs);
    assert.deepEqual(again.errors, []);
  });
});
