// Runs the extension-host suite (test/e2e/exthost/) inside a real code-server: the suite is bundled, a workspace
// with configs is made, and chromium opens the workbench with the extension-development payload. The exit code
// comes back through `codeAutomationExit`, as with @vscode/test-electron.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { makeWorkspace, openBrowser, repoRoot, skipOrFailEditor, startCodeServer } from './code-server.js';

test('extension-host suite in code-server', { timeout: 240_000 }, async (t) => {
  if (skipOrFailEditor(t)) return;
  await esbuild.build({
    entryPoints: [join(repoRoot, 'test/e2e/exthost/index.ts')], outfile: join(repoRoot, 'out/test/index.js'),
    bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['vscode', 'mocha'], logLevel: 'warning',
    sourcemap: 'inline',
  });
  const ws = makeWorkspace({
    'configs/partial.yaml': 'defaults:\n  - base/trainer\n  - _self_\n\ntrainer:\n  max_epochs: 5\n  \n',
  });
  const cs = await startCodeServer({ workspace: ws, settings: {
    'bait.sshHosts': [{ name: 'gpu1', host: '127.0.0.1', port: 2222, work_dir: '~/bait' }],
  } });
  const browser = await openBrowser();
  t.after(async () => {
    await browser.close();
    await cs.stop();
    rmSync(ws, { recursive: true, force: true });
  });
  const ext = `vscode-remote://127.0.0.1:${cs.port}${repoRoot}`;
  const payload = JSON.stringify([['extensionDevelopmentPath', ext], ['extensionTestsPath', `${ext}/out/test/index.js`]]);
  const output: string[] = [];
  browser.page.on('console', (m) => output.push(m.text()));
  const exit = new Promise<number>((resolveP) => {
    void browser.page.exposeFunction('codeAutomationExit', (code: number) => resolveP(code));
  });
  await browser.page.goto(`${cs.url}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(payload)}`);
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([exit, new Promise<number>((r) => { timer = setTimeout(() => r(-1), 200_000); })]);
  clearTimeout(timer);
  const report = output.filter((l) => /passing|failing|pending|✔|✓|\d+\) |Error|assert/i.test(l)).join('\n');
  console.log(report);
  assert.equal(code, 0, `extension-host tests failed (exit ${code}):\n${output.join('\n').slice(-6000)}`);
});
