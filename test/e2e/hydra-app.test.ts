// The workspace's own Hydra app in a real VS Code (code-server) with the packaged extension: the fixture Lightning
// app (test/fixtures/hydra-app, real hydra-core and lightning from .cache/venv) is found from its @hydra.main, the
// CodeLens runs it, the explorer and the metrics webview show what Lightning wrote, a CLI sweep shows with its jobs,
// and runs stopped (bait stop) or killed (SIGKILL) are resumed from the editor: the BAIT-layout run with the seed's
// keys from the resume tree, the template-layout run with ckpt_path from the palette. Screenshots in
// test-artifacts/e2e/app-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBrowser, packageVsix, skipOrFailEditor, startCodeServer } from './code-server.js';
import { Workbench } from './workbench.js';
import { venvPython } from '../infra/python.js';
import { waitFor } from '../infra/common.js';
import { APP_ENV, appWorkspace, bait, baitAsync, record, removeWorkspaces, runDirs, stopWhileFrozen } from '../app/helpers.js';
import { findLightningCheckpoints } from '../../runner/readers/lightning-checkpoints.js';

/** A run of the app started from the CLI, slow enough to be interrupted after its first checkpoint. */
async function interruptedRun(ws: string, config: string, root: string, how: 'stop' | 'kill'): Promise<string> {
  const before = new Set(runDirs(join(ws, root)));
  const run = baitAsync(ws, ['run', config, '--app', `${venvPython('hydra app e2e')} src/train.py`, 'data.limit=256', 'model.step_delay_s=0.15', 'trainer.max_epochs=3']);
  let dir = '';
  await waitFor(`a ${config} run with last.ckpt`, () => {
    dir = runDirs(join(ws, root)).find((d) => !before.has(d)) ?? '';
    return dir !== '' && findLightningCheckpoints(dir).some((c) => c.isLast) && !!record(dir).app?.pid;
  }, 120_000, 200);
  if (how === 'stop') assert.equal((await stopWhileFrozen(ws, dir)).code, 0);
  else process.kill(record(dir).app!.pid!, 'SIGKILL');
  await run.done;
  assert.equal(record(dir).status, how === 'stop' ? 'stopped' : 'failed');
  return dir;
}

