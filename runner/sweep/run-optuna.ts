// Runs an Optuna study (optuna.ts) as a model-based sweep: batches of n_jobs trials through our launchers until
// n_trials, each trial's objective read from its run (metrics.ts) and recorded in sweep.json; after each batch
// the finished trials are reported, and at the end the best one, also written as Hydra's Optuna sweeper writes
// it (<sweep-dir>/optimization_results.yaml). `bait resume <sweep-dir>` reruns the unfinished trials with their
// numbers and then continues the study from what sweep.json recorded.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadYaml } from '../config/yaml-load.js';
import { toPlain } from '../config/nodes.js';
import { absoluteJobDir, readManifest, type SweepJobRecord, type SweepManifest } from './manifest.js';
import { loggedMetricNames, objectiveMetric } from './metrics.js';
import { runRounds } from './rounds.js';
import { resumeSweep, type SweepOptions, type SweepSummary } from './run-sweep.js';
import { studyFromRecord, type OptunaRecord, type OptunaStudy } from './optuna.js';
import { bayesPropose, pointToOverrides } from './sweep-plan.js';

export interface OptunaRunOptions extends Omit<SweepOptions, 'jobs'> {
  study: OptunaStudy;
  /** One line per finished trial and one for the best (the CLI prints them). */
  report?: (line: string) => void;
}

/** The override lists of the first batch (what `--dry-run` lists and the CLI validates before starting). */
export function firstBatch(study: OptunaStudy): string[][] {
  const r = study.record;
  return bayesPropose(study.spec, [], Math.min(r.n_jobs, r.n_trials), r.seed, r.n_startup_trials)
    .map((p) => [...r.base_overrides, ...pointToOverrides(p)]);
}

function paramsOf(study: OptunaStudy, job: SweepJobRecord): Record<string, unknown> {
  const keys = new Set(study.spec.parameters.map((p) => p.key));
  const out: Record<string, unknown> = {};
  for (const o of job.overrides) {
    const eq = o.indexOf('=');
    if (eq < 0 || !keys.has(o.slice(0, eq))) continue;
    const node = loadYaml(o.slice(eq + 1), 'override').node;
    out[o.slice(0, eq)] = node ? toPlain(node) : o.slice(eq + 1);
  }
  return out;
}

/** The completed trial with the best objective (the first one on a tie, as Optuna's best_trial). */
export function bestTrial(manifest: SweepManifest, direction: OptunaRecord['direction']): SweepJobRecord | undefined {
  let best: SweepJobRecord | undefined;
  for (const j of manifest.jobs) {
    if (j.objective === undefined || !Number.isFinite(j.objective)) continue;
    if (!best || (direction === 'maximize' ? j.objective > best.objective! : j.objective < best.objective!)) best = j;
  }
  return best;
}

function describe(params: Record<string, unknown>): string {
  return Object.entries(params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
}

export async function runOptunaStudy(opts: OptunaRunOptions): Promise<SweepSummary> {
  const { study } = opts;
  const r = study.record;
  const reported = new Set<number>();
  const onRound = (m: SweepManifest) => {
    for (const j of m.jobs) {
      if (reported.has(j.num) || j.status !== 'completed') continue;
      reported.add(j.num);
      const params = describe(paramsOf(study, j));
      if (j.objective !== undefined) opts.report?.(`[optuna] trial #${j.num}: ${r.metric}=${j.objective} (${params})`);
      else {
        const logged = loggedMetricNames(absoluteJobDir(opts.sweepDir, j));
        opts.report?.(`[optuna] trial #${j.num} completed but logged no '${r.metric}' (it logged: ${logged.join(', ') || 'nothing'}); ` +
          'the search counts it as failed. Set optimized_metric to one of those.');
      }
    }
  };
  const summary = await runRounds({
    ...opts,
    info: { ...opts.info, source: r },
    spec: study.spec,
    total: r.n_trials,
    batch: r.n_jobs,
    baseOverrides: r.base_overrides,
    seed: r.seed,
    startup: r.n_startup_trials,
    objective: (dir) => objectiveMetric(dir, r.metric, r.direction),
    onRound,
  });
  const m = readManifest(opts.sweepDir);
  const best = bestTrial(m, r.direction);
  if (best) {
    const params = paramsOf(study, best);
    // Hydra's Optuna sweeper writes the same file (name, best_params, best_value); best_trial is ours.
    writeFileSync(join(opts.sweepDir, 'optimization_results.yaml'), stringify({ name: 'optuna', best_params: params, best_value: best.objective, best_trial: best.num }));
    opts.report?.(`[optuna] best trial #${best.num}: ${r.metric}=${best.objective} (${describe(params)}) — ${join(opts.sweepDir, 'optimization_results.yaml')}`);
  } else {
    opts.report?.(`[optuna] no trial finished with a value of '${r.metric}'`);
  }
  return summary;
}

/** `bait resume <sweep-dir>` of a study: the unfinished trials again, then the rest of the study. */
export async function resumeOptunaStudy(opts: Omit<OptunaRunOptions, 'study'> & { manifest: SweepManifest }): Promise<SweepSummary> {
  const study = studyFromRecord(opts.manifest.source as OptunaRecord);
  const rerun = await resumeSweep(opts);
  if (rerun.stopped.length || opts.signal?.aborted) return rerun;
  const rest = await runOptunaStudy({ ...opts, study });
  return {
    results: [...rerun.results, ...rest.results],
    completed: [...rerun.completed, ...rest.completed],
    failed: [...rerun.failed, ...rest.failed],
    stopped: [...rerun.stopped, ...rest.stopped],
  };
}
