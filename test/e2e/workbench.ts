// Page objects for the VS Code workbench (code-server 4.100.3) in Playwright: the selectors measured in the team
// note editor-e2e.md, and helpers that wait on conditions, never on fixed sleeps.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';

// The repository root computed here rather than imported from code-server.ts, which imports this file.
export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'e2e');

export type Theme = 'dark' | 'light' | 'hc-dark' | 'hc-light';
/** Each theme's label in the picker and the workbench's class under it. */
const THEMES: Record<Theme, [string, string]> = {
  dark: ['Dark Modern', 'vs-dark'], light: ['Light Modern', 'vs'], 'hc-dark': ['Dark High Contrast', 'hc-black'],
  'hc-light': ['Light High Contrast', 'hc-light'],
};
/** Both high-contrast themes, then dark and light (ending in light, as the other tests expect). */
export const ALL_THEMES: readonly Theme[] = ['hc-dark', 'hc-light', 'dark', 'light'];

export class Workbench {
  constructor(readonly page: Page) {}

  async ready(): Promise<void> {
    await this.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await this.page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
  }

  /**
   * A step of a scenario as a subtest of `t`: a failing step keeps a screenshot (`failed-<prefix>-<step>.png`, or
   * `failed-<step>.png` with no prefix), so a red run shows what the editor looked like.
   */
  stepper(t: { test: (name: string, fn: () => Promise<void>) => Promise<void> }, prefix: string):
      (name: string, fn: () => Promise<void>) => Promise<void> {
    return (name, fn) => t.test(name, async () => {
      try {
        await fn();
      } catch (e) {
        await this.shot(`failed-${prefix ? `${prefix}-` : ''}${name.replace(/\W+/g, '-').slice(0, 60)}`).catch(() => undefined);
        throw e;
      }
    });
  }

  async shot(name: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    await this.page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  }

  /**
   * Screenshots in the given themes (default dark, then light: `<name>-dark.png`, `<name>-light.png`), switched
   * through the Color Theme picker (webviews follow). `settle` restores what the switch closed (a hover, a menu).
   */
  async shotThemes(name: string, settle?: () => Promise<void>, themes: readonly Theme[] = ['dark', 'light']): Promise<void> {
    for (const theme of themes) {
      await this.useTheme(theme);
      await settle?.();
      await this.shot(`${name}-${theme}`);
    }
  }

  /** Switches to one of VS Code's built-in themes (Dark/Light Modern, Dark/Light High Contrast) through the Color Theme picker. */
  async useTheme(theme: Theme): Promise<void> {
    const [label, cls] = THEMES[theme];
    // The theme picker by its keybinding: in the palette, "Browse Color Themes in Marketplace" sorts first.
    // Only one quick input can be open: close whatever is (a caller's `settle` opens it again).
    if (await this.quickInput.isVisible()) await this.page.keyboard.press('Escape');
    if (await this.page.locator('.context-view .monaco-menu').isVisible()) await this.page.keyboard.press('Escape');
    await this.page.locator('.part.sidebar .composite.title').first().click();
    await this.page.keyboard.press('Control+K');
    await this.page.keyboard.press('Control+T');
    await this.pick(label, label);
    await this.page.locator(`.monaco-workbench.${cls}`).waitFor({ timeout: 30_000 });
  }

  /** The text of the visible terminal (the DOM renderer: the tests turn GPU acceleration off). */
  async terminalText(): Promise<string> {
    return this.page.evaluate(() => Array.from(document.querySelectorAll('.terminal-wrapper.active .xterm-rows > div'))
      .map((d) => d.textContent ?? '').join('\n'));
  }

  async waitForTerminalText(re: RegExp, timeout = 120_000): Promise<string> {
    const end = Date.now() + timeout;
    for (;;) {
      const text = await this.terminalText();
      if (re.test(text)) return text;
      if (Date.now() > end) throw new Error(`the terminal never showed ${re}; it shows:\n${text}`);
      await this.page.waitForTimeout(250);
    }
  }

  /** A notification toast whose message matches. */
  notification(text: RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-list-item', { has: this.page.locator('.notification-list-item-message', { hasText: text }) }).first();
  }

