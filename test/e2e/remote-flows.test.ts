// Remote from the editor, end to end (issue #17): in a real VS Code (code-server) with the packaged extension, the
// user picks an SSH host in the status bar (a real sshd on loopback, test/infra/sshd.ts, host keys checked), starts
// a run from the CodeLens, sees it in the run explorer and its metrics stream into the metrics view while it trains
// on the host, stops it from the explorer, resumes it (on the host) from the explorer, stops it again, and runs a
// 2-job sweep there from the Sweep… lens. Screenshots in light and dark: test-artifacts/e2e/remote-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMarker } from '../../runner/launchers/remote-marker.js';
import { run } from '../infra/common.js';
import { skipUnlessSsh, startSshd, TEST_USER } from '../infra/sshd.js';
import { openEditor, packageVsix, repoRoot, skipOrFailEditor } from './code-server.js';
import { TINY_WORKSPACE_DATA } from './tiny-workspace.js';

const CONFIG = 'premise_selection/mizar40/e2e_remote.yaml';
const LONG = 'trainer.max_steps=1000000 trainer.max_epochs=100000';

test('remote from the editor: run, metrics, stop, resume and a sweep on an SSH host', { timeout: 900_000 }, async (t) => {
  if (skipOrFailEditor(t)) return;
  const noSsh = skipUnlessSsh();
  if (noSsh) {
    t.skip(noSsh);
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'bait-remote-e2e-'));
  const ws = join(tmp, 'ws');
  cpSync(join(repoRoot, 'configs'), join(ws, 'configs'), { recursive: true });
  cpSync(join(repoRoot, 'data'), join(ws, 'data'), { recursive: true });
  writeFileSync(join(ws, 'configs', CONFIG), TINY_WORKSPACE_DATA);
  const vsix = packageVsix(tmp);
  // The sshd starts last and openEditor registers its teardown first thing, so a failure while setting up
  // (starting the editor) leaves no sshd behind; it stops after the editor has closed.
  const cluster = await startSshd({ addresses: ['127.0.0.1'] });
  const h = cluster.hosts[0]!;
  const { page, wb, step } = await openEditor(t, { workspace: ws, vsix, prefix: 'remote', remove: [tmp], after: () => cluster.stop(), settings: {
    'terminal.integrated.gpuAcceleration': 'off', 'workbench.colorTheme': 'Default Light Modern',
    'bait.sshHosts': [{ name: 'gpu-lab', host: h.address, port: h.port, user: h.user, identity_file: h.identityFile,
      known_hosts: h.knownHostsFile, work_dir: h.workDir }],
  } });
  /** Expands a tree row (a click would also collapse it): its twistie, only while it says collapsed. */
  const expand = async (row: import('playwright-core').Locator): Promise<void> => {
    for (const end = Date.now() + 60_000; ;) {
      const state = await row.getAttribute('aria-expanded');
      if (state === 'true') return;
      if (state === 'false') await row.locator('.monaco-tl-twistie').click();
      assert.ok(Date.now() < end, 'the row expands');
      await page.waitForTimeout(300);
    }
  };
  const shots = (name: string, settle?: () => Promise<void>) => wb.shotThemes(`remote-${name}`, settle);
  const hostItem = page.locator('.statusbar-item', { has: page.locator('.codicon-server') }).first();

  // The job directories of the sweeps the editor started, newest last.
  const jobDirs = (): string[] => {
    const root = join(ws, 'multirun');
    const out: string[] = [];
    for (const day of readdirSync(root).sort()) {
      for (const sweep of readdirSync(join(root, day)).sort()) {
        for (const j of readdirSync(join(root, day, sweep)).filter((n) => /^\d+$/.test(n)).sort()) out.push(join(root, day, sweep, j));
      }
    }
    return out;
  };
  const runJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { status: string; attempts: { resumed_from?: string }[] };
  let jobDir = '';

  await step('pick the SSH host in the status bar', async () => {
    await hostItem.waitFor({ timeout: 60_000 });
    assert.match(await hostItem.innerText(), /local/);
    await hostItem.click();
    await wb.pick('gpu-lab');
    await page.locator('.statusbar-item', { hasText: 'gpu-lab' }).first().waitFor({ timeout: 30_000 });
    await shots('01-host-picked', async () => {
      await hostItem.hover();
      await page.locator('.monaco-hover, .workbench-hover', { hasText: 'BAIT runs go to: gpu-lab' }).first().waitFor({ timeout: 10_000 });
    });
  });

  await step('Run with Overrides… from the lens runs on the host; the explorer shows it running and metrics stream', async () => {
    await wb.openFile(CONFIG);
    await wb.codeLens('Run with Overrides…').waitFor({ timeout: 60_000 });
    await wb.runWithOverrides(LONG);
    await wb.waitForTerminalText(/job #0 started on gpu-lab/, 180_000);
    await wb.foldFolders();
    const rows = await wb.viewRows('BAIT Runs');
    const sweepRow = rows.filter({ hasText: /sweep .*1 jobs · 0 completed/ }).first();
    await sweepRow.waitFor({ timeout: 60_000 });
    const running = rows.filter({ hasText: /#0 trainer\.max_steps=1000000.*running · / }).first();
    // The job's row appears once its run.json is mirrored from the host; keep its sweep open meanwhile.
    for (const end = Date.now() + 180_000; !(await running.isVisible());) {
      assert.ok(Date.now() < end, 'the remote job shows as running in the explorer');
      if ((await sweepRow.getAttribute('aria-expanded')) === 'false') await sweepRow.locator('.monaco-tl-twistie').click();
      await page.waitForTimeout(500);
    }
    jobDir = jobDirs()[0]!;
    assert.equal(readMarker(jobDir)?.kind, 'ssh', 'the run went to the host');
    await wb.contextMenu(running, 'Open Metrics');
    const view = wb.webview();
    const chart = view.locator('.chart[data-metric="loss"]');
    await chart.locator('canvas').first().waitFor({ timeout: 120_000 });
    const pointsNow = async () => Number(await chart.getAttribute('data-points'));
    const before = await pointsNow();
    // New rows reach the open chart while the run trains on the host (no reload, no reopening).
    for (const end = Date.now() + 120_000; (await pointsNow()) <= before + 5;) {
      assert.ok(Date.now() < end, `the chart grew past ${before} points while the run trained (now ${await pointsNow()})`);
      await page.waitForTimeout(500);
    }
    assert.equal(runJson(jobDir).status, 'running');
    // The run's own output streams into its terminal, as a local run's does.
    await wb.waitForTerminalText(/validation: val_loss=/, 60_000);
    await shots('02-running-on-host-metrics', async () => {
      await chart.locator('canvas').first().waitFor();
    });
  });

  await step('Stop Run from the explorer stops it on the host; it comes back stopped with its checkpoint', async () => {
    const rows = await wb.viewRows('BAIT Runs');
    const running = rows.filter({ hasText: /#0 trainer\.max_steps=1000000.*running · / }).first();
    await wb.contextMenu(running, 'Stop Run');
    await wb.waitForTerminalText(/(run|sweep) ended: stopped/, 180_000);
    await rows.filter({ hasText: /#0 trainer\.max_steps=1000000.*stopped · / }).first().waitFor({ timeout: 60_000 });
    assert.equal(runJson(jobDir).status, 'stopped');
    assert.equal(await wb.notification(/failed/).count(), 0, 'a stop is not an error');
    await shots('03-stopped-from-explorer');
  });

  await step('Resume Run from the explorer resumes on the host; streams again; Stop Run stops it there', async () => {
    const rows = await wb.viewRows('BAIT Runs');
    const stopped = rows.filter({ hasText: /#0 trainer\.max_steps=1000000.*stopped · / }).first();
    const firstPid = (readMarker(jobDir) as { pid: number }).pid;
    await wb.contextMenu(stopped, 'Resume Run');
    await wb.waitForTerminalText(/resuming on gpu-lab \(pid \d+\)/, 180_000);
    const running = rows.filter({ hasText: /#0 trainer\.max_steps=1000000.*running · / }).first();
    await running.waitFor({ timeout: 180_000 });
    const marker = readMarker(jobDir) as { pid: number };
    assert.notEqual(marker.pid, firstPid, 'a new process on the host');
    assert.equal(run('ps', ['-o', 'user=', '-p', String(marker.pid)]).stdout.trim(), TEST_USER, 'running as the host\'s user, i.e. on the host');
    assert.equal(runJson(jobDir).attempts.length, 2);
    await shots('04-resumed-on-host');
    await wb.contextMenu(running, 'Stop Run');
    await wb.waitForTerminalText(/(run|sweep) ended: stopped/, 180_000);
    await rows.filter({ hasText: /#0 trainer\.max_steps=1000000.*stopped · / }).first().waitFor({ timeout: 60_000 });
    const rj = runJson(jobDir);
    assert.equal(rj.status, 'stopped');
    assert.equal(rj.attempts.length, 2);
    assert.match(rj.attempts[1]!.resumed_from ?? '', /last/);
  });

  await step('a 2-job sweep from the Sweep… lens runs on the host and both jobs complete', async () => {
    await wb.openFile(CONFIG);
    await wb.codeLens('Sweep…').click();
    await wb.pick('trainer.seed');
    await wb.type('1,2', '2 jobs');
    await wb.pick('Done');
    // The current host (gpu-lab) is offered first.
    const first = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first();
    await first.waitFor({ timeout: 30_000 });
    assert.match(await first.innerText(), /gpu-lab/);
    await wb.pick('gpu-lab');
    await wb.pick('Launch 2 jobs');
    const rows = await wb.viewRows('BAIT Runs');
    const sweepRow = rows.filter({ hasText: /2 jobs · 2 completed/ }).first();
    await sweepRow.waitFor({ timeout: 300_000 });
    const dirs = jobDirs().filter((d) => d !== jobDir);
    assert.equal(dirs.length, 2);
    for (const d of dirs) {
      assert.equal(readMarker(d)?.kind, 'ssh', `${d} ran on the host`);
      assert.equal(runJson(d).status, 'completed');
    }
    await expand(sweepRow);
    await sweepRow.hover();
    await sweepRow.locator('.action-label.codicon-graph-line').click();
    const view = wb.webview();
    await view.locator('#sweep-table tbody tr').nth(1).waitFor({ timeout: 60_000 });
    await shots('05-sweep-on-host', async () => {
      await view.locator('.chart canvas').first().waitFor();
    });
  });
});
