// How the workbench looks in every theme VS Code ships (issue #17): the composed config view with its provenance
// hover and Go to Definition working, and each webview (metrics, runs table, compare, checkpoint & resume tree)
// in light, dark and both high-contrast themes, in a real VS Code (code-server) with the packaged extension. The
// runs are fixtures in the runner's layout (no training), so this tier is about what users see. Screenshots:
// test-artifacts/e2e/look-*-{light,dark,hc-dark,hc-light}.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEditor, packageVsix, repoRoot, skipOrFailEditor } from './code-server.js';
import { writeFixtureRun, writeFixtureSweep } from './fixture-runs.js';
import { ALL_THEMES } from './workbench.js';

const CONFIG = 'premise_selection/mizar40/bag_of_words';

test('the workbench in light, dark and high contrast: composed config, metrics, runs table, compare, resume tree', { timeout: 600_000 }, async (t) => {
  if (skipOrFailEditor(t)) return;
  const tmp = mkdtempSync(join(tmpdir(), 'bait-look-'));
  const ws = join(tmp, 'ws');
  cpSync(join(repoRoot, 'configs'), join(ws, 'configs'), { recursive: true });
  const runs = join(ws, 'runs');
  const resumed = writeFixtureRun({ root: runs, stamp: '2026-11-28/09-00-00', id: 'resumed1', steps: 300, attempts: 3, status: 'completed',
    overrides: ['model.lr=0.001'], checkpoints: { 'epoch=0-step=5': 0.61, 'epoch=1-step=10': 0.52, 'epoch=2-step=15': 0.55, last: 0.5 } });
  writeFixtureRun({ root: runs, stamp: '2026-11-28/09-30-00', id: 'forked1', steps: 120, status: 'failed', overrides: ['model.lr=0.01'],
    parent: { run: resumed, checkpoint: 'epoch=1-step=10' }, checkpoints: { last: 0.7 } });
  writeFixtureSweep(join(ws, 'multirun'), [{ overrides: ['model.lr=0.001', 'trainer.seed=1'] },
    { overrides: ['model.lr=0.01', 'trainer.seed=1'] }, { overrides: ['model.lr=0.1', 'trainer.seed=2'], status: 'failed' }], { steps: 200 });
  // Where the composed config's `trainer.max_epochs` sits, and where it was set: the hover and F12 are checked against these.
  const composed = spawnSync(process.execPath, [join(repoRoot, 'dist/runner.js'), 'run', CONFIG, '--cfg', 'job', '--config-dir', join(ws, 'configs')],
    { encoding: 'utf8' });
  assert.equal(composed.status, 0, composed.stderr);
  const composedLine = composed.stdout.split('\n').findIndex((l) => l === '  max_epochs: 12') + 1;
  assert.ok(composedLine > 0, 'the composed config has trainer.max_epochs: 12');
  const sourceLine = readFileSync(join(ws, 'configs', `${CONFIG}.yaml`), 'utf8').split('\n').findIndex((l) => l === '  max_epochs: 12') + 1;

  const { page, wb, step } = await openEditor(t, { workspace: ws, vsix: packageVsix(tmp), prefix: 'look', remove: [tmp],
    settings: { 'workbench.colorTheme': 'Default Light Modern' } });
  const shots = (name: string, settle?: () => Promise<void>) => wb.shotThemes(`look-${name}`, settle, ALL_THEMES);

  await step('composed config: its own tab, a provenance hover, and Go to Definition to the source line', async () => {
    await wb.openFile(`${CONFIG}.yaml`);
    await wb.codeLens('Show Composed Config').waitFor({ timeout: 60_000 });
    await wb.codeLens('Show Composed Config').click();
    await page.locator('.tab.active', { hasText: 'bag_of_words (composed).yaml' }).waitFor({ timeout: 60_000 });
    const editor = page.locator('.editor-group-container.active .monaco-editor').first();
    const line = editor.locator('.view-line', { hasText: /^\s*max_epochs:\s12\s*$/ }).first();
    const value = line.locator('span span', { hasText: /^12$/ }).first();
    const showLine = async (): Promise<void> => {
      if (await line.isVisible()) return;
      await editor.click();
      await page.keyboard.press('Control+G');
      await page.keyboard.type(String(composedLine));
      await page.keyboard.press('Enter');
      await line.waitFor({ timeout: 10_000 });
    };
    const hover = page.locator('.monaco-hover', { hasText: 'trainer.max_epochs set by' }).first();
    const showHover = async (): Promise<void> => {
      await showLine();
      await page.mouse.move(0, 0);
      await value.hover();
      await hover.waitFor({ timeout: 30_000 });
      // The hover fades in: screenshot it once its animation has finished, not half transparent.
      await hover.evaluate((e) => Promise.all(e.closest('.monaco-hover, .editor-hover-widget, .overlayWidgets')!.getAnimations({ subtree: true })
        .map((a) => a.finished.catch(() => undefined))));
    };
    await showHover();
    const text = (await hover.innerText()).replace(/\u00a0/g, ' ');
    assert.match(text, new RegExp(`configs/${CONFIG}\\.yaml:${sourceLine}:3`), text);
    assert.match(text, /overrides: .*configs\/premise_selection\/premise_selection\.yaml:\d+:3/, 'what it overrode');
    await shots('01-composed-hover', showHover);
    // Go to Definition on the value opens the file and line that set it.
    await showLine();
    await value.click();
    await page.keyboard.press('F12');
    await page.locator('.tab.active', { hasText: /^bag_of_words\.yaml/ }).waitFor({ timeout: 30_000 });
    await page.locator('.statusbar-item', { hasText: `Ln ${sourceLine}, Col 3` }).first().waitFor({ timeout: 30_000 });
    await wb.shotThemes('look-02-composed-go-to-source', undefined);
  });

  await step('completion: `- /data_type/` offers the group\'s configs; a new key\'s value offers the inherited one first', async () => {
    await wb.openFile('premise_selection/mizar40/conv.yaml');
    const editor = page.locator('.editor-group-container.active .monaco-editor').first();
    const suggest = page.locator('.editor-widget.suggest-widget.visible');
    const rows = suggest.locator('.monaco-list-row');
    // Types on a new line after `text` (the line keeps its indentation), then asks for completions.
    const typeAfter = async (text: RegExp, typed: string): Promise<void> => {
      await editor.locator('.view-line', { hasText: text }).first().click();
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.keyboard.type(typed);
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+Space');
      await rows.first().waitFor({ timeout: 30_000 });
    };
    const groupCompletion = async (): Promise<void> => {
      if (await suggest.isVisible()) return;
      await editor.locator('.view-line', { hasText: /^\s*-\s\/data_type\/\s*$/ }).first().click();
      await page.keyboard.press('End');
      await page.keyboard.press('Control+Space');
      await rows.first().waitFor({ timeout: 30_000 });
    };
    await typeAfter(/^\s*-\smizar\s*$/, '- /data_type/');
    const labels = await rows.locator('.label-name').allTextContents();
    assert.ok(labels.some((l) => l.includes('/data_type/sequence')), `the data_type configs are offered: ${labels}`);
    await wb.shotThemes('look-07-completion-group', groupCompletion);
    await page.keyboard.press('Escape');
    // A new `log_every_n_steps: ` under trainer: the value premise_selection.yaml gives it comes first.
    await wb.openFile(`${CONFIG}.yaml`);
    await typeAfter(/^\s*max_epochs:\s12\s*$/, 'log_every_n_steps: ');
    const first = await rows.first().innerText();
    assert.match(first, /^50/, `the inherited value first: ${first}`);
    await wb.shotThemes('look-08-completion-inherited-value', async () => {
      if (await suggest.isVisible()) return;
      await editor.locator('.view-line', { hasText: /log_every_n_steps:/ }).first().click();
      await page.keyboard.press('End');
      await page.keyboard.press('Control+Space');
      await rows.first().waitFor({ timeout: 30_000 });
    });
    await page.keyboard.press('Escape');
  });

  await step('runs table', async () => {
    await wb.command('BAIT: Open Runs Table');
    const view = wb.webview();
    await view.locator('#runs tbody tr').nth(4).waitFor({ timeout: 60_000 });
    await view.locator('tr[data-key$="/1"] input[type="checkbox"]').check();
    await view.locator('tr[data-key$="09-00-00"] input[type="checkbox"]').check();
    await view.locator('#filter').focus();
    await shots('03-runs-table', async () => {
      await view.locator('#runs tbody tr').first().waitFor();
      await view.locator('#filter').focus();
    });
    await view.locator('#compare').click();
    await page.locator('.tab.active', { hasText: 'Compare: 2 runs' }).waitFor({ timeout: 30_000 });
    const compare = wb.webview();
    await compare.locator('.chart canvas').first().waitFor({ timeout: 30_000 });
    await shots('04-compare', async () => {
      await compare.locator('.chart canvas').first().waitFor();
    });
  });

  await step('sweep metrics', async () => {
    const rows = await wb.viewRows('BAIT Runs');
    const sweepRow = rows.filter({ hasText: /3 jobs · 2 completed/ }).first();
    await sweepRow.waitFor({ timeout: 60_000 });
    await sweepRow.hover();
    await sweepRow.locator('.action-label.codicon-graph-line').click();
    const view = wb.webview();
    await view.locator('#sweep-table tbody tr').nth(2).waitFor({ timeout: 60_000 });
    await view.locator('#sweep-table th', { hasText: 'loss final' }).click();
    await shots('05-sweep-metrics', async () => {
      await view.locator('.chart canvas').first().waitFor();
    });
  });

  await step('checkpoint & resume tree', async () => {
    await wb.command('BAIT: Open Checkpoint Tree');
    await page.locator('.tab.active', { hasText: 'Checkpoint & Resume Tree' }).waitFor({ timeout: 30_000 });
    const view = wb.webview();
    await view.locator('.lane .attempt').nth(2).waitFor({ timeout: 60_000 });
    await view.locator('.checkpoint.best').first().click();
    await view.locator('#details vscode-button.fork').waitFor({ timeout: 10_000 });
    await shots('06-resume-tree', async () => {
      await view.locator('.lane .attempt').first().waitFor();
      if (!(await view.locator('#details vscode-button.fork').isVisible())) await view.locator('.checkpoint.best').first().click();
    });
  });
});
