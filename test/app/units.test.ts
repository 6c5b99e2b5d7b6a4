// The pieces of app runs that need no app: splitting the app command (never a shell), quoting the overrides we
// add, reading Lightning checkpoint names, CSVLogger files, TensorBoard event files (written by the real
// tensorboard package) and resume templates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitCommandLine, isLauncherOverride } from '../../runner/app/command-line.js';
import { fillTemplate } from '../../runner/app/resume.js';
import { pinOverrides, type AppPlan } from '../../runner/app/plan.js';
import { parseOverride } from '../../runner/config/overrides/parser.js';
import { toPlain } from '../../runner/config/nodes.js';
import { findLightningCheckpoints, nameFields, pickCheckpoint } from '../../runner/readers/lightning-checkpoints.js';
import { csvFields, parseMetricsCsv } from '../../runner/readers/csv-metrics.js';
import { parseEvents } from '../../runner/readers/tb-events.js';
import { readWandbRuns } from '../../runner/readers/run-outputs.js';
import { python, venvPython } from '../infra/python.js';
import { HOSTILE } from '../launchers/hostile.js';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { readRun } from '../../extension/run-dirs/read-run.js';
import { jobArgv } from '../../runner/launchers/job-command.js';
import { appExtraArgs, isOurLauncher } from '../../runner/app/sweep.js';
import { tellingLine } from '../../runner/app/supervise.js';

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'bait-app-unit-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('the app command splits like shell words and refuses shell syntax with its column', () => {
  assert.deepEqual(splitCommandLine(`python  'my app.py' --x "a b" c\\ d -m pkg.mod~1`), ['python', 'my app.py', '--x', 'a b', 'c d', '-m', 'pkg.mod~1']);
  assert.deepEqual(splitCommandLine('.venv/bin/python src/train.py'), ['.venv/bin/python', 'src/train.py']);
  for (const [bad, col] of [['python a.py; rm x', 12], ['python a.py | tee', 13], ['python $(x).py', 8], ['python `x`', 8], ['python a.py >log', 13], ['python "$HOME/a.py"', 9], ['~/py a.py', 1]] as const) {
    assert.throws(() => splitCommandLine(bad), (e: Error) => e.message.includes(`at column ${col}`), bad);
  }
  assert.throws(() => splitCommandLine("python 'a.py"), /unclosed ' at column 8/);
  assert.throws(() => splitCommandLine('   '), /empty/);
});

test('launcher overrides are ours, never handed to the app', () => {
  assert.deepEqual(['hydra/launcher=local', 'hydra.launcher.n_jobs=2', '+hydra.launcher.gpus=[0]', 'model.lr=1', 'hydra.job.num=3'].map(isLauncherOverride),
    [true, true, true, false, false]);
});

