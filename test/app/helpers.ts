// A workspace with the fixture Hydra app (test/fixtures/hydra-app: a small Lightning premise-selection app on the
// shipped Mizar40 data), and `bait` run in it the way a user runs it. The app runs on the real hydra-core and
// lightning of .cache/venv (test/setup/15-python.mjs).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '../../runner/run/run_record.js';
import { waitFor } from '../infra/common.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'runner.js');
export const APP_FIXTURE = join(ROOT, 'test', 'fixtures', 'hydra-app');

/** Quiet, offline, and never the user's W&B account. */
export const APP_ENV = { WANDB_MODE: 'offline', WANDB_SILENT: 'true', WANDB_DISABLE_GIT: 'true', WANDB_DISABLE_CODE: 'true' };

const made: string[] = [];

/** Removes every workspace appWorkspace made (call from the test file's `after`). */
export function removeWorkspaces(): void {
  for (const ws of made.splice(0)) rmSync(ws, { recursive: true, force: true });
}

export function appWorkspace(prefix = 'bait-app-'): string {
  const ws = mkdtempSync(join(tmpdir(), prefix));
  made.push(ws);
  for (const d of ['src', 'configs']) cpSync(join(APP_FIXTURE, d), join(ws, d), { recursive: true });
  cpSync(join(ROOT, 'data'), join(ws, 'data'), { recursive: true });
  return ws;
}

export function bait(ws: string, args: string[], env: Record<string, string> = {}, timeoutMs = 180_000) {
  const r = spawnSync('nice', ['-n', '10', process.execPath, CLI, ...args], { cwd: ws, encoding: 'utf8', env: { ...process.env, ...APP_ENV, ...env }, timeout: timeoutMs });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Starts `bait` without waiting; resolves with its exit code and output. */
export function baitAsync(ws: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn('nice', ['-n', '10', process.execPath, CLI, ...args], { cwd: ws, env: { ...process.env, ...APP_ENV, ...env } });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const done = new Promise<{ code: number | null; output: string }>((res) => child.on('close', (code) => res({ code, output })));
  return { child, done };
}

/** Run directories (with run.json) under a root, sorted. */
export function runDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    if (existsSync(join(d, 'run.json'))) out.push(d);
    for (const n of readdirSync(d, { withFileTypes: true })) {
      if (n.isDirectory() && !['checkpoints', 'wandb', '.hydra', 'csv', 'tensorboard'].includes(n.name)) walk(join(d, n.name));
    }
  };
  walk(root);
  return out.sort();
}

export function record(dir: string): RunRecord & { attempts: Array<RunRecord['attempts'][number] & { exit_code?: number | null }> } {
  return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
}

/**
 * `bait stop <dir>` on a running app run, with the app frozen (SIGSTOP) until bait has passed the stop request on
 * to it (log.txt says so), so training cannot end first however long `bait stop` takes to start on a loaded
 * machine. The app handles the request as soon as it runs again.
 */
export async function stopWhileFrozen(ws: string, dir: string): Promise<{ code: number | null; output: string }> {
  const pid = record(dir).app?.pid;
  if (!pid) throw new Error(`${dir}: run.json names no app process yet`);
  let frozen = true;
  const thaw = () => {
    if (!frozen) return;
    frozen = false;
    process.kill(pid, 'SIGCONT');
  };
  process.kill(pid, 'SIGSTOP');
  try {
    const stop = baitAsync(ws, ['stop', dir]);
    await waitFor('bait to pass the stop request to the app', () => readFileSync(join(dir, 'log.txt'), 'utf8').includes('[bait] stop requested'), 120_000);
    thaw();
    return await stop.done;
  } finally {
    thaw();
  }
}
