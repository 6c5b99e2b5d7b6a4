// Loads a built webview (dist/webview/<name>.js) in Debian chromium through Playwright, inside the same HTML shell
// and CSP the extension serves, with a fake VS Code host: tests post host messages in and read the DOM and the
// messages the webview sent out.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { webviewHtml } from '../../extension/webviews/html.js';

export const root = join(__dirname, '../..');
export const CHROMIUM = '/usr/bin/chromium';
const ORIGIN = 'http://bait-webview.test';

/**
 * Why the browser tier cannot run here, or undefined when it can. Under CI=true a missing browser is a failure
 * (the caller throws); elsewhere the tests skip and say so loudly.
 */
export function browserMissing(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (test/setup/30-editor.mjs installs Debian chromium)`;
  if (!existsSync(join(root, 'dist/webview/metrics.js'))) return 'dist/webview is not built (node scripts/build.mjs)';
  return undefined;
}

export function skipOrFail(t: { skip: (msg: string) => void }): boolean {
  const why = browserMissing();
  if (!why) return false;
  if (process.env.CI === 'true') throw new Error(`browser tier cannot run: ${why}`);
  console.warn(`\n!!! SKIPPED browser tier: ${why}\n`);
  t.skip(why);
  return true;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface WebviewPageHandle {
  page: Page;
  /** Posts a host -> webview message, as VS Code's webview.postMessage does. */
  post(message: unknown): Promise<void>;
  /** The webview -> host messages so far. */
  sent(): Promise<{ type: string; [k: string]: unknown }[]>;
  waitForSent(type: string, count?: number): Promise<{ type: string; [k: string]: unknown }>;
  cspViolations: string[];
  errors: string[];
}

export async function openWebview(browser: Browser, name: string, size = { width: 1200, height: 900 }):
    Promise<WebviewPageHandle> {
  const page = await browser.newPage({ viewport: size });
  const cspViolations: string[] = [];
  const errors: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  // A string, not a function: the test's TypeScript transform would wrap a function's inner functions in a
  // helper (`__name`) that does not exist in the page.
  await page.addInitScript(`
    window.__sent = [];
    window.__state = undefined;
    window.__name = (f) => f;
    document.addEventListener('securitypolicyviolation', (e) => console.error('Content Security Policy violation: '
      + e.violatedDirective + ' sample=' + JSON.stringify(e.sample) + ' at ' + e.sourceFile + ':' + e.lineNumber));
    let acquired = false;
    window.acquireVsCodeApi = () => {
      // VS Code allows one call per page; the fake enforces it too.
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (m) => { window.__sent.push(m); },
        getState: () => window.__state,
        setState: (s) => { window.__state = s; },
      };
    };`);
  const html = webviewHtml({ cspSource: ORIGIN, nonce: 'testnonce0123456789abcdefghijklm', title: name,
    scriptUri: `${ORIGIN}/${name}.js`, styleUris: [`${ORIGIN}/${name}.css`] });
  await page.route(`${ORIGIN}/**`, async (route) => {
    const file = new URL(route.request().url()).pathname.slice(1);
    if (file === 'index.html') return route.fulfill({ contentType: 'text/html', body: html });
    const path = join(root, 'dist/webview', file);
    if (!/^[\w.-]+$/.test(file) || !existsSync(path)) return route.fulfill({ status: 404, body: '' });
    await route.fulfill({ contentType: file.endsWith('.css') ? 'text/css' : file.endsWith('.ttf') ? 'font/ttf' : 'text/javascript', body: readFileSync(path) });
  });
  await page.goto(`${ORIGIN}/index.html`);
  const handle: WebviewPageHandle = {
    page, cspViolations, errors,
    post: async (message) => {
      await page.evaluate((m) => window.postMessage(m, '*'), message);
    },
    sent: () => page.evaluate(() => (window as unknown as { __sent: { type: string }[] }).__sent) as never,
    waitForSent: async (type, count = 1) => {
      await page.waitForFunction(([t, c]) =>
        (window as unknown as { __sent: { type: string }[] }).__sent.filter((m) => m.type === t).length >= (c as number),
      [type, count] as const, { timeout: 10_000 });
      const all = await handle.sent();
      return all.filter((m) => m.type === type)[count - 1];
    },
  };
  await handle.waitForSent('initialized');
  return handle;
}
