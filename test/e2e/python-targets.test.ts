// Python `_target_`s in a real VS Code (code-server) with the packaged extension, on the research-style fixture
// repository: go to definition from a `_target_` opens the .py file at the class, completion offers the target's
// parameters with their defaults, and a misspelt parameter is underlined with a quick fix that corrects it.
// Screenshots in the dark and the light theme in test-artifacts/e2e/py-*-{dark,light}.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEditor, packageVsix, skipOrFailEditor } from './code-server.js';
import { PYREPO } from '../lsp/python-fixture.js';
import { waitFor } from '../infra/common.js';

test('Python _target_s in code-server: definition into a .py, parameter completion, a wrong parameter fixed', { timeout: 420_000 }, async (t) => {
  if (skipOrFailEditor(t)) return;
  const tmp = mkdtempSync(join(tmpdir(), 'bait-py-scenario-'));
  const vsix = packageVsix(tmp);
  const ws = join(tmp, 'ws');
  cpSync(PYREPO, ws, { recursive: true });
  const { page, wb, step } = await openEditor(t, { workspace: ws, vsix, prefix: 'py', remove: [tmp] });
  const editor = page.locator('.editor-instance .monaco-editor').first();
  /** Puts the cursor at line:column through the quick input's Go to Line mode (`:line:column`). */
  const goTo = async (line: number, column: number) => {
    await editor.click();
    await page.keyboard.press('F1');
    await wb.type(`:${line}:${column}`);
    await page.locator('.statusbar-item', { hasText: `Ln ${line}, Col ${column}` }).first().waitFor({ timeout: 10_000 });
  };

  await step('go to definition on a _target_ opens the class in its .py file', async () => {
    await wb.openFile('configs/model/resnet.yaml');
    // The language server is up once the (warning-free) file has its outline; then ask for the definition.
    await editor.locator('.view-line', { hasText: '_target_: lab.models.ResNet' }).waitFor({ timeout: 30_000 });
    await goTo(1, 24);
    for (let attempt = 0; attempt < 20; attempt++) {
      await page.keyboard.press('F12');
      const opened = await page.locator('.tab.active', { hasText: 'resnet.py' }).waitFor({ timeout: 3_000 }).then(() => true, () => false);
      if (opened) break;
    }
    await page.locator('.tab.active', { hasText: 'resnet.py' }).waitFor({ timeout: 10_000 });
    // The cursor is on the class line (line 4 of resnet.py).
    await page.locator('.statusbar-item', { hasText: /Ln 4, Col 7/ }).first().waitFor({ timeout: 10_000 });
    await wb.shotThemes('py-01-definition-in-resnet-py');
  });

  await step('completion offers the target\'s parameters with their defaults', async () => {
    await wb.openFile('configs/data/cifar.yaml');
    const suggest = page.locator('.suggest-widget.visible');
    const row = suggest.locator('.monaco-list-row', { hasText: 'num_workers' }).first();
    const open = async () => {
      await goTo(4, 1);
      // Right after a theme switch the key can go to the closing picker: asked again until the list shows.
      for (let attempt = 0; attempt < 5; attempt++) {
        await page.keyboard.press('Control+Space');
        if (await row.waitFor({ timeout: 6_000 }).then(() => true, () => false)) break;
      }
      await row.waitFor({ timeout: 10_000 });
      // Focused, the row shows its detail (`int = 2`) and documentation beside the list.
      for (let i = 0; i < 10 && !(await row.evaluate((e) => e.classList.contains('focused'))); i++) await page.keyboard.press('ArrowDown');
    };
    await open();
    assert.match(await row.textContent() ?? '', /int = 2/);
    // The theme switch closes the list: it is opened again for each screenshot.
    await wb.shotThemes('py-02-parameter-completion', open);
    await page.keyboard.press('Escape');
  });

  await step('a misspelt parameter is underlined; the quick fix changes it to the real name', async () => {
    await wb.openFile('configs/mistakes.yaml');
    await page.waitForFunction(() => document.querySelectorAll('.editor-instance .squiggly-warning').length === 4, undefined, { timeout: 60_000 });
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: "Change to 'depth'" }).first();
    const open = async () => {
      await goTo(6, 4);
      await page.keyboard.press('Control+.');
      await fix.waitFor({ timeout: 30_000 });
      // The preferred fix (the closest name) is the focused row: Enter applies it.
      await fix.and(page.locator('.focused')).waitFor({ timeout: 10_000 });
    };
    await open();
    // The open menu blocks the theme picker: closed for each switch, opened again for each screenshot, and open
    // (light) at the end.
    for (const theme of ['dark', 'light'] as const) {
      await page.keyboard.press('Escape');
      await wb.useTheme(theme);
      await open();
      await wb.shot(`py-03-quick-fix-${theme}`);
    }
    await page.keyboard.press('Enter');
    await editor.locator('.view-line', { hasText: 'depth: 34' }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('Control+S');
    await waitFor('the fix saved to disk', () => /^ {2}depth: 34$/m.test(readFileSync(join(ws, 'configs/mistakes.yaml'), 'utf8')), 30_000, 100);
    // The parameter is accepted now: three warnings left on the file.
    await page.waitForFunction(() => document.querySelectorAll('.editor-instance .squiggly-warning').length === 3, undefined, { timeout: 30_000 });
    await wb.shotThemes('py-04-fixed');
  });
});
