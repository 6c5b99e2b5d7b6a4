// `bait run <config> --app '<command>'` end to end on a real Hydra app (hydra-core 1.3.2, lightning 2.1.4 from
// .cache/venv) training on the shipped Mizar40 data: a run, stop and resume (Lightning's ckpt_path, and BAIT's
// seed keys with a W&B offline run), a fork, 2-job sweeps both ways, and the errors a user meets first.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { venvPython } from '../infra/python.js';
import { waitFor } from '../infra/common.js';
import { readCsvMetrics } from '../../runner/readers/csv-metrics.js';
import { readTensorBoardScalars } from '../../runner/readers/tb-events.js';
import { readWandbRuns } from '../../runner/readers/run-outputs.js';
import { findLightningCheckpoints } from '../../runner/readers/lightning-checkpoints.js';
import { appCheckpointDirs } from '../../runner/run/run_record.js';
import { scanRunsRoots } from '../../extension/run-dirs/scan.js';
import { buildExplorerTree, type ExplorerNode } from '../../extension/run-dirs/tree.js';
import { AppMetricsFollower } from '../../extension/run-dirs/app-run.js';
import { appWorkspace, bait, baitAsync, record, removeWorkspaces, runDirs, stopWhileFrozen } from './helpers.js';

const PY = venvPython('hydra app tier');
after(removeWorkspaces);
const skip = PY === null;
const APP = `${PY} src/train.py`;
/** Each epoch is 8 training batches; the delay lets a test stop a run after its first checkpoint. */
const SMALL = ['data.limit=256'];
// Long enough to be stopped mid-run (the first last.ckpt is written after epoch 0; the resume then trains the
// remaining epochs without the delay). The stop itself never races the end of training: see stopWhileFrozen.
const SLOW_EPOCHS = 12;
const SLOW = [...SMALL, 'model.step_delay_s=0.15', `trainer.max_epochs=${SLOW_EPOCHS}`];

/** Starts a slow run, waits for its first last.ckpt, stops it with `bait stop`; returns its directory. */
async function startAndStop(ws: string, args: string[], root: string): Promise<string> {
  const run = baitAsync(ws, ['run', ...args]);
  let dir = '';
  await waitFor('a run with last.ckpt', () => {
    dir = runDirs(join(ws, root))[0] ?? '';
    return dir !== '' && findLightningCheckpoints(dir).some((c) => c.isLast) && !!record(dir).app?.pid;
  }, 120_000, 200);
  // `bait attach` follows the running app's output until it is stopped.
  const attach = baitAsync(ws, ['attach', dir]);
  const stop = await stopWhileFrozen(ws, dir);
  assert.equal(stop.code, 0, stop.output);
  const end = await run.done;
  assert.equal(end.code, 130, end.output);
  assert.equal(record(dir).status, 'stopped');
  const attached = await attach.done;
  assert.equal(attached.code, 130, attached.output);
  assert.match(attached.output, /stop requested: SIGINT to the app/);
  return dir;
}

