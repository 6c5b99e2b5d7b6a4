// `bait run --app` through the ssh launcher against a real loopback sshd (test/infra/sshd.ts): the fixture
// Lightning app trains on the host as the unprivileged test user, in the host's copy of the workspace, with a
// hostile override that must reach the app's Hydra verbatim; `bait stop` stops the app there, the run directory
// comes back with Lightning's checkpoints and metrics, `bait runs` and the explorer show it, and `bait resume`
// continues it on the same host with `ckpt_path=`; a fork of it runs here from the checkpoint that came back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { venvPython } from '../infra/python.js';
import { waitFor } from '../infra/common.js';
import { skipUnlessSsh, startSshd, TEST_USER, type SshdCluster } from '../infra/sshd.js';
import { readMarker } from '../../runner/launchers/remote-marker.js';
import { findLightningCheckpoints } from '../../runner/readers/lightning-checkpoints.js';
import { readCsvMetrics } from '../../runner/readers/csv-metrics.js';
import { readManifest } from '../../runner/sweep/manifest.js';
import { scanRunsRoots } from '../../extension/run-dirs/scan.js';
import { appWorkspace, bait, baitAsync, record, removeWorkspaces } from './helpers.js';

const PY = venvPython('hydra app over ssh');
const skip = skipUnlessSsh() || PY === null;
const APP = `${PY} src/train.py`;
// A value a shell would act on in every way (spaces, both quotes, `$(...)`, `;`, `&&`): it must reach the app's
// Hydra as the override text the user typed, and nothing may run.
const PWNED = '/tmp/bait-app-ssh-pwned';
const HOSTILE_VALUE = `a b; $(touch ${PWNED}) 'q' && echo \`id\``;
const HOSTILE = `+note="${HOSTILE_VALUE}"`;
const EPOCHS = 12;

let cluster: SshdCluster;
before(async () => {
  if (skip) return;
  cluster = await startSshd({ addresses: ['127.0.0.1'] });
});
after(async () => {
  removeWorkspaces();
  await cluster?.stop();
});

/** The app workspace with a launcher config naming the loopback host (the user's own `hydra/launcher=lab`). */
function sshWorkspace(): string {
  const ws = appWorkspace('bait-app-ssh-');
  const h = cluster.hosts[0]!;
  mkdirSync(join(ws, 'configs', 'hydra', 'launcher'), { recursive: true });
  writeFileSync(join(ws, 'configs', 'hydra', 'launcher', 'lab.yaml'), `_target_: bait.launchers.SSHLauncher\nsync: true\npoll_interval_s: 0.3\nhosts: ${JSON.stringify([{
    name: 'host1', host: h.address, port: h.port, user: h.user, identity_file: h.identityFile, known_hosts: h.knownHostsFile, work_dir: h.workDir, connect_timeout_s: 20,
  }])}\n`);
  return ws;
}

function sweepOf(ws: string): string {
  const found = readdirSync(join(ws, 'multirun'), { recursive: true, encoding: 'utf8' }).find((p) => p.endsWith('sweep.json'));
  assert.ok(found, 'a sweep.json under multirun/');
  return join(ws, 'multirun', found, '..');
}

