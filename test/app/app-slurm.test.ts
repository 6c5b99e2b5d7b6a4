// `bait run --app -m` on a real single-node SLURM cluster (test/infra/slurm.ts): a 2-job sweep of the fixture
// Lightning app in BAIT's layout, one array task per job, each an app run of ours in Hydra's multirun layout;
// `bait stop` on one job cancels its task and stops the app, the other job finishes, `bait runs` shows both with
// Lightning's checkpoints and metrics, and `bait resume` on the stopped job runs it on SLURM again, continuing
// with the seed's keys (exp_config.resume, logging_config.id, exp_config.directory) in its own directory.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { venvPython } from '../infra/python.js';
import { waitFor } from '../infra/common.js';
import { skipUnlessSlurm, startSlurm, type SlurmCluster } from '../infra/slurm.js';
import { readMarker } from '../../runner/launchers/remote-marker.js';
import { findLightningCheckpoints } from '../../runner/readers/lightning-checkpoints.js';
import { readWandbRuns } from '../../runner/readers/run-outputs.js';
import { readManifest } from '../../runner/sweep/manifest.js';
import { appWorkspace, bait, baitAsync, record, removeWorkspaces } from './helpers.js';

const PY = venvPython('hydra app on SLURM');
const skip = skipUnlessSlurm() || PY === null;
const APP = `${PY} src/train.py`;
const EPOCHS = 12;
// A value a shell would act on: it must reach the app's Hydra as typed, through sbatch's task files.
const PWNED = '/tmp/bait-app-slurm-pwned';
const HOSTILE = `+note="x; $(touch ${PWNED}) 'q' | cat"`;

let cluster: SlurmCluster;
let env: Record<string, string>;
before(async () => {
  if (skip) return;
  cluster = await startSlurm();
  env = { SLURM_CONF: cluster.conf };
});
after(async () => {
  removeWorkspaces();
  await cluster?.stop();
});

test('a 2-job app sweep on SLURM: bait stop on one job, the other completes; bait resume continues it on SLURM with the seed keys', { skip }, async () => {
  const ws = appWorkspace('bait-app-slurm-');
  const run = baitAsync(ws, ['run', 'bait_train', '--app', APP, '-m', 'model.lr=0.01,0.003', HOSTILE, 'hydra/launcher=slurm',
    'hydra.launcher.array_parallelism=2', 'hydra.launcher.timeout_min=10', '+hydra.launcher.poll_interval_s=0.5',
    'data.limit=256', 'model.step_delay_s=0.15', `trainer.max_epochs=${EPOCHS}`], env);
  let sweep = '';
  await waitFor('job #0 to write last.ckpt', () => {
    const found = existsSync(join(ws, 'multirun')) ? readdirSync(join(ws, 'multirun'), { recursive: true, encoding: 'utf8' }).find((p) => p.endsWith('sweep.json')) : undefined;
    sweep = found ? join(ws, 'multirun', found, '..') : '';
    return sweep !== '' && existsSync(join(sweep, '0', 'run.json')) && findLightningCheckpoints(join(sweep, '0')).some((c) => c.isLast);
  }, 240_000, 300);
  const job0 = join(sweep, '0');
  const job1 = join(sweep, '1');
  assert.equal(readMarker(job0)?.kind, 'slurm');
  const stop = bait(ws, ['stop', job0], env);
  assert.equal(stop.code, 0, stop.err);
  const end = await run.done;
  assert.equal(end.code, 130, end.output);
  assert.match(end.output, /job #0 stopped/);
  assert.match(end.output, /job #1 completed/);
  assert.deepEqual(readManifest(sweep).jobs.map((j) => j.status), ['stopped', 'completed']);

  for (const [n, dir] of [job0, job1].entries()) {
    const rec = record(dir);
    assert.equal(rec.app?.layout, 'bait');
    assert.equal(rec.sweep?.job_num, n);
    // Hydra's multirun layout and the job's overrides, the hostile one as typed; nothing ran as shell.
    const hydra = readFileSync(join(dir, '.hydra', 'hydra.yaml'), 'utf8');
    assert.match(hydra, new RegExp(`\\n    num: ${n}\\n`));
    const overrides = parseYaml(readFileSync(join(dir, '.hydra', 'overrides.yaml'), 'utf8')) as string[];
    assert.ok(overrides.includes(HOSTILE), JSON.stringify(overrides));
    assert.ok(overrides.includes(`model.lr=${['0.01', '0.003'][n]}`), JSON.stringify(overrides));
    assert.ok(!overrides.some((o) => o.includes('launcher')), 'our launcher overrides never reach the app');
  }
  assert.ok(!existsSync(PWNED), 'nothing ran as shell');
  assert.equal(record(job0).status, 'stopped');
  assert.equal(record(job1).status, 'completed');

  const listed = JSON.parse(bait(ws, ['runs', '--json', 'multirun']).out) as { runs: Array<{ dir: string; status: string; checkpoints: unknown[]; latest_metrics: Record<string, number>; last: string }> };
  assert.deepEqual(listed.runs.map((r) => [r.dir, r.status]).sort(), [[job0, 'stopped'], [job1, 'completed']]);
  for (const r of listed.runs) {
    assert.equal(r.last, 'last');
    assert.ok(r.checkpoints.length >= 2);
    assert.equal(typeof r.latest_metrics.val_acc, 'number');
  }

  // Resume the stopped job: SLURM runs it again (a second array), in its directory, with the seed's keys.
  const id = record(job0).id;
  const batches = () => readdirSync(join(sweep, '.submitit')).filter((f) => f.startsWith('batch-')).length;
  assert.equal(batches(), 1);
  const resumed = bait(ws, ['resume', job0, 'model.step_delay_s=0'], env, 300_000);
  assert.equal(resumed.code, 0, resumed.err + resumed.out);
  assert.match(resumed.err, /resuming \S+ on SLURM from last/);
  assert.equal(batches(), 2, 'the resume was an array of its own, on SLURM again');
  const rec = record(job0);
  assert.deepEqual(rec.attempts.map((a) => [a.status, a.resumed_from]), [['stopped', null], ['completed', 'last']]);
  const log = readFileSync(join(job0, 'log.txt'), 'utf8');
  for (const key of ['exp_config.resume=true', `exp_config.directory=${job0}`]) assert.ok(log.includes(key), key);
  assert.match(log, new RegExp(`logging_config\\.id=[\\\\'"]*${id}(?![\\w-])`));
  assert.match(log, /resuming from \S+last\.ckpt/);
  assert.deepEqual(readManifest(sweep).jobs.map((j) => j.status), ['completed', 'completed']);
  // Both attempts logged to the W&B offline run whose id is the run id.
  assert.deepEqual(readWandbRuns(job0).map((w) => w.id), [id, id]);
});
