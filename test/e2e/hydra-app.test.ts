// The workspace's own Hydra app in a real VS Code (code-server) with the packaged extension: the fixture Lightning
// app (test/fixtures/hydra-app, real hydra-core and lightning from .cache/venv) is found from its @hydra.main, the
// CodeLens runs it, the explorer and the metrics webview show what Lightning wrote, a CLI sweep shows with its jobs,
// and runs killed (SIGKILL to the app) are resumed from the editor: the BAIT-layout run with the seed's
// keys from the resume tree (its attempts and checkpoints at the steps the app logged), the template-layout run with
// ckpt_path from the run explorer's context menu; the errors a user meets first keep their reason visible. Screenshots in
// test-artifacts/e2e/app-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEditor, packageVsix, skipOrFailEditor } from './code-server.js';
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
  const { page, wb, step } = await openEditor(t, { workspace: ws, vsix, prefix: 'app', remove: [tmp], after: removeWorkspaces,
    // The DOM renderer, so the tests can read the terminal's text.
    settings: { 'bait.pythonPath': python, 'terminal.integrated.gpuAcceleration': 'off' } });

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

  await step("a killed BAIT-layout run resumes from the resume tree with the seed's keys", async () => {
    const dir = await interruptedRun(ws, 'bait_train', 'runs', 'kill');
    const id = record(dir).id;
    const rows = await wb.viewRows('BAIT Runs');
    await rows.filter({ hasText: new RegExp(`failed · ${id}`) }).first().waitFor({ timeout: 60_000 });
    await wb.command('BAIT: Open Checkpoint Tree');
    const view = wb.webview();
    const lane = view.locator(`.lane[data-run="${dir}"]`);
    await lane.locator('.checkpoint.last').first().waitFor({ timeout: 60_000 });
    await wb.shot('app-05-resume-tree-killed');
    await lane.locator('vscode-button.resume').first().click();
    await waitFor('the resumed attempt to finish', () => record(dir).attempts.length === 2 && record(dir).status === 'completed', 180_000, 300);
    const log = readFileSync(join(dir, 'log.txt'), 'utf8');
    for (const key of ['exp_config.resume=true', `exp_config.directory=${dir}`]) assert.ok(log.includes(key), key);
    // A run id that starts with a digit is quoted for Hydra's grammar (a bare 1e5abc could read as a number), and
    // the log shows argv shell-quoted around that.
    assert.match(log, new RegExp(`logging_config\\.id=[\\\\'"]*${id}(?![\\w-])`), `logging_config.id=${id}`);
    await lane.locator('.attempt').nth(1).waitFor({ timeout: 60_000 });
    assert.equal(await lane.locator('.attempt').count(), 2);
    // Each attempt spans the steps the app logged (CSVLogger's version_0, then version_1) and each checkpoint sits
    // at the global_step its .ckpt holds: 3 epochs of 8 batches end at step 24, whatever the file names say.
    await waitFor('the resumed attempt on the step axis', async () => /steps [1-9]/.test(await lane.locator('.bar').nth(1).getAttribute('title') ?? ''), 60_000, 300);
    const spans = (await lane.locator('.bar').evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? '')))
      .map((title) => /steps (\d+)–(\d+)/.exec(title)!.slice(1).map(Number));
    assert.ok(spans[0]![1]! > 0 && spans[1]![0]! >= spans[0]![1]! && spans[1]![1]! > spans[1]![0]!, JSON.stringify(spans));
    const lastDot = lane.locator('.track-row[data-attempt-row="2"] .checkpoint.last');
    assert.match(await lastDot.getAttribute('title') ?? '', /step 24\b/);
    // Not at the start of the axis, as it was when only metrics.jsonl (which an app does not write) gave steps.
    assert.ok(Number(/left:\s*([\d.]+)%/.exec(await lastDot.getAttribute('style') ?? '')?.[1]) > 0);
    await wb.shotThemes('app-06-resume-tree-two-attempts');
  });

  await step("a killed template-layout run resumes from the run explorer's menu with ckpt_path", async () => {
    const dir = await interruptedRun(ws, 'train', 'outputs', 'kill');
    const id = record(dir).id;
    assert.match(record(dir).error ?? '', /killed by SIGKILL/);
    const failed = (await wb.viewRows('BAIT Runs')).filter({ hasText: new RegExp(`failed · ${id}`) }).first();
    await failed.waitFor({ timeout: 60_000 });
    await wb.contextMenu(failed, 'Resume Run');
    await waitFor('the resumed attempt to finish', () => record(dir).attempts.length === 2 && record(dir).status === 'completed', 180_000, 300);
    assert.match(readFileSync(join(dir, 'log.txt'), 'utf8'), /ckpt_path=\S*last\.ckpt/);
    const rows = await wb.viewRows('BAIT Runs');
    const run = rows.filter({ hasText: new RegExp(`completed · ${id}`) }).first();
    await run.waitFor({ timeout: 60_000 });
    await wb.shot('app-07-resumed-with-ckpt-path');
  });
  await step('errors keep the reason in the terminal and in a notification with Open log: the app exits non-zero, no interpreter, no app', async () => {
    const notice = async (reason: RegExp, inTerminal: RegExp, shot: string): Promise<void> => {
      const toast = wb.notification(reason);
      await toast.waitFor({ timeout: 120_000 });
      assert.deepEqual((await toast.locator('.monaco-button').allTextContents()).map((b) => b.trim()), ['Open log', 'Show config']);
      // The run's terminal stays, showing the reason (xterm wraps long lines into rows: read as one text).
      const text = (await wb.waitForTerminalText(/run ended: failed \(exit \d\)/)).replace(/\n/g, '');
      assert.match(text, inTerminal, 'the reason stays readable in the terminal');
      await wb.shot(shot);
      await toast.locator('.monaco-button', { hasText: 'Open log' }).click();
    };
    /**
     * Runs train.yaml after .vscode/settings.json changed, until the run fails with `reason`. The extension reads
     * the settings at each run, but VS Code reloads the file on its file watcher, which on a loaded machine can lag
     * the write: a run started before that uses the old settings and completes (its terminal says so). Then it
     * is started again; the product's own answer (the notification, or the completed run) decides, not a sleep.
     */
    const runWithNewSettings = async (reason: RegExp): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        await wb.openFile('.vscode/settings.json');
        await wb.openFile('configs/train.yaml');
        await wb.codeLens('Run Experiment').click();
        const failed = wb.notification(reason).waitFor({ timeout: 180_000 }).then(() => true, () => false);
        const completed = wb.waitForTerminalText(/run ended: completed/, 180_000).then(() => false, () => new Promise<boolean>(() => undefined));
        if (await Promise.race([failed, completed])) return;
        assert.ok(attempt < 3, 'the new workspace settings reached the extension');
        // The old settings' run: its terminal goes, so the next check reads the next run's.
        await wb.command('Terminal: Kill the Active Terminal Instance');
      }
    };
    // The app exits 1 on an override its Trainer does not take: the closing line names the exception.
    await wb.openFile('configs/train.yaml');
    await wb.runWithOverrides('+trainer.no_such_flag=1 data.limit=64');
    await notice(/train .*failed: bait: run \S+ failed: the app exited with code 1 \(TypeError.*no_such_flag/, /unexpected keyword argument 'no_such_flag'/, 'app-08-app-exits-nonzero');
    await page.locator('.tab.active', { hasText: 'log.txt' }).waitFor({ timeout: 30_000 });

    // No interpreter, then no app: workspace settings the extension reads at each run.
    mkdirSync(join(ws, '.vscode'), { recursive: true });
    const settingsFile = join(ws, '.vscode', 'settings.json');
    writeFileSync(settingsFile, JSON.stringify({ 'bait.pythonPath': '/nonexistent/bin/python' }));
    await runWithNewSettings(/train failed: bait: cannot start the app: '\/nonexistent\/bin\/python' does not exist.*bait\.pythonPath/);
    await notice(/train failed: bait: cannot start the app: '\/nonexistent\/bin\/python' does not exist.*bait\.pythonPath/, /Point bait\.pythonPath/, 'app-09-no-interpreter');
    await page.locator('.tab.active', { hasText: /Untitled|log/ }).waitFor({ timeout: 30_000 });

    writeFileSync(settingsFile, JSON.stringify({ 'bait.pythonPath': python, 'bait.apps': [{ configDir: 'configs', command: 'python src/nope.py' }] }));
    await runWithNewSettings(/train failed: bait: cannot start the app: src\/nope\.py does not exist/);
    await notice(/train failed: bait: cannot start the app: src\/nope\.py does not exist/, /src\/nope\.py does not exist/, 'app-10-no-app');
    rmSync(join(ws, '.vscode'), { recursive: true, force: true });
  });
});
