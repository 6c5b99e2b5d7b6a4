// Shared by the logging tests: a throwaway workspace, the `bait` CLI, and what the real `wandb` and `tensorboard`
// Python packages read back from a run (through their own readers: wandb's DataStore, TensorBoard's
// EventAccumulator; see read_logs.py).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { python, VENV, venvPython } from '../infra/python.js';

export const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'runner.js');
const READER = join(import.meta.dirname, 'read_logs.py');

export function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'bait-logging-'));
  cpSync(join(ROOT, 'configs'), join(ws, 'configs'), { recursive: true });
  cpSync(join(ROOT, 'data'), join(ws, 'data'), { recursive: true });
  return ws;
}

/** The environment without any W&B variable of the person running the tests. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WANDB_')));
  return { ...env, ...extra };
}

export function bait(ws: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ws, encoding: 'utf8', env: cleanEnv(env), timeout: 180_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

export function runDirOf(ws: string): string {
  const found: string[] = [];
  const walk = (d: string) => {
    if (existsSync(join(d, 'run.json'))) found.push(d);
    else for (const n of readdirSync(d, { withFileTypes: true })) if (n.isDirectory()) walk(join(d, n.name));
  };
  walk(join(ws, 'runs'));
  if (found.length !== 1) throw new Error(`expected one run, found ${found.length}`);
  return found[0]!;
}

export interface MetricsRow { step: number; epoch: number; time: number; attempt: number; [k: string]: number }

export function metricsRows(runDir: string): MetricsRow[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MetricsRow);
}

type Item = { key: string; value_json: string };
export interface WandbRecord {
  type: string;
  run?: { run_id: string; project: string; entity?: string; display_name?: string; notes?: string; tags?: string[]; run_group?: string; config: { update: Item[] } };
  history?: { item: Item[]; step?: { num?: string } };
  summary?: { update: Item[] };
  exit?: { exit_code?: number; runtime?: number };
}

export function pythonOrSkip(t: { skip(msg: string): void }): boolean {
  if (venvPython('logging tier')) return true;
  t.skip('no venv');
  return false;
}

/** The records of a .wandb file, read by the real wandb package's DataStore. */
export function readWandb(file: string): WandbRecord[] {
  return JSON.parse(python(`import runpy, sys; sys.argv = ['', 'wandb', ${JSON.stringify(file)}]; runpy.run_path(${JSON.stringify(READER)}, run_name='__main__')`)) as WandbRecord[];
}

export function itemsToObject(items: Item[]): Record<string, unknown> {
  return Object.fromEntries(items.map((i) => [i.key, JSON.parse(i.value_json)]));
}

/** History rows (as dicts) and the summary the updates add up to. */
export function wandbView(records: WandbRecord[]) {
  const history = records.filter((r) => r.history).map((r) => itemsToObject(r.history!.item));
  const summary: Record<string, unknown> = {};
  for (const r of records) if (r.summary) Object.assign(summary, itemsToObject(r.summary.update));
  const run = records.find((r) => r.run)?.run;
  const config = run ? itemsToObject(run.config.update) : {};
  return { run, config, history, summary, exits: records.filter((r) => r.type === 'exit') };
}

/** Every scalar TensorBoard's EventAccumulator loads from a directory: tag -> [[step, value]]. */
export function readTensorBoard(dir: string): Record<string, Array<[number, number]>> {
  return JSON.parse(python(`import runpy, sys; sys.argv = ['', 'tb', ${JSON.stringify(dir)}]; runpy.run_path(${JSON.stringify(READER)}, run_name='__main__')`));
}

export function wandbFileOf(runDir: string): string {
  const rec = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { id: string; wandb: { dir: string } };
  return join(runDir, rec.wandb.dir, `run-${rec.id}.wandb`);
}

/** A command as a child process, so the test's event loop keeps serving a loopback server meanwhile. */
export function runAsync(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: opts.cwd, env: opts.env });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const kill = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 240_000);
    p.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, out });
    });
  });
}

/** The real `wandb sync <folder>` (W&B's Python CLI) uploading to `baseUrl`, from a scratch home and directory. */
export function wandbSync(folder: string, baseUrl: string): Promise<{ code: number | null; out: string }> {
  const home = mkdtempSync(join(tmpdir(), 'bait-wandb-sync-'));
  return runAsync(join(VENV, 'bin', 'wandb'), ['sync', folder], {
    cwd: home, timeoutMs: 120_000,
    env: cleanEnv({ HOME: home, WANDB_API_KEY: 'k'.repeat(40), WANDB_BASE_URL: baseUrl }),
  });
}
