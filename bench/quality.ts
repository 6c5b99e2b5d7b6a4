// Premise-selection quality on Mizar40 M2k: the reference baselines (runner/eval/baselines.ts) and every bundled
// model config, trained by `bait run` as a user would and scored by `bait test --ckpt best` on the held-out split,
// side by side in one JSON line. Models are selected on val only (early stopping and the best checkpoint); test is
// read once per model, at the end. Each model's `protocol` says what its pairs read of held-out labels: `offline`
// (none: every label-derived feature reads train), or `chronological` (boosted_trees_chronological: each pair also
// reads the labels of its own article's earlier conjectures in library order, the MizAR40 / MaLARea evaluation);
// only figures of the same protocol compare.
//   npm run bench -- quality                       the default set (QUALITY_MODELS below)
//   BAIT_QUALITY_MODELS=bow_context,transformer npm run bench -- quality
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadPairs, type PairSet } from '../runner/data/premise_pairs.js';
import { OpenVocabulary, baselineScores, chronologicalBaselineScores } from '../runner/eval/baselines.js';
import { rankingMetrics, validationMetrics, type Scored } from '../runner/train/metrics.js';

const ROOT = resolve(__dirname, '..');
const DATA = join(ROOT, 'data', 'mizar40-m2k');
const CLI = join(ROOT, 'dist', 'runner.js');
/** Configs under configs/premise_selection/mizar40/ that the bench trains by default. */
const QUALITY_MODELS = ['boosted_trees', 'boosted_trees_chronological', 'bow_context', 'bag_of_words', 'conv', 'conv_context'];
/** Bundled configs left out of the default set, and why (the JSON line says so). */
const NOT_RUN: Record<string, string> = {
  transformer: 'about 75 s of CPU an epoch on an idle machine (up to 5 epochs, validated 4 times each): too long for ' +
    'a routine bench; BAIT_QUALITY_MODELS=transformer runs it',
  cross_attention: 'about 3 minutes of CPU an epoch on two cores (up to 4 epochs): too long for a routine bench; ' +
    'BAIT_QUALITY_MODELS=cross_attention runs it',
};

type Row = Record<string, number>;

function summary(s: Scored): Row {
  const { val_loss: loss, ...m } = validationMetrics(s);
  return { loss: loss!, ...m, ...rankingMetrics(s, [1, 5], true) };
}

export function baselineMetrics(): Record<'val' | 'test', Record<string, Row>> {
  const key = 'data_config.data_options.dir';
  const vocab = new OpenVocabulary();
  // Lengths are features here: read whole formulas, not cut at a model's max_len.
  const load = (split: string): PairSet => loadPairs(join(DATA, `${split}.jsonl.gz`), vocab, Number.MAX_SAFE_INTEGER, key);
  const [train, val, test] = [load('train'), load('val'), load('test')];
  const scores = baselineScores(train, { val, test });
  scores.hand_features_chronological = chronologicalBaselineScores(train, { val, test });
  const out: Record<'val' | 'test', Record<string, Row>> = { val: {}, test: {} };
  for (const [name, bySplit] of Object.entries(scores)) {
    out.val[name] = summary(bySplit.val!);
    out.test[name] = summary(bySplit.test!);
  }
  return out;
}

/**
 * Runs the CLI and returns its output and the CPU seconds it used (user + system, from the shell's `times`): on a
 * shared machine wall time says more about the neighbours than about the model.
 */
function cli(args: string[], cwd: string): { out: string; cpuSeconds: number } {
  const script = '"$@"; s=$?; times >&2; exit $s';
  const r = spawnSync('/bin/sh', ['-c', script, 'sh', process.execPath, CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`bait ${args.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout).slice(-600)}`);
  // `times` prints the shell's own user/system times, then its children's: "0m12.345s 0m0.678s".
  const children = r.stderr.trim().split('\n').pop() ?? '';
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((a, m) => a + Number(m[1]) * 60 + Number(m[2]), 0);
  return { out: r.stdout, cpuSeconds: secs };
}

function trainAndTest(config: string, ws: string): {
  val: Row; test: Row; train_seconds: number; train_cpu_seconds: number; epochs: number; protocol: string;
} {
  const dir = join(ws, config);
  const t0 = performance.now();
  const run = cli(['run', `premise_selection/mizar40/${config}`, '--config-dir', join(ROOT, 'configs'), `exp_config.directory=${dir}`,
    `data_config.data_options.dir=${DATA}`, 'trainer.enable_progress_bar=false'], ws);
  const train_seconds = (performance.now() - t0) / 1000;
  const test = JSON.parse(cli(['test', dir, '--ckpt', 'best', '--json'], ws).out);
  const val = JSON.parse(cli(['test', dir, '--ckpt', 'best', '--split', 'val', '--json'], ws).out);
  return { val: val.metrics, test: test.metrics, train_seconds: Number(train_seconds.toFixed(1)),
    train_cpu_seconds: Number(run.cpuSeconds.toFixed(1)), epochs: test.epoch, protocol: test.protocol };
}

const round = (r: Row): Row => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v.toFixed(4))]));

export async function benchQuality(): Promise<Record<string, unknown>> {
  const base = baselineMetrics();
  const configs = process.env.BAIT_QUALITY_MODELS?.split(',').filter(Boolean) ?? QUALITY_MODELS;
  const ws = mkdtempSync(join(tmpdir(), 'bait-quality-'));
  const models: Record<string, Record<string, number | string>> = {};
  const val: Record<string, Row> = {};
  try {
    for (const c of configs) {
      const r = trainAndTest(c, ws);
      models[c] = { ...round(r.test), train_seconds: r.train_seconds, train_cpu_seconds: r.train_cpu_seconds, epochs_at_best: r.epochs, protocol: r.protocol };
      val[c] = round(r.val);
    }
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
  const hand = base.test.hand_features!.auc!;
  return {
    split: 'test',
    data: 'mizar40-m2k (train 16,224 / val 2,592 / test 2,914 pairs)',
    baselines: Object.fromEntries(Object.entries(base.test).map(([k, v]) => [k, round(v)])),
    models,
    not_run: Object.fromEntries(Object.entries(NOT_RUN).filter(([k]) => !configs.includes(k))),
    auc_over_hand_features: Object.fromEntries(Object.entries(models).map(([k, v]) => [k, Number(((v.auc as number) - hand).toFixed(4))])),
    // A model is also set against the baseline that reads what its protocol lets it read (a chronological model
    // against hand features plus the same article history).
    auc_over_same_protocol_baseline: Object.fromEntries(Object.entries(models).map(([k, v]) => {
      const baseline = v.protocol === 'chronological' ? base.test.hand_features_chronological! : base.test.hand_features!;
      return [k, Number(((v.auc as number) - baseline.auc!).toFixed(4))];
    })),
    val: { baselines: Object.fromEntries(Object.entries(base.val).map(([k, v]) => [k, round(v)])), models: val },
  };
}
