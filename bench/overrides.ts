// Benchmarks of the override grammar: how fast command-line overrides parse, and how long a 1,000-job sweep takes
// to expand and to count. Results are plain data (median milliseconds over several runs); bench/index.ts prints them.

import { parseOverrides } from '../runner/config/overrides/parser.js';
import { countJobs, expandSweep } from '../runner/config/overrides/sweep.js';

// A mix of what users type: plain values, groups, quoting and escapes, containers, interpolations and sweeps.
const SAMPLE = [
  'trainer.max_epochs=10',
  '+experiment=premise_selection',
  'db@backup=mysql',
  '++model.lr=1e-3',
  '~callbacks.early_stopping',
  "logging_config.notes='first run, with spaces'",
  'data.path=/data/mizar40\\ m2k',
  'model.layers=[128,256,{units:512,act:relu}]',
  'exp_config.directory=${hydra:runtime.cwd}/runs/${now:%Y-%m-%d}',
  'optimiser.betas=[0.9,0.999]',
  'seed=1,2,3',
  'model.dropout=choice(0.0,0.1,0.3)',
  'trainer.lr=range(0.001,0.01,0.001)',
  'model=glob(*,exclude=tiny*)',
  'lr=tag(log,interval(1e-5,1e-1))',
  'x=sort(3,1,2,reverse=true)',
  'n=int(3.7)',
];

const SWEEP_1000 = ['a=range(10)', 'b=choice(p,q,r,s,t,u,v,w,x,y)', 'c=1e-5,1e-4,1e-3,1e-2,0.1,0.2,0.3,0.4,0.5,1.0', 'fixed=42'];

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function time(fn: () => void, runs: number): number {
  fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

export async function benchOverrides(): Promise<Record<string, number>> {
  const repeat = 200;
  const batch = Array.from({ length: repeat }, () => SAMPLE).flat();
  const parseMs = time(() => {
    const r = parseOverrides(batch);
    if (r.errors.length) throw new Error(`benchmark input failed to parse: ${r.errors[0]!.message}`);
  }, 7);

  const listOptions = () => ['base', 'large', 'tiny_a', 'tiny_b'];
  const parsed = parseOverrides(SWEEP_1000).overrides;
  const expandMs = time(() => {
    const r = expandSweep(parsed, { listOptions, maxBatchSize: 100 });
    if (r.batches?.flat().length !== 1000) throw new Error('the benchmark sweep should have 1000 jobs');
  }, 7);
  const parseExpandMs = time(() => {
    expandSweep(parseOverrides(SWEEP_1000).overrides, { listOptions });
  }, 7);
  const countMs = time(() => {
    if (countJobs(parsed, { listOptions }).count !== 1000) throw new Error('the benchmark sweep should count 1000 jobs');
  }, 7);

  return {
    'overrides.parse.batch_size': batch.length,
    'overrides.parse.median_ms': parseMs,
    'overrides.parse.per_second': Math.round(batch.length / (parseMs / 1000)),
    'overrides.sweep_1000.expand_median_ms': expandMs,
    'overrides.sweep_1000.parse_and_expand_median_ms': parseExpandMs,
    'overrides.sweep_1000.count_median_ms': countMs,
  };
}
