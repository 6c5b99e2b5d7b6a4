// A run on an SSH host seen from this machine while it runs (what the editor's explorer and metrics view read):
// its run.json and metrics.jsonl are mirrored into the local job directory during the run; `bait stop` stops it
// there; `bait resume <job dir>` resumes it on the same host (not here), mirrored again, and Ctrl-C stops it. Real
// sshd on loopback, real training on the shipped data.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMarker } from '../../runner/launchers/remote-marker.js';
import { run, waitFor } from '../infra/common.js';
import { skipUnlessSsh, startSshd, TEST_USER, type SshdCluster } from '../infra/sshd.js';
import { TINY_WORKSPACE_DATA } from '../e2e/tiny-workspace.js';

const skip = skipUnlessSsh();
const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'runner.js');
let cluster: SshdCluster;
let ws: string;
const children: ChildProcess[] = [];

before(async () => {
  if (skip) return;
  cluster = await startSshd({ addresses: ['127.0.0.1'] });
  ws = mkdtempSync(join(tmpdir(), 'bait-ssh-follow-'));
  cpSync(join(ROOT, 'configs'), join(ws, 'configs'), { recursive: true });
  cpSync(join(ROOT, 'data'), join(ws, 'data'), { recursive: true });
  writeFileSync(join(ws, 'configs/premise_selection/mizar40/remote_tiny.yaml'), TINY_WORKSPACE_DATA);
  mkdirSync(join(ws, 'configs/hydra/launcher'), { recursive: true });
  const h = cluster.hosts[0]!;
  writeFileSync(join(ws, 'configs/hydra/launcher/lab.yaml'), `_target_: bait.launchers.SSHLauncher\npoll_interval_s: 0.3\nhosts: ${JSON.stringify([{
    name: h.name, host: h.address, port: h.port, user: h.user, identity_file: h.identityFile, known_hosts: h.knownHostsFile, work_dir: h.workDir }])}\n`);
});
after(async () => {
  if (skip) return;
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await cluster?.stop();
  if (ws) rmSync(ws, { recursive: true, force: true });
});

const runJson = (dir: string): { status?: string; attempts?: { resumed_from?: string }[] } | undefined => {
  try {
    return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  } catch {
    return undefined;
  }
};
const steps = (dir: string): number[] => (existsSync(join(dir, 'metrics.jsonl'))
  ? readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).step as number) : []);

function start(args: string[]): { child: ChildProcess; out: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ws, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  child.stdout!.on('data', (d) => { text += String(d); });
  child.stderr!.on('data', (d) => { text += String(d); });
  return { child, out: () => text, exit: new Promise((r) => child.once('exit', (code) => r(code))) };
}

test('a remote run is mirrored here while it runs; stop and resume happen on its host', { skip, timeout: 420_000 }, async () => {
  const sweep = start(['run', 'premise_selection/mizar40/remote_tiny', '-m', 'trainer.max_steps=1000000', 'trainer.max_epochs=100000',
    'hydra/launcher=lab']);
  await waitFor('the job to start on host1', () => /job #0 started on host1/.test(sweep.out()), 120_000, 200);
  const day = join(ws, 'multirun', readdirSync(join(ws, 'multirun'))[0]!);
  const jobDir = join(day, readdirSync(day)[0]!, '0');
  const first = readMarker(jobDir);
  assert.ok(first?.kind === 'ssh' && first.runner, 'the marker records how the job was started on the host');

  // While it runs: run.json says running and metrics rows arrive here, before anything is brought back.
  await waitFor('mirrored metrics while the remote job runs', () => runJson(jobDir)?.status === 'running' && steps(jobDir).length >= 5,
    180_000, 200);
  assert.ok(!existsSync(join(jobDir, 'log.txt')), 'the run directory itself has not come back yet (only the mirror)');
  assert.equal(sweep.child.exitCode, null);
  // A one-job sweep on a host is one run sent there: its training output streams to this terminal too.
  await waitFor('the job\'s own output in the sweep\'s terminal', () => /validation: val_loss=/.test(sweep.out()), 60_000, 200);

  const stop = spawnSync(process.execPath, [CLI, 'stop', jobDir], { cwd: ws, encoding: 'utf8', timeout: 60_000 });
  assert.equal(stop.status, 0, stop.stderr);
  assert.equal(await sweep.exit, 130, sweep.out());
  assert.ok(sweep.out().includes(`stopped on host1 (exit 130); \`bait resume ${jobDir}\` resumes it there`), sweep.out());
  assert.equal(runJson(jobDir)?.status, 'stopped');
  assert.ok(existsSync(join(jobDir, 'checkpoints', 'last')), 'the stopped run came back with its last checkpoint');
  const stoppedAt = Math.max(...steps(jobDir));

  // Resume on the host: a new remote process (the test user's), mirrored again, continuing past the stop.
  const resume = start(['resume', jobDir]);
  await waitFor('the resumed attempt to run on the host', () => {
    const m = readMarker(jobDir);
    return !!m && m.kind === 'ssh' && m.pid !== (first as { pid: number }).pid && runJson(jobDir)?.status === 'running'
      && runJson(jobDir)?.attempts?.length === 2 && Math.max(...steps(jobDir)) > stoppedAt + 3;
  }, 180_000, 200);
  const again = readMarker(jobDir) as { pid: number };
  assert.equal(run('ps', ['-o', 'user=', '-p', String(again.pid)]).stdout.trim(), TEST_USER, 'the resumed process runs as the host\'s user');
  assert.match(resume.out(), /resuming .* on host1/);

  // Ctrl-C in the resuming terminal stops the remote run; it saves `last` and comes back stopped.
  resume.child.kill('SIGINT');
  assert.equal(await resume.exit, 130, resume.out());
  const rj = runJson(jobDir)!;
  assert.equal(rj.status, 'stopped');
  assert.equal(rj.attempts?.length, 2);
  assert.match(rj.attempts?.[1]?.resumed_from ?? '', /last/);
  assert.ok(existsSync(join(jobDir, 'log.txt')));
});