test('bait run --app runs the app with --config-name/--config-path and records a run of ours', { skip }, () => {
  const ws = appWorkspace();
  const r = bait(ws, ['run', 'train', '--app', APP, ...SMALL, 'trainer.max_epochs=2', 'model.lr=0.01']);
  assert.equal(r.code, 0, r.err + r.out);
  const [dir] = runDirs(join(ws, 'outputs'));
  assert.ok(dir, 'the run dir is hydra.run.dir (outputs/DATE/TIME)');
  const rec = record(dir!);
  assert.equal(rec.status, 'completed');
  assert.deepEqual(rec.overrides, ['data.limit=256', 'trainer.max_epochs=2', 'model.lr=0.01']);
  assert.equal(rec.app?.layout, 'hydra');
  assert.equal(rec.app?.ckpt_path_key, true);
  assert.equal(rec.app?.monitor, 'val_acc');
  assert.deepEqual(rec.app?.checkpoint_dirs, ['checkpoints'], 'kept relative to the run dir, so it holds wherever the dir goes');
  // Hydra wrote its files into the directory we pinned, with the user's overrides.
  const overrides = readFileSync(join(dir!, '.hydra', 'overrides.yaml'), 'utf8');
  assert.match(overrides, /- model\.lr=0\.01/);
  assert.match(readFileSync(join(dir!, '.hydra', 'config.yaml'), 'utf8'), /lr: 0\.01/);
  assert.match(readFileSync(join(dir!, 'log.txt'), 'utf8'), /--config-path \S+configs --config-name train/);
  // Lightning's checkpoints (top-2 by val_acc in the names, and last) and both loggers' metrics.
  const ckpts = findLightningCheckpoints(dir!, appCheckpointDirs(dir!, rec.app!), 'val_acc', 'max');
  assert.ok(ckpts.some((c) => c.isLast));
  assert.ok(ckpts.filter((c) => c.score !== undefined).length >= 1);
  const csv = readCsvMetrics(dir!);
  assert.deepEqual([...new Set(csv.map((x) => x.epoch))].sort(), [0, 1]);
  assert.ok(csv.some((x) => typeof x.val_acc === 'number'));
  const tb = readTensorBoardScalars(dir!);
  assert.ok(tb.some((x) => typeof x.val_loss === 'number'), 'TensorBoard scalars');
  // `bait attach` follows an app run to its end (here: already ended) and exits with its status.
  const attached = bait(ws, ['attach', dir!]);
  assert.equal(attached.code, 0, attached.err);
  assert.match(attached.out, /done: \{/);
  // `bait runs` lists it with its checkpoints and last metrics.
  const listed = JSON.parse(bait(ws, ['runs', '--json', 'outputs']).out) as { runs: Array<{ dir: string; status: string; checkpoints: unknown[]; latest_metrics: Record<string, number>; last: string }> };
  assert.equal(listed.runs.length, 1);
  assert.equal(listed.runs[0]!.status, 'completed');
  assert.equal(listed.runs[0]!.last, 'last');
  assert.equal(typeof listed.runs[0]!.latest_metrics.val_acc, 'number');
});

test('stop, then resume with ckpt_path in the same directory; fork from a checkpoint into a new run', { skip }, async () => {
  const ws = appWorkspace();
  const dir = await startAndStop(ws, ['train', '--app', APP, ...SLOW], 'outputs');
  const resumed = bait(ws, ['resume', dir, 'model.step_delay_s=0']);
  assert.equal(resumed.code, 0, resumed.err + resumed.out);
  assert.match(resumed.err, /resuming .* from .*last\.ckpt/);
  const rec = record(dir);
  assert.deepEqual(rec.attempts.map((a) => [a.status, a.resumed_from]), [['stopped', null], ['completed', 'last']]);
  assert.match(readFileSync(join(dir, 'log.txt'), 'utf8'), /ckpt_path=\S*last\.ckpt/);
  // The second attempt is CSVLogger's version_1 and continues after the checkpoint's epoch, up to max_epochs.
  const rows = readCsvMetrics(dir);
  const second = rows.filter((r) => r.attempt === 2).map((r) => r.epoch!).filter((e) => e !== undefined);
  assert.ok(second.length > 0 && Math.min(...second) > 0, `attempt 2 epochs: ${second}`);
  assert.equal(Math.max(...second), SLOW_EPOCHS - 1);

  const ckpts = findLightningCheckpoints(dir, appCheckpointDirs(dir, rec.app!), 'val_acc', 'max');
  const first = ckpts.find((c) => c.isBest) ?? ckpts.find((c) => !c.isLast)!;
  const fork = bait(ws, ['resume', dir, '--fork', '--from', first.name, 'model.step_delay_s=0', `trainer.max_epochs=${SLOW_EPOCHS + 1}`]);
  assert.equal(fork.code, 0, fork.err + fork.out);
  const forked = runDirs(join(ws, 'outputs')).filter((d) => d !== dir);
  assert.equal(forked.length, 1);
  const child = record(forked[0]!);
  assert.deepEqual(child.parent, { run: dir, checkpoint: first.name });
  assert.equal(child.status, 'completed');
  assert.match(readFileSync(join(forked[0]!, 'log.txt'), 'utf8'), new RegExp(`ckpt_path=\\S*${first.name.replace(/[.=]/g, '\\$&')}\\.ckpt`));

  // The run explorer (and the resume tree, which reads the same records): attempts, Lightning checkpoints with
  // the best by val_acc, and the fork under the checkpoint it came from.
  const scan = scanRunsRoots([join(ws, 'outputs')]);
  const run = scan.runs.find((r) => r.dir === dir)!;
  assert.deepEqual(run.attempts.map((a) => [a.index, a.status, a.resumedFrom]), [[1, 'stopped', undefined], [2, 'completed', 'last']]);
  // Whether last.ckpt is still a checkpoint depends on where the stop fell: Lightning 2.1.4 turns it into a link to
  // itself when none of the resumed epochs (two or more) beats a top-2 score (units.test.ts); the explorer then lists no
  // `last`, since there is none. (This made the test fail now and then.)
  const lastPath = join(dir, 'checkpoints', 'last.ckpt');
  const lastLoops = lstatSync(lastPath).isSymbolicLink() && readlinkSync(lastPath) === 'last.ckpt';
  assert.equal(run.checkpoints.some((c) => c.isLast), !lastLoops, `last.ckpt ${lastLoops ? 'links to itself' : 'is a checkpoint'}`);
  assert.equal(run.checkpoints.filter((c) => c.isBest).length, 1);
  assert.equal(run.monitor, 'val_acc');
  const tree = buildExplorerTree(scan);
  const dump = (ns: ExplorerNode[], d = 0): string => ns.map((n) => `${' '.repeat(d)}${n.kind}:${n.label}\n${dump(n.children, d + 1)}`).join('');
  // The run is at the top of its experiment/name group (the tree printed when it is not).
  const node = tree.flatMap((e) => e.children).flatMap((n) => n.children).find((n) => n.kind === 'run' && n.run.dir === dir)!;
  assert.ok(node, `${dir} at the top of its group in:\n${dump(tree)}${JSON.stringify(scan.runs.map((r) => [r.dir, r.experiment, r.name, r.parent]))}`);
  assert.deepEqual(node.children.filter((c) => c.kind === 'attempt').map((c) => c.label), ['attempt 1', 'attempt 2']);
  const forkedFrom = node.children.find((c) => c.kind === 'checkpoint' && c.checkpoint.name === first.name);
  assert.ok(forkedFrom, `${first.name} among ${node.children.map((c) => `${c.kind}:${c.label}`)}`);
  assert.deepEqual(forkedFrom!.children.map((c) => c.kind === 'run' && c.run.dir), [forked[0]]);
  // The metrics webview's follower reads CSVLogger's two versions as two attempts.
  const followed = new AppMetricsFollower(dir).read().rows;
  assert.deepEqual([...new Set(followed.map((r) => r.attempt))], [1, 2]);
  assert.ok(followed.some((r) => typeof r.val_acc === 'number'));
});

test("BAIT layout: stop, then resume with the seed's keys; the W&B offline run keeps the run id", { skip }, async () => {
  const ws = appWorkspace();
  const dir = await startAndStop(ws, ['bait_train', '--app', APP, ...SLOW], 'runs');
  assert.match(dir, /runs\/hydra_app\/bag_of_words\/\d{4}_\d\d_\d\d\/\d\d_\d\d_\d\d$/);
  const id = record(dir).id;
  const resumed = bait(ws, ['resume', dir, 'model.step_delay_s=0']);
  assert.equal(resumed.code, 0, resumed.err + resumed.out);
  const log = readFileSync(join(dir, 'log.txt'), 'utf8');
  for (const key of ['exp_config.resume=true', `exp_config.directory=${dir}`]) assert.ok(log.includes(key), key);
  // A run id that starts with a digit is quoted for Hydra's grammar (a bare 1e5abc could read as a number), and
  // the log shows argv shell-quoted around that.
  assert.match(log, new RegExp(`logging_config\\.id=[\\\\'"]*${id}(?![\\w-])`), `logging_config.id=${id}`);
  assert.match(log, /resuming from \S+last\.ckpt/);
  const rec = record(dir);
  assert.deepEqual(rec.attempts.map((a) => a.status), ['stopped', 'completed']);
  assert.equal(runDirs(join(ws, 'runs')).length, 1, 'the resume continued in the same directory');
  // Both attempts logged to the W&B run whose id is the run id; the history is read from the offline .wandb files.
  const wb = readWandbRuns(dir);
  assert.equal(wb.length, 2);
  assert.deepEqual(wb.map((w) => [w.id, w.offline]), [[id, true], [id, true]]);
  assert.ok(wb[1]!.history.some((h) => typeof h.val_acc === 'number'));
  assert.equal(typeof wb[1]!.summary.val_acc, 'number');
  assert.equal(wb[1]!.config.lr, 0.003);
});

test("a 2-job sweep handed to the app's own Hydra, and one with our local launcher (one process per job)", { skip }, () => {
  const ws = appWorkspace();
  const own = bait(ws, ['run', 'train', '--app', APP, '-m', 'model.lr=0.01,0.003', ...SMALL, 'trainer.max_epochs=1']);
  assert.equal(own.code, 0, own.err + own.out);
  assert.match(own.out + own.err, /\[HYDRA\] Launching 2 jobs locally/);
  const [sweep] = readdirSync(join(ws, 'multirun'), { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('sweep.json')).map((p) => join(ws, 'multirun', p, '..'));
  const manifest = JSON.parse(readFileSync(join(sweep!, 'sweep.json'), 'utf8')) as { launcher: string; jobs: Array<{ num: number; status: string; dir: string; overrides: string[] }> };
  assert.equal(manifest.launcher, 'app');
  assert.deepEqual(manifest.jobs.map((j) => [j.num, j.status, j.dir, j.overrides[0]]), [[0, 'completed', '0', 'model.lr=0.01'], [1, 'completed', '1', 'model.lr=0.003']]);
  assert.ok(existsSync(join(sweep!, 'multirun.yaml')), "Hydra's own multirun.yaml");
  for (const n of [0, 1]) {
    assert.equal(record(join(sweep!, String(n))).status, 'completed');
    assert.equal(record(join(sweep!, String(n))).sweep?.job_num, n);
  }

  const ours = bait(ws, ['run', 'bait_train', '--app', APP, '-m', 'model.lr=0.01,0.003', ...SMALL, 'trainer.max_epochs=1',
    'hydra/launcher=local', 'hydra.launcher.n_jobs=2', '~logger.wandb']);
  assert.equal(ours.code, 0, ours.err + ours.out);
  assert.match(ours.err, /2 jobs with the local launcher/);
  const jobs = runDirs(join(ws, 'multirun')).filter((d) => !d.startsWith(sweep!));
  assert.equal(jobs.length, 2);
  for (const [n, d] of jobs.entries()) {
    const rec = record(d);
    assert.equal(rec.status, 'completed');
    assert.equal(rec.sweep?.job_num, n);
    assert.equal(rec.app?.layout, 'bait');
    // Hydra's layout: <sweep dir>/<job num>, with hydra.job.num and hydra.sweep.dir as a multirun sets them.
    assert.ok(d.endsWith(`/${n}`));
    const hydra = readFileSync(join(d, '.hydra', 'hydra.yaml'), 'utf8');
    assert.match(hydra, new RegExp(`\\n    num: ${n}\\n`));
    assert.ok(hydra.includes(`dir: ${join(d, '..')}\n`), 'hydra.sweep.dir is the sweep');
    assert.ok(!readFileSync(join(d, '.hydra', 'overrides.yaml'), 'utf8').includes('launcher'), 'our launcher overrides never reach the app');
  }
});

test('errors: no interpreter, no script, shell syntax, and an app that exits non-zero', { skip }, () => {
  const ws = appWorkspace();
  const noPython = bait(ws, ['run', 'train', '--app', 'python-that-is-not-there src/train.py']);
  assert.equal(noPython.code, 1);
  assert.match(noPython.err, /'python-that-is-not-there' is not on PATH\. Point bait\.pythonPath/);
  const noScript = bait(ws, ['run', 'train', '--app', `${PY} src/nope.py`]);
  assert.equal(noScript.code, 1);
  assert.match(noScript.err, /src\/nope\.py does not exist/);
  const shell = bait(ws, ['run', 'train', '--app', `${PY} src/train.py; rm -rf /`]);
  assert.equal(shell.code, 1);
  assert.match(shell.err, /without a shell, so ';' at column/);
  assert.equal(runDirs(join(ws, 'outputs')).length, 0, 'nothing was started or created');

  const bad = bait(ws, ['run', 'train', '--app', APP, ...SMALL, '+trainer.no_such_flag=1']);
  assert.equal(bad.code, 3);
  const [dir] = runDirs(join(ws, 'outputs'));
  const rec = record(dir!);
  assert.equal(rec.status, 'failed');
  assert.match(rec.error!, /the app exited with code 1; its last lines:\n[\s\S]*no_such_flag/);
  // The closing line names the reason (the exception the app ended with), for the terminal and the notification.
  assert.match(bad.err, /failed: the app exited with code 1 \([\w.]*Error\b.*no_such_flag.*\)\. Log: \S+log\.txt/);
});

test("bait stop on a sweep the app's own Hydra runs stops it; the rest never start", { skip }, async () => {
  const ws = appWorkspace();
  const run = baitAsync(ws, ['run', 'train', '--app', APP, '-m', 'model.lr=0.01,0.003,0.001', ...SLOW]);
  let sweep = '';
  await waitFor('the first job to have a checkpoint', () => {
    const found = existsSync(join(ws, 'multirun')) ? readdirSync(join(ws, 'multirun'), { recursive: true, encoding: 'utf8' }).find((p) => p.endsWith('sweep.json')) : undefined;
    sweep = found ? join(ws, 'multirun', found, '..') : '';
    return sweep !== '' && findLightningCheckpoints(join(sweep, '0')).some((c) => c.isLast);
  }, 120_000, 200);
  const stop = bait(ws, ['stop', sweep]);
  assert.equal(stop.code, 0, stop.err);
  assert.match(stop.err, /asked the app's sweep .* to stop/);
  const end = await run.done;
  assert.equal(end.code, 130, end.output);
  const jobs = (JSON.parse(readFileSync(join(sweep, 'sweep.json'), 'utf8')) as { jobs: Array<{ status: string }> }).jobs.map((j) => j.status);
  // The job running at the stop and any the launcher started while it wound down are stopped; none ran to its end.
  assert.equal(jobs[0], 'stopped');
  assert.equal(jobs[2], 'pending', jobs.join());
  assert.ok(!jobs.includes('completed'), jobs.join());
  assert.equal(record(join(sweep, '0')).status, 'stopped');
});