test('a Hydra app in code-server: CodeLens run, explorer, metrics, sweep, resume with the seed keys and with ckpt_path', { timeout: 600_000 }, async (t) => {
  if (skipOrFailEditor(t)) return;
  const python = venvPython('hydra app e2e');
  if (!python) return t.skip('no .cache/venv');
  Object.assign(process.env, APP_ENV); // the editor's terminals inherit it: W&B stays offline
  const tmp = mkdtempSync(join(tmpdir(), 'bait-app-scenario-'));
  const vsix = packageVsix(tmp);
  const ws = appWorkspace('bait-app-e2e-');
  // The workspace has no .venv: the interpreter comes from the setting, the app from src/train.py's @hydra.main.
  const cs = await startCodeServer({ workspace: ws, vsix, settings: { 'bait.pythonPath': python } });
  const browser = await openBrowser();
  t.after(async () => {
    await browser.close();
    await cs.stop();
    rmSync(tmp, { recursive: true, force: true });
    removeWorkspaces();
  });
  const wb = new Workbench(browser.page);
  const step = (name: string, fn: () => Promise<void>) => t.test(name, async () => {
    try {
      await fn();
    } catch (e) {
      await wb.shot(`failed-app-${name.replace(/\W+/g, '-').slice(0, 60)}`).catch(() => undefined);
      throw e;
    }
  });
  await browser.page.goto(`${cs.url}/?folder=${encodeURIComponent(ws)}`);
  await wb.ready();

  let runDir = '';
  await step('Run Experiment on the app config runs src/train.py with the interpreter from the settings', async () => {
    await wb.openFile('configs/train.yaml');
    await wb.codeLens('Run Experiment').waitFor({ timeout: 60_000 });
    await wb.shot('app-01-config-with-lenses');
    await wb.codeLens('Run Experiment').click();
    const rows = await wb.viewRows('BAIT Runs');
    await rows.filter({ hasText: /completed · / }).first().waitFor({ timeout: 180_000 });
    [runDir] = runDirs(join(ws, 'outputs'));
    const rec = record(runDir!);
    assert.equal(rec.status, 'completed');
    assert.equal(rec.app?.command, `${python} src/train.py`);
    assert.ok(rec.attempts[0]!.status === 'completed');
    await wb.shot('app-02-run-finished');
  });

  await step("the run's metrics come from Lightning's CSVLogger", async () => {
    const rows = await wb.viewRows('BAIT Runs');
    await rows.filter({ hasText: /completed · / }).first().click();
    const view = wb.webview();
    await view.locator('.chart[data-metric="val_acc"] canvas').first().waitFor({ timeout: 60_000 });
    const points = Number(await view.locator('.chart[data-metric="train_loss_step"]').getAttribute('data-points'));
    assert.ok(points >= 10, `train_loss_step has the logged rows (${points})`);
    await wb.shot('app-03-metrics');
  });

  await step('a 2-job sweep of the app (its own Hydra launcher) shows with both jobs', async () => {
    const r = bait(ws, ['run', 'train', '--app', `${python} src/train.py`, '-m', 'model.lr=0.01,0.003', 'data.limit=128', 'trainer.max_epochs=1']);
    assert.equal(r.code, 0, r.err);
    const rows = await wb.viewRows('BAIT Runs');
    await rows.filter({ hasText: /2 jobs · 2 completed/ }).first().waitFor({ timeout: 60_000 });
    await wb.foldFolders();
    await rows.filter({ hasText: /2 jobs · 2 completed/ }).first().click();
    for (const n of [0, 1]) await rows.filter({ hasText: `#${n} model.lr=` }).first().waitFor({ timeout: 30_000 });
    await wb.shot('app-04-sweep');
  });

  await step("a stopped BAIT-layout run resumes from the resume tree with the seed's keys", async () => {
    const dir = await interruptedRun(ws, 'bait_train', 'runs', 'stop');
    const id = record(dir).id;
    const rows = await wb.viewRows('BAIT Runs');
    await rows.filter({ hasText: new RegExp(`stopped · ${id}`) }).first().waitFor({ timeout: 60_000 });
    await wb.command('BAIT: Open Checkpoint Tree');
    const view = wb.webview();
    const lane = view.locator(`.lane[data-run="${dir}"]`);
    await lane.locator('.checkpoint.last').first().waitFor({ timeout: 60_000 });
    await wb.shot('app-05-resume-tree-stopped');
    await lane.locator('vscode-button.resume').first().click();
    await waitFor('the resumed attempt to finish', () => record(dir).attempts.length === 2 && record(dir).status === 'completed', 180_000, 300);
    const log = readFileSync(join(dir, 'log.txt'), 'utf8');
    for (const key of ['exp_config.resume=true', `exp_config.directory=${dir}`]) assert.ok(log.includes(key), key);
    // A run id that starts with a digit is quoted for Hydra's grammar (a bare 1e5abc could read as a number), and
    // the log shows argv shell-quoted around that.
    assert.match(log, new RegExp(`logging_config\\.id=[\\\\'"]*${id}(?![\\w-])`), `logging_config.id=${id}`);
    await lane.locator('.attempt').nth(1).waitFor({ timeout: 60_000 });
    assert.equal(await lane.locator('.attempt').count(), 2);
    await wb.shot('app-06-resume-tree-two-attempts');
  });

  await step('a killed template-layout run resumes from the palette with ckpt_path', async () => {
    const dir = await interruptedRun(ws, 'train', 'outputs', 'kill');
    const id = record(dir).id;
    assert.match(record(dir).error ?? '', /killed by SIGKILL/);
    await (await wb.viewRows('BAIT Runs')).filter({ hasText: new RegExp(`failed · ${id}`) }).first().waitFor({ timeout: 60_000 });
    await wb.command('BAIT: Resume Run');
    await wb.pick(id);
    await waitFor('the resumed attempt to finish', () => record(dir).attempts.length === 2 && record(dir).status === 'completed', 180_000, 300);
    assert.match(readFileSync(join(dir, 'log.txt'), 'utf8'), /ckpt_path=\S*last\.ckpt/);
    const rows = await wb.viewRows('BAIT Runs');
    const run = rows.filter({ hasText: new RegExp(`completed · ${id}`) }).first();
    await run.waitFor({ timeout: 60_000 });
    await wb.shot('app-07-resumed-with-ckpt-path');
  });
});
