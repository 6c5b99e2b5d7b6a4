// The language server's editing features in a real VS Code (code-server) with the packaged extension:
// Format Document keeps the `# @package` header and every comment; F2 on a key renames it in the files that
// set and interpolate it; F2 on a defaults-list option renames the config file and every entry selecting it;
// on a file two final configs select, the status-bar item names the one hover composes through and switches it.
// The results are read back from disk after Save All; screenshots, in the dark and the light theme, go to
// test-artifacts/e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeWorkspace, openEditor, packageVsix, skipOrFailEditor } from './code-server.js';

const FILES = {
  'configs/exp.yaml': [
    '# @package _global_',
    'defaults:',
    '  - /base/run@_here_',
    '  - /db: mysql',
    '  - _self_',
    'run:',
    '  name: exp',
    '  log: lr=${run.lr}',
    '',
  ].join('\n'),
  'configs/base/run.yaml': 'run:\n  name: ???\n  lr: 0.1\n  dir: out/${.lr}\n',
  'configs/db/mysql.yaml': 'host: mysql.local\n',
  'configs/db/postgres.yaml': 'host: pg.local\n',
  'configs/messy.yaml': [
    '# @package _global_',
    '# keep this comment',
    'defaults:',
    '    - /db: mysql   # the database',
    '    - _self_',
    'trainer:',
    '      max_epochs: 3   ',
    '      # the optimiser',
    '      lr: 0.',
    '',
  ].join('\n'),
};

test('formatting and rename in code-server with the packaged extension', { timeout: 300_000 }, async (t) => {
  if (skipOrFailEditor(t)) return;
  const tmp = mkdtempSync(join(tmpdir(), 'bait-lsp-e2e-'));
  const vsix = packageVsix(tmp);
  const ws = makeWorkspace(FILES);
  const { page, wb, step } = await openEditor(t, { workspace: ws, vsix, prefix: 'lsp', remove: [tmp, ws], settings: {
    'files.autoSave': 'off', 'editor.detectIndentation': false, 'editor.tabSize': 2, 'editor.insertSpaces': true,
  } });
  const read = (p: string) => readFileSync(join(ws, p), 'utf8');
  /** Puts the cursor at a 1-based line and column with Go to Line. */
  const goTo = async (line: number, column: number) => {
    await page.keyboard.press('Control+G');
    await wb.type(`:${line}:${column}`);
  };
  /** Waits until a file on disk satisfies `ok` (Save All writes asynchronously). */
  const onDisk = async (p: string, ok: (text: string) => boolean) => {
    const deadline = Date.now() + 30_000;
    while (!(existsSync(join(ws, p)) && ok(read(p)))) {
      assert.ok(Date.now() < deadline, `${p} on disk: ${existsSync(join(ws, p)) ? read(p) : '(missing)'}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  /**
   * Waits until a line the editor draws reads exactly `text`. A `hasText` match would also take the unformatted
   * `      max_epochs: 3` (a substring), and under load Save then raced the formatting edit.
   */
  const lineReads = async (text: string) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      // Monaco draws spaces as U+00A0; trailing ones are what the formatter removes, so compare without them.
      const lines = (await page.locator('.view-line').allTextContents()).map((l) => l.replace(/\u00a0/g, ' ').trimEnd());
      if (lines.includes(text)) return;
      assert.ok(Date.now() < deadline, `no editor line reads ${JSON.stringify(text)}: ${JSON.stringify(lines)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  /**
   * F2 at a line and column of a file: checks the proposed name, renames, waits for the edit, saves all. With
   * `shot`, the rename box is screenshotted in the dark theme (then dismissed) and in the light one.
   */
  const renameAt = async (file: string, line: number, column: number, proposed: string, to: string, shows: string, shot?: string) => {
    const box = page.locator('.rename-box input').first();
    for (const theme of shot ? ['dark', 'light'] as const : [undefined]) {
      if (theme) await wb.useTheme(theme);
      await wb.openFile(file);
      await goTo(line, column);
      await page.keyboard.press('F2');
      await box.waitFor({ timeout: 30_000 });
      assert.equal(await box.inputValue(), proposed);
      await box.fill(to);
      if (!theme) break;
      await wb.shot(`${shot}-${theme}`);
      if (theme === 'dark') {
        await box.press('Escape');
        await box.waitFor({ state: 'hidden', timeout: 30_000 });
      }
    }
    await box.press('Enter');
    await page.locator('.view-line', { hasText: shows }).first().waitFor({ timeout: 30_000 });
    await wb.command('File: Save All');
  };


  await step('the language server is up (lenses on a final config)', async () => {
    await wb.openFile('configs/exp.yaml');
    await wb.codeLens('Run Experiment').waitFor({ timeout: 60_000 });
  });

  await step('Format Document re-indents, keeps the header and the comments', async () => {
    await wb.openFile('configs/messy.yaml');
    await wb.command('Format Document');
    await lineReads('  max_epochs: 3');
    await page.keyboard.press('Control+S');
    await wb.shotThemes('lsp-01-formatted');
    await onDisk('configs/messy.yaml', (text) => text.includes('\n  - _self_'));
    assert.equal(read('configs/messy.yaml'), [
      '# @package _global_',
      '# keep this comment',
      'defaults:',
      '  - /db: mysql   # the database',
      '  - _self_',
      'trainer:',
      '  max_epochs: 3',
      '  # the optimiser',
      '  lr: 0.',
      '',
    ].join('\n'));
  });

  await step('F2 on a key renames it where it is set and where it is interpolated', async () => {
    await renameAt('configs/base/run.yaml', 3, 4, 'lr', 'learning_rate', 'learning_rate: 0.1', 'lsp-02-rename-key');
    await onDisk('configs/base/run.yaml', (text) => text === 'run:\n  name: ???\n  learning_rate: 0.1\n  dir: out/${.learning_rate}\n');
    await onDisk('configs/exp.yaml', (text) => text.includes('  log: lr=${run.learning_rate}\n'));
  });

  await step('F2 on a defaults option renames the config file and the entries that select it', async () => {
    await renameAt('configs/exp.yaml', 4, 10, 'mysql', 'mariadb', '- /db: mariadb');
    await onDisk('configs/db/mariadb.yaml', (text) => text === 'host: mysql.local\n');
    assert.ok(!existsSync(join(ws, 'configs/db/mysql.yaml')));
    await onDisk('configs/exp.yaml', (text) => text.includes('  - /db: mariadb\n'));
    await onDisk('configs/messy.yaml', (text) => text.includes('  - /db: mariadb   # the database\n'));
    await wb.shotThemes('lsp-03-renamed-config-file');
    // After the file rename, no diagnostic is left over from the moment the entries named a file not yet there.
    await wb.command('View: Focus Problems (Errors, Warnings, Infos)');
    await page.getByText('No problems have been detected in the workspace.').first().waitFor({ timeout: 30_000 });
    await wb.shotThemes('lsp-04-problems-after-rename');
  });

  await step('an option two final configs select: the status-bar item shows the context and switches it', async () => {
    await wb.openFile('configs/db/mariadb.yaml');
    const item = (name: string) => page.locator('.statusbar-item', { hasText: name }).filter({ has: page.locator('.codicon-layers') }).first();
    await item('exp').waitFor({ timeout: 30_000 });
    await item('exp').click();
    await wb.pick('messy');
    await item('messy').waitFor({ timeout: 30_000 });
    await wb.shotThemes('lsp-05-config-context-picked');
  });
});
