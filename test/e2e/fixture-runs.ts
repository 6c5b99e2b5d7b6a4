// Writes run and sweep directories in the layout of DESIGN.md section 5, for tests and the benchmark. Fixtures are
// generated at test time (never committed) and follow the runner's contract so the same files drive the run
// explorer, the webview hosts and the browser tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FixtureRunOptions {
  root: string;
  experiment?: string;
  name?: string;
  /** The <date>/<time> tail of the run folder. */
  stamp?: string;
  id?: string;
  status?: 'running' | 'completed' | 'failed' | 'stopped';
  overrides?: string[];
  steps?: number;
  attempts?: number;
  /** Checkpoints as name -> score; the best under mode `min` is marked by the reader. */
  checkpoints?: Record<string, number>;
  parent?: { run: string; checkpoint: string };
  sweep?: { dir: string; job_num: number };
  dir?: string;
  /** Appended to metrics.jsonl without a newline: a torn last line. */
  tornTail?: string;
  seed?: number;
}

export function metricRow(step: number, seed = 1, attempt = 1): Record<string, number> {
  const noise = Math.sin(step * 12.9898 + seed * 78.233) * 0.02;
  return {
    step, epoch: Math.floor(step / 100), time: 1_764_288_000 + step * 0.5, attempt,
    loss: 1 / (1 + step / (50 * seed)) + noise,
    acc: 1 - 0.5 / (1 + step / 80) + noise / 2,
  };
}

export function writeFixtureRun(o: FixtureRunOptions): string {
  const experiment = o.experiment ?? 'premise_selection';
  const name = o.name ?? 'bag_of_words';
  const dir = o.dir ?? join(o.root, experiment, name, ...(o.stamp ?? '2026-11-28/10-00-00').split('/'));
  mkdirSync(join(dir, '.hydra'), { recursive: true });
  const steps = o.steps ?? 20;
  const attempts = o.attempts ?? 1;
  const per = Math.ceil(steps / attempts);
  const lines: string[] = [];
  for (let s = 0; s < steps; s++) lines.push(JSON.stringify(metricRow(s, o.seed ?? 1, Math.floor(s / per) + 1)));
  writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n') + (lines.length ? '\n' : '') + (o.tornTail ?? ''));
  const attemptList = Array.from({ length: attempts }, (_, i) => ({
    started: `2026-11-28T10:0${i}:00Z`, ended: `2026-11-28T10:0${i}:30Z`,
    status: i === attempts - 1 ? (o.status ?? 'completed') : 'stopped',
    ...(i > 0 ? { resumed_from: 'last' } : {}),
  }));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({
    id: o.id ?? `r${Math.random().toString(36).slice(2, 9)}`,
    experiment, name, config_name: `premise_selection/mizar40/${name}`,
    overrides: o.overrides ?? [], status: o.status ?? 'completed', host: 'local', pid: 0, backend: 'cpu',
    started_at: attemptList[0].started, ended_at: attemptList[attempts - 1].ended,
    attempts: attemptList, ...(o.parent ? { parent: o.parent } : {}), ...(o.sweep ? { sweep: o.sweep } : {}),
  }, null, 2));
  writeFileSync(join(dir, '.hydra/overrides.yaml'), (o.overrides ?? []).map((x) => `- ${x}\n`).join(''));
  writeFileSync(join(dir, '.hydra/config.yaml'), `exp_config:\n  name: ${name}\n`);
  const cks = o.checkpoints ?? {};
  if (Object.keys(cks).length) {
    mkdirSync(join(dir, 'checkpoints'), { recursive: true });
    let i = 0;
    for (const [ck, sc] of Object.entries(cks)) {
      mkdirSync(join(dir, 'checkpoints', ck), { recursive: true });
      writeFileSync(join(dir, 'checkpoints', ck, 'manifest.json'), JSON.stringify({
        step: ck === 'last' ? steps : ++i * 5, epoch: i, attempt: ck === 'last' ? attempts : 1, score: sc,
      }));
      writeFileSync(join(dir, 'checkpoints', ck, 'tensors.bin'), '');
    }
    const bestK = Object.fromEntries(Object.entries(cks).filter(([k]) => k !== 'last'));
    writeFileSync(join(dir, 'checkpoints/index.json'), JSON.stringify({
      last: 'last' in cks ? 'last' : undefined, best_k: bestK, monitor: 'loss', mode: 'min',
    }));
  }
  return dir;
}

export function writeFixtureSweep(root: string, jobs: { overrides: string[]; status?: 'completed' | 'running' | 'failed' }[],
  opts: { experiment?: string; name?: string; stamp?: string; steps?: number } = {}): { dir: string; runs: string[] } {
  const experiment = opts.experiment ?? 'premise_selection';
  const name = opts.name ?? 'bag_of_words';
  const dir = join(root, experiment, name, ...(opts.stamp ?? '2026-11-28/11-00-00').split('/'));
  mkdirSync(dir, { recursive: true });
  const runs = jobs.map((j, num) => writeFixtureRun({
    root, dir: join(dir, String(num)), experiment, name, overrides: j.overrides, status: j.status ?? 'completed',
    steps: opts.steps ?? 20, seed: num + 1, sweep: { dir, job_num: num }, checkpoints: { last: 0 },
  }));
  writeFileSync(join(dir, 'multirun.yaml'), 'hydra:\n  mode: MULTIRUN\n');
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify({
    experiment, name, config_name: `premise_selection/mizar40/${name}`,
    jobs: jobs.map((j, num) => ({ num, overrides: j.overrides, status: j.status ?? 'completed', dir: String(num) })),
  }, null, 2));
  return { dir, runs };
}