  private get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Types into the open quick input and accepts the first row once it shows `expect` (or the typed text). */
  async pick(text: string, expect = text, timeout = 30_000): Promise<void> {
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible', timeout });
    await input.fill(text);
    if (process.env.BAIT_E2E_DEBUG) await this.shot(`dbg-pick-${text.replace(/\W+/g, '_')}`);
    // Enter accepts the quick input's active item: wait until the filter has made the expected row the active one
    // (the input's aria-activedescendant points at it), not just until the row is drawn somewhere.
    const row = this.quickInput.locator('.quick-input-list .monaco-list-row.focused', { hasText: expect }).first();
    await row.waitFor({ state: 'visible', timeout });
    await this.page.waitForFunction(() => {
      const inp = document.querySelector('.quick-input-widget input');
      const focused = document.querySelector('.quick-input-widget .quick-input-list .monaco-list-row.focused');
      return !!inp && !!focused && !!focused.id && inp.getAttribute('aria-activedescendant') === focused.id;
    }, undefined, { timeout });
    await input.press('Enter');
    await this.quickInput.locator('.quick-input-list .monaco-list-row.focused', { hasText: expect })
      .waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  }

  /** Accepts whatever is typed (an input box, or a quick pick whose value is free text). */
  async type(text: string, waitFor?: string): Promise<void> {
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible' });
    await input.fill(text);
    if (waitFor) await this.quickInput.getByText(waitFor).first().waitFor({ state: 'visible', timeout: 30_000 });
    await input.press('Enter');
  }

  async command(title: string): Promise<void> {
    // A terminal that opens or closes (a run just started or ended) takes the focus, and the palette closes when it
    // loses focus: try again when that happens.
    for (let attempt = 1; ; attempt++) {
      // A focused webview or terminal may keep F1 for itself: give the focus back to the workbench first.
      await this.page.locator('.part.sidebar .composite.title').first().click();
      await this.page.keyboard.press('F1');
      try {
        await this.pick(`>${title}`, title, attempt < 3 ? 8_000 : 30_000);
        return;
      } catch (e) {
        if (attempt >= 3) throw e;
        await this.page.keyboard.press('Escape');
      }
    }
  }

  /**
   * Runs a row's context-menu entry. A click can land while the view redraws the row (a run writes its files) or
   * before the menu takes clicks (a loaded machine): then the menu stays open and nothing runs, so it is tried again.
   */
  async contextMenu(row: Locator, entry: string): Promise<void> {
    const item = this.page.locator('.context-view .action-label', { hasText: entry }).first();
    for (let attempt = 1; ; attempt++) {
      await row.click({ button: 'right' });
      await item.waitFor({ timeout: 10_000 });
      if (attempt === 1) await item.click();
      else {
        // The mouse did not take: walk the menu with the keyboard to the entry and accept it.
        const focused = this.page.locator('.context-view .action-item.focused .action-label');
        for (let i = 0; i < 20 && (await focused.textContent().catch(() => null))?.trim() !== entry; i++) {
          await this.page.keyboard.press('ArrowDown');
        }
        await this.page.keyboard.press('Enter');
      }
      try {
        await item.waitFor({ state: 'hidden', timeout: 5_000 });
        return;
      } catch (e) {
        if (attempt >= 3) throw e;
        await this.page.keyboard.press('Escape');
      }
    }
  }

  /** Clicks the open config's "Run with Overrides…" lens, types `overrides`, waits until they compose, and runs. */
  async runWithOverrides(overrides: string): Promise<void> {
    await this.codeLens('Run with Overrides…').click();
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill(overrides);
    await this.quickInput.locator('.quick-input-message', { hasText: /composes/ }).waitFor({ timeout: 30_000 });
    await input.press('Enter');
  }

  async openFile(name: string): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.pick(name, name.split('/').pop());
    await this.page.locator('.tab.active', { hasText: name.split('/').pop() }).waitFor({ timeout: 30_000 });
  }

  codeLens(title: string): Locator {
    return this.page.locator('.codelens-decoration a', { hasText: title }).first();
  }

  /** The rows of a view (expanded first), e.g. the run explorer. */
  async viewRows(title: string): Promise<Locator> {
    const header = this.page.locator('.pane-header', { hasText: title }).first();
    await header.waitFor({ timeout: 30_000 });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    return this.page.locator('.pane', { has: header }).locator('.monaco-list-row');
  }

  /** Folds the workspace's file tree (the first pane of the Explorer). */
  async foldFolders(): Promise<void> {
    const header = this.page.locator('.explorer-viewlet .pane-header').first();
    if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
  }

  /** The visible webview's own document (two iframes deep); hidden panels keep their iframes, so pick the shown one. */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready >> visible=true').first().frameLocator('#active-frame');
  }
}