test('an app run on an SSH host: hostile override verbatim, bait stop, the run comes back, bait resume continues it there with ckpt_path', { skip }, async () => {
  const ws = sshWorkspace();
  const run = baitAsync(ws, ['run', 'train', '--app', APP, '-m', 'hydra/launcher=lab', HOSTILE, 'data.limit=256', 'model.step_delay_s=0.15', `trainer.max_epochs=${EPOCHS}`]);
  let jobDir = '';
  let remoteDir = '';
  // The host's copy of the run directory, read through the shared loopback file system: training is under way
  // once Lightning has written its first last.ckpt there.
  await waitFor('the app on the host to write last.ckpt', () => {
    if (!existsSync(join(ws, 'multirun'))) return false;
    const sweep = readdirSync(join(ws, 'multirun'), { recursive: true, encoding: 'utf8' }).find((p) => p.endsWith('sweep.json'));
    if (!sweep) return false;
    jobDir = join(ws, 'multirun', sweep, '..', '0');
    const m = existsSync(jobDir) ? readMarker(jobDir) : null;
    if (m?.kind !== 'ssh') return false;
    remoteDir = m.remote_dir;
    return findLightningCheckpoints(remoteDir).some((c) => c.isLast);
  }, 180_000, 300);
  assert.ok(remoteDir.startsWith(cluster.hosts[0]!.workDir), `the job runs in the host's work dir: ${remoteDir}`);

  const stop = bait(ws, ['stop', jobDir]);
  assert.equal(stop.code, 0, stop.err);
  const end = await run.done;
  assert.equal(end.code, 130, end.output);
  assert.match(end.output, /job #0 stopped/);

  // The run directory came back: the app's record, Hydra's files, Lightning's checkpoints and metrics.
  const rec = record(jobDir);
  assert.equal(rec.status, 'stopped');
  assert.equal(rec.app?.command, APP);
  assert.deepEqual(rec.app?.checkpoint_dirs, ['checkpoints']);
  assert.equal(rec.sweep?.dir, '..', 'the sweep link is relative, so it means this sweep here');
  const hydra = parseYaml(readFileSync(join(jobDir, '.hydra', 'hydra.yaml'), 'utf8')) as { hydra: { runtime: { cwd: string }; job: { num: number } } };
  assert.ok(hydra.hydra.runtime.cwd.startsWith(cluster.hosts[0]!.workDir), `the app ran in the host's copy of the workspace: ${hydra.hydra.runtime.cwd}`);
  assert.equal(hydra.hydra.job.num, 0);
  // The hostile override reached the app's Hydra as typed, and its value the config, with nothing run.
  const overrides = parseYaml(readFileSync(join(jobDir, '.hydra', 'overrides.yaml'), 'utf8')) as string[];
  assert.ok(overrides.includes(HOSTILE), `${HOSTILE} in ${JSON.stringify(overrides)}`);
  assert.equal((parseYaml(readFileSync(join(jobDir, '.hydra', 'config.yaml'), 'utf8')) as { note: string }).note, HOSTILE_VALUE);
  assert.ok(!existsSync(PWNED), 'nothing ran as shell');
  assert.ok(!overrides.some((o) => o.includes('launcher')), 'our launcher overrides never reach the app');

  // `bait runs` lists it from the local copy: status, Lightning's checkpoints (here, not on the host), metrics.
  const listed = JSON.parse(bait(ws, ['runs', '--json', 'multirun']).out) as { runs: Array<{ dir: string; status: string; checkpoints: Array<{ name: string }>; latest_metrics: Record<string, number>; last: string }> };
  const row = listed.runs.find((r) => r.dir === jobDir)!;
  assert.equal(row.status, 'stopped');
  assert.equal(row.last, 'last');
  assert.equal(typeof row.latest_metrics.val_acc, 'number');
  const scanned = scanRunsRoots([join(ws, 'multirun')]).runs.find((r) => r.dir === jobDir)!;
  assert.ok(scanned.checkpoints.length >= 2);
  for (const c of scanned.checkpoints) assert.ok(c.dir.startsWith(jobDir), `checkpoint read from the local copy: ${c.dir}`);

  // Resume: the same host, the same remote directory, Lightning's ckpt_path to the host's last.ckpt.
  const resumed = bait(ws, ['resume', jobDir, 'model.step_delay_s=0'], {}, 300_000);
  assert.equal(resumed.code, 0, resumed.err + resumed.out);
  assert.match(resumed.err, /resuming \S+ on host1 from last/);
  assert.match(resumed.err, /job #0 started on host1/);
  const after = record(jobDir);
  assert.deepEqual(after.attempts.map((a) => [a.status, a.resumed_from]), [['stopped', null], ['completed', 'last']]);
  assert.equal((readMarker(jobDir) as { remote_dir: string }).remote_dir, remoteDir);
  const log = readFileSync(join(jobDir, 'log.txt'), 'utf8');
  assert.ok(log.includes(`ckpt_path=${join(remoteDir, 'checkpoints', 'last.ckpt')}`), log.slice(-2000));
  assert.match(log, /resuming from \S+last\.ckpt/);
  // The second attempt continued after the checkpoint's epoch (CSVLogger's version_1), up to max_epochs.
  const second = readCsvMetrics(jobDir).filter((r) => r.attempt === 2).map((r) => r.epoch).filter((e): e is number => e !== undefined);
  assert.ok(second.length > 0 && Math.min(...second) > 0, `attempt 2 epochs: ${second}`);
  assert.equal(Math.max(...second), EPOCHS - 1);
  assert.equal(readManifest(sweepOf(ws)).jobs[0]!.status, 'completed');
  // A fork of the job runs here, from the copy that came back, with this machine's config dir and workspace.
  const first = findLightningCheckpoints(jobDir).find((c) => !c.isLast)!;
  const fork = bait(ws, ['resume', jobDir, '--fork', '--from', first.name, 'model.step_delay_s=0', `trainer.max_epochs=${EPOCHS + 1}`], {}, 300_000);
  assert.equal(fork.code, 0, fork.err + fork.out);
  const forked = readdirSync(join(ws, 'outputs'), { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('run.json')).map((p) => join(ws, 'outputs', p, '..'));
  assert.equal(forked.length, 1);
  assert.deepEqual(record(forked[0]!).parent, { run: jobDir, checkpoint: first.name });
  const forkLog = readFileSync(join(forked[0]!, 'log.txt'), 'utf8');
  assert.ok(forkLog.includes(first.path) && /ckpt_path=/.test(forkLog), `forked from the local copy of the checkpoint: ${forkLog.slice(0, 1500)}`);
  assert.ok(first.path.startsWith(jobDir));

  // Both attempts ran as the host's user, never as ours.
  const uid = Number(spawnSync('id', ['-u', TEST_USER], { encoding: 'utf8' }).stdout.trim());
  // lstat: Lightning 2.1.4 can leave last.ckpt as a link to itself (a resumed run that saves twice or more
  // with no epoch beating a top-k score: its "link last to the last saved file" then names last.ckpt; upstream #21110). BAIT's
  // readers skip such a link and resume from the newest real checkpoint; who owns the entry is what is checked here.
  for (const f of ['run.json', 'checkpoints/last.ckpt', 'csv/version_1/metrics.csv']) assert.equal(lstatSync(join(remoteDir, f)).uid, uid, f);
});
