// Starts a real VS Code (code-server 4.100.3, installed by test/setup/30-editor.mjs) headless and isolated in a
// fresh folder, and drives it with Playwright and Debian chromium. The recipe and its reasons are in the team
// note editor-e2e.md: isolated XDG/TMP dirs, no gallery, a fresh port and profile per run, and the whole process
// group killed at the end (the extension host would otherwise linger).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { Workbench } from './workbench.js';

export const repoRoot = join(__dirname, '../..');
export const CODE_SERVER = join(repoRoot, '.cache/code-server/node_modules/code-server/out/node/entry.js');
export const CHROMIUM = '/usr/bin/chromium';

/** Why the editor tier cannot run, or undefined when it can. */
export function editorMissing(): string | undefined {
  if (!existsSync(CODE_SERVER)) return `code-server is missing (${CODE_SERVER}); test/setup/30-editor.mjs installs it`;
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing; test/setup/30-editor.mjs installs Debian chromium`;
  if (!existsSync(join(repoRoot, 'dist/extension.js'))) return 'dist/extension.js is not built';
  return undefined;
}

/** Under CI=true a missing editor fails the tier; elsewhere the test skips and says so loudly. */
export function skipOrFailEditor(t: { skip: (msg: string) => void }): boolean {
  const why = editorMissing();
  if (!why) return false;
  if (process.env.CI === 'true') throw new Error(`editor tier cannot run: ${why}`);
  console.warn(`\n!!! SKIPPED editor tier: ${why}\n`);
  t.skip(why);
  return true;
}

export function freePort(): Promise<number> {
  return new Promise((resolveP, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolveP(port));
    });
  });
}

export interface CodeServer {
  port: number;
  url: string;
  base: string;
  log: string[];
  stop(): Promise<void>;
}

const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'telemetry.telemetryLevel': 'off',
  'update.mode': 'none', 'extensions.autoUpdate': false, 'git.enabled': false, 'workbench.tips.enabled': false,
  'extensions.ignoreRecommendations': true, 'workbench.enableExperiments': false,
};

function isolatedEnv(base: string): NodeJS.ProcessEnv {
  for (const d of ['config', 'data', 'cache', 'tmp']) mkdirSync(join(base, d), { recursive: true });
  return { ...process.env, XDG_CONFIG_HOME: join(base, 'config'), XDG_DATA_HOME: join(base, 'data'),
    XDG_CACHE_HOME: join(base, 'cache'), TMPDIR: join(base, 'tmp'), EXTENSIONS_GALLERY: '{}' };
}

export async function startCodeServer(opts: { workspace: string; vsix?: string; settings?: Record<string, unknown> }):
    Promise<CodeServer> {
  const base = mkdtempSync(join(tmpdir(), 'bait-cs-'));
  const env = isolatedEnv(base);
  const ud = join(base, 'ud');
  const ext = join(base, 'ext');
  mkdirSync(join(ud, 'User'), { recursive: true });
  mkdirSync(ext, { recursive: true });
  writeFileSync(join(ud, 'User/settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...opts.settings }, null, 2));
  if (opts.vsix) {
    const r = spawnSync('node', [CODE_SERVER, '--install-extension', opts.vsix, '--extensions-dir', ext, '--user-data-dir', ud],
      { env, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`installing ${opts.vsix} failed: ${r.stderr || r.stdout}`);
  }
  const port = await freePort();
  const log: string[] = [];
  const child: ChildProcess = spawn('node', [CODE_SERVER, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', ud, '--extensions-dir', ext, '--ignore-last-opened', opts.workspace],
  { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => log.push(String(d)));
  child.stderr!.on('data', (d) => log.push(String(d)));
  const stop = async (): Promise<void> => {
    if (child.pid === undefined || child.exitCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch { /* already gone */ }
    }, 5000);
    await gone;
    clearTimeout(timer);
    // Extension hosts are in the same process group; make sure none outlives the server.
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch { /* none left */ }
    rmSync(base, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${log.join('')}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not become healthy in 60 s:\n${log.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { port, url, base, log, stop };
}

export async function openBrowser(): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bait-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1400, height: 900 },
    env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache') },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  return {
    context, page,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface EditorOptions {
  workspace: string;
  /** A packaged extension to install (packageVsix); without one the editor runs without BAIT. */
  vsix?: string;
  /** User settings over the quiet defaults. */
  settings?: Record<string, unknown>;
  /** Names a failed step's screenshot: `failed-<prefix>-<step>.png`. */
  prefix?: string;
  /** Removed once the editor is closed (the test's temp folders). */
  remove?: string[];
  /** Runs once the editor is closed, after `remove` (services the test started for it). */
  after?: () => Promise<void> | void;
}

export interface Editor {
  cs: CodeServer;
  page: Page;
  wb: Workbench;
  /** A step of the scenario as a subtest of `t`; a failing step keeps a screenshot (Workbench.stepper). */
  step: (name: string, fn: () => Promise<void>) => Promise<void>;
}

/**
 * code-server on `workspace` and a browser on it, with the workbench ready (explorer rows shown). The teardown is
 * registered with `t.after` before anything starts, so a failure half-way (a port, a crash at start) still stops
 * what did start: the browser, then the whole code-server process group, then `remove` and `after`.
 */
export async function openEditor(t: { after: (fn: () => Promise<void>) => void; test: (name: string, fn: () => Promise<void>) => Promise<void> },
  opts: EditorOptions): Promise<Editor> {
  let cs: CodeServer | undefined;
  let browser: Awaited<ReturnType<typeof openBrowser>> | undefined;
  t.after(async () => {
    await browser?.close().catch(() => undefined);
    await cs?.stop();
    for (const p of opts.remove ?? []) rmSync(p, { recursive: true, force: true });
    await opts.after?.();
  });
  cs = await startCodeServer({ workspace: opts.workspace, ...(opts.vsix ? { vsix: opts.vsix } : {}), ...(opts.settings ? { settings: opts.settings } : {}) });
  browser = await openBrowser();
  const wb = new Workbench(browser.page);
  await browser.page.goto(`${cs.url}/?folder=${encodeURIComponent(opts.workspace)}`);
  await wb.ready();
  return { cs, page: browser.page, wb, step: wb.stepper(t, opts.prefix ?? '') };
}

/** The extension packaged as a .vsix into `dir`, exactly as users install it. */
export function packageVsix(dir: string): string {
  const out = join(dir, 'bait-experiments.vsix');
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies',
    '--allow-missing-repository', '--skip-license', '-o', out], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`vsce package failed: ${r.stderr || r.stdout}`);
  return out;
}

/** A workspace with a tiny runnable config tree, so the language server has configs to compose. */
export function makeWorkspace(files: Record<string, string> = {}): string {
  const ws = mkdtempSync(join(tmpdir(), 'bait-ws-'));
  const all: Record<string, string> = {
    // `_global_`: a group file's keys would otherwise land under its group's package (`base.trainer...`).
    'configs/base/trainer.yaml': '# @package _global_\ntrainer:\n  max_epochs: 3\n  seed: 1\n',
    'configs/demo.yaml': 'defaults:\n  - base/trainer\n  - _self_\n\nexp_config:\n  name: demo\n  experiment: demo_exp\ntrainer:\n  max_epochs: 2\n',
    ...files,
  };
  for (const [p, text] of Object.entries(all)) {
    mkdirSync(join(ws, p, '..'), { recursive: true });
    writeFileSync(join(ws, p), text);
  }
  return ws;
}