test('pinned directories reach Hydra as the same string, whatever the path holds', () => {
  const plan = { layout: 'bait' } as AppPlan;
  for (const v of HOSTILE.filter((h) => h !== '' && !h.includes('\n'))) {
    const dir = `/tmp/ws/${v}/run`;
    for (const text of pinOverrides(plan, dir, `/tmp/${v}`)) {
      const r = parseOverride(text);
      assert.equal(r.error, undefined, text);
      // OmegaConf reads `\${` as a literal `${`, so an escaped one is the same path once resolved.
      const value = String(toPlain(r.override!.value as never)).replace(/\\\$\{/g, '${');
      assert.ok(value === dir || value === `/tmp/${v}`, `${text} -> ${JSON.stringify(value)}`);
    }
  }
});

test('resume templates fill {ckpt}, {dir} and {id} quoted, in their own words', () => {
  assert.deepEqual(fillTemplate('+trainer.resume={ckpt} run.id={id} +out={dir}/x', { ckpt: "/r/it's/last.ckpt", dir: '/r/a b', id: 'abc' }),
    ['+trainer.resume="/r/it\'s/last.ckpt"', 'run.id=abc', "+out='/r/a b'/x"]);
  assert.deepEqual(fillTemplate("+a='x y' b={id}", { ckpt: '', dir: '', id: '7' }), ["+a='x y'", "b='7'"]);
});

test('Lightning checkpoint names: epoch, step and the monitored score; last (a symbolic link too) and best', (t) => {
  assert.deepEqual(nameFields('epoch=3-step=40-val_acc=0.8125'), { epoch: 3, step: 40, val_acc: 0.8125 });
  assert.deepEqual(nameFields('epoch_007'), { epoch: 7 });
  assert.deepEqual(nameFields('epoch=2-val/loss=1e-3'), { epoch: 2, 'val/loss': 0.001 });
  const d = tmp(t);
  mkdirSync(join(d, 'checkpoints'));
  mkdirSync(join(d, 'csv/version_0/checkpoints'), { recursive: true });
  const files = ['checkpoints/epoch=0-val_acc=0.6000.ckpt', 'checkpoints/epoch=1-val_acc=0.7000.ckpt', 'csv/version_0/checkpoints/epoch=2-step=9.ckpt'];
  files.forEach((f, i) => {
    writeFileSync(join(d, f), 'x');
    utimesSync(join(d, f), 1000 + i, 1000 + i);
  });
  symlinkSync('epoch=1-val_acc=0.7000.ckpt', join(d, 'checkpoints/last.ckpt'));
  const c = findLightningCheckpoints(d, [join(d, 'checkpoints')], 'val_acc', 'max');
  assert.deepEqual(c.map((x) => [x.name, x.isBest, x.isLast]).sort(), [
    ['epoch=0-val_acc=0.6000', false, false], ['epoch=1-val_acc=0.7000', true, false], ['epoch=2-step=9', false, false], ['last', false, true]]);
  assert.equal(pickCheckpoint(c, 'last')?.name, 'last');
  assert.equal(pickCheckpoint(c, 'best')?.name, 'epoch=1-val_acc=0.7000');
  assert.equal(pickCheckpoint(c, 'epoch=2-step=9.ckpt')?.path, join(d, files[2]!));
  assert.equal(findLightningCheckpoints(d, [], 'val_acc', 'min').find((x) => x.isBest)?.name, 'epoch=0-val_acc=0.6000');
  // Lightning 2.1.4 can turn last.ckpt into a link to itself (a resumed run that saves twice or more with no epoch
  // beating a top-k score; upstream issue #21110): it is no checkpoint, and `last` resumes from the newest real one.
  rmSync(join(d, 'checkpoints/last.ckpt'));
  symlinkSync('last.ckpt', join(d, 'checkpoints/last.ckpt'));
  const looped = findLightningCheckpoints(d, [join(d, 'checkpoints')], 'val_acc', 'max');
  assert.ok(!looped.some((x) => x.isLast), looped.map((x) => x.name).join(', '));
  assert.equal(pickCheckpoint(looped, 'last')?.name, 'epoch=2-step=9');
});

test('a checkpoint without step= in its name: epoch and global_step read from the .ckpt torch wrote (zip and legacy)', { skip: venvPython('checkpoint counters') === null }, (t) => {
  const d = tmp(t);
  // Lightning's dict (epoch and global_step first, as Lightning's dump_checkpoint writes it), saved by the real torch:
  // steps of every int width the pickle uses (1, 2 and 4 bytes, and LONG1 past 2^31), in both file formats.
  const cases: Array<[string, number, number, boolean]> = [['small', 1, 8, true], ['mid', 12, 4000, true], ['big', 40, 1_000_000, true], ['huge', 3, 2 ** 33, true], ['legacy', 5, 77_777, false]];
  python(`import sys, torch
for name, epoch, step, zipped in ${JSON.stringify(cases).replace(/true/g, 'True').replace(/false/g, 'False')}:
    torch.save({"epoch": epoch, "global_step": step, "pytorch-lightning_version": "2.1.4", "state_dict": {"w": torch.zeros(3)},
                "loops": {"fit_loop": {"epoch_progress": {"total": {"completed": 99}}}}}, sys.argv[1] + "/" + name + ".ckpt",
               _use_new_zipfile_serialization=zipped)`, [d]);
  const found = new Map(findLightningCheckpoints(d).map((c) => [c.name, [c.epoch, c.step]]));
  for (const [name, epoch, step] of cases) assert.deepEqual(found.get(name), [epoch, step], name);
  // A name's own fields win; a file that is no checkpoint gives neither.
  writeFileSync(join(d, 'epoch=9-step=90.ckpt'), 'not a pickle');
  writeFileSync(join(d, 'last.ckpt'), 'not a pickle');
  const again = new Map(findLightningCheckpoints(d).map((c) => [c.name, [c.epoch, c.step]]));
  assert.deepEqual(again.get('epoch=9-step=90'), [9, 90]);
  assert.deepEqual(again.get('last'), [undefined, undefined]);
});

test("a failed app's telling line: its last exception, else its last line, never Hydra's HYDRA_FULL_ERROR hint", () => {
  assert.equal(tellingLine(['Error executing job with overrides: []', "Error in call to target 'T':", 'TypeError("bad")', 'full_key: trainer', '',
    'Set the environment variable HYDRA_FULL_ERROR=1 for a complete stack trace.']), 'TypeError("bad")');
  assert.equal(tellingLine(['Traceback (most recent call last):', '  File "x.py", line 1', "omegaconf.errors.ConfigAttributeError: Key 'x' is not in struct"]),
    "omegaconf.errors.ConfigAttributeError: Key 'x' is not in struct");
  assert.equal(tellingLine(['loading', 'Killed']), 'Killed');
  assert.equal(tellingLine([]), undefined);
});

test("CSVLogger rows: empty cells left out, quoted headers, a torn last line held back", () => {
  assert.deepEqual(csvFields('a,"b,c","d""e",'), ['a', 'b,c', 'd"e', '']);
  const text = 'epoch,step,"val,acc",train_loss\n0,3,,0.7\n0,7,0.5,\n1,1';
  assert.deepEqual(parseMetricsCsv(text), [{ epoch: 0, step: 3, train_loss: 0.7 }, { epoch: 0, step: 7, 'val,acc': 0.5 }]);
  assert.equal(parseMetricsCsv(text + '1,\n', 2).length, 3);
});

test('TensorBoard event files written by the real tensorboard package read back the same scalars', { skip: venvPython('tensorboard reader') === null }, (t) => {
  const d = tmp(t);
  // simple_value scalars (torch's SummaryWriter style) and tensor scalars of the `scalars` plugin (TF2 style).
  python(`
import sys, time
from tensorboard.compat.proto import summary_pb2, event_pb2, tensor_pb2, types_pb2
from tensorboard.summary.writer.event_file_writer import EventFileWriter
from tensorboard.plugins.scalar import metadata
w = EventFileWriter(sys.argv[1])
hist = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag='text', tensor=tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, string_val=[b'x']))])
w.add_event(event_pb2.Event(wall_time=2000.0, step=9, summary=hist))
for step in range(5):
    s = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag='loss', simple_value=1.0 / (step + 1))])
    w.add_event(event_pb2.Event(wall_time=1000.0 + step, step=step, summary=s))
    t = tensor_pb2.TensorProto(dtype=types_pb2.DT_DOUBLE, double_val=[step * 0.25])
    s = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag='val/acc', tensor=t, metadata=metadata.create_summary_metadata('', ''))])
    w.add_event(event_pb2.Event(wall_time=1000.5 + step, step=step, summary=s))
w.close()
`, [d]);
  const file = join(d, readdirSync(d)[0]!);
  const rows = parseEvents(readFileSync(file));
  assert.deepEqual(rows.filter((r) => r.loss !== undefined).map((r) => [r.step, Number(r.loss!.toFixed(4)), r.time]), [0, 1, 2, 3, 4].map((s) => [s, Number((1 / (s + 1)).toFixed(4)), 1000 + s]));
  assert.deepEqual(rows.filter((r) => r['val/acc'] !== undefined).map((r) => [r.step, r['val/acc']]), [0, 1, 2, 3, 4].map((s) => [s, s * 0.25]));
  assert.equal(rows.length, 10, 'the string tensor is not a scalar');
  // A record cut in the middle (the app still writing) ends the read without an error.
  const bytes = readFileSync(file);
  writeFileSync(file, bytes.subarray(0, bytes.length - 7));
  assert.equal(parseEvents(readFileSync(file)).length, 9);
  appendFileSync(file, bytes.subarray(bytes.length - 7));
  assert.equal(parseEvents(readFileSync(file)).length, 10);
});

test('every launcher (local, SSH, SLURM) starts an app job as `bait run --app` with the job overrides and number', () => {
  const runner = { script: '/x/dist/runner.js', configName: 'train', configDir: '/ws/configs', node: 'node',
    ...appExtraArgs({ command: 'python src/train.py', resume: '+r={ckpt}' }, ['--version-base', '1.1']) };
  assert.deepEqual(jobArgv({ num: 3, overrides: ['model.lr=0.1'] }, runner), ['node', '/x/dist/runner.js', 'run', 'train', '--config-dir', '/ws/configs',
    '--version-base', '1.1', '--app', 'python src/train.py', '--app-resume', '+r={ckpt}', 'model.lr=0.1', 'hydra.job.num=3']);
  assert.deepEqual(appExtraArgs(undefined), {});
  assert.equal(isOurLauncher({ _target_: 'bait.launchers.SlurmLauncher' }), true);
  assert.equal(isOurLauncher({ _target_: 'hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher' }), false);
});

test('an online W&B run folder: files/wandb-summary.json and the values of files/config.yaml', (t) => {
  const d = tmp(t);
  const run = join(d, 'wandb', 'run-20261205_041500-abcd1234');
  mkdirSync(join(run, 'files'), { recursive: true });
  writeFileSync(join(run, 'files', 'wandb-summary.json'), JSON.stringify({ val_acc: 0.81, _step: 40, _wandb: { runtime: 3 } }));
  writeFileSync(join(run, 'files', 'config.yaml'), '_wandb:\n  value: {cli_version: 0.19.11}\nlr:\n  desc: null\n  value: 0.003\nmodel:\n  value: {dim: 32}\n');
  mkdirSync(join(d, 'wandb', 'not-a-run'));
  const [w, ...rest] = readWandbRuns(d);
  assert.equal(rest.length, 0);
  assert.deepEqual([w!.id, w!.offline, w!.summary.val_acc, w!.config], ['abcd1234', false, 0.81, { lr: 0.003, model: { dim: 32 } }]);
  assert.deepEqual(w!.history, []);
});

test("an app run whose processes are gone without an end shows as failed in the explorer, with the reason", (t) => {
  const d = tmp(t);
  const dead = spawnSync('true').pid!;
  const base = { id: 'x1', status: 'running', host: hostname(), attempts: [], app: { command: 'python a.py', pid: dead } };
  writeFileSync(join(d, 'run.json'), JSON.stringify({ ...base, pid: dead }));
  const gone = readRun(d);
  assert.equal(gone.status, 'failed');
  assert.match(gone.problems.join('\n'), /are gone without recording an end/);
  writeFileSync(join(d, 'run.json'), JSON.stringify({ ...base, pid: process.pid }));
  assert.equal(readRun(d).status, 'running');
});
