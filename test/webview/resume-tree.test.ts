// The checkpoint & resume tree webview in a real chromium page with a fake host.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { GraphRun } from '../../webview/contract.js';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserMissing, launch, openWebview, skipOrFail } from './browser.js';
import { python, venvPython } from '../infra/python.js';
import { readRun } from '../../extension/run-dirs/read-run.js';
import { attemptSteps } from '../../extension/run-dirs/attempt-steps.js';
import { toGraphRun } from '../../extension/webviews/to-webview.js';

let browser: Browser | undefined;
before(async () => {
  if (!browserMissing()) browser = await launch();
});
after(async () => browser?.close());

const parent: GraphRun = {
  key: '/runs/p', id: 'p0000001', label: '2026-11-28 09-00-00', status: 'completed',
  attempts: [
    { index: 1, status: 'stopped', started: '2026-11-28T09:00:00Z' },
    { index: 2, status: 'completed', resumedFrom: 'last' },
  ],
  checkpoints: [
    { name: 'epoch=1', isBest: true, isLast: false, score: 0.3, step: 10, attempt: 1 },
    { name: 'last', isBest: false, isLast: true, step: 40, attempt: 2 },
  ],
};
const fork: GraphRun = {
  key: '/runs/f', id: 'f0000001', label: '2026-11-28 10-00-00', status: 'running',
  attempts: [{ index: 1, status: 'running' }], checkpoints: [], parent: { key: '/runs/p', checkpoint: 'epoch=1' },
};

test('runs become lanes with attempts and checkpoints in order; a fork is indented with an edge from its checkpoint', async (t) => {
  if (skipOrFail(t)) return;
  const w = await openWebview(browser!, 'resume-tree');
  await w.post({ type: 'init', title: 'Resume tree', runs: [fork, parent] });
  const r = await w.waitForSent('rendered');
  assert.deepEqual(r, { type: 'rendered', runs: 2, attempts: 3, checkpoints: 2 });
  const lanes = await w.page.$$eval('.lane', (els) => els.map((e) => [(e as HTMLElement).dataset.run,
    (e as HTMLElement).dataset.depth,
    Array.from(e.querySelectorAll('.node')).map((n) => (n as HTMLElement).dataset.attempt ?? (n as HTMLElement).dataset.checkpoint)]));
  assert.deepEqual(lanes, [['/runs/p', '0', ['1', 'epoch=1', '2', 'last']], ['/runs/f', '1', ['1']]]);
  assert.equal(await w.page.$$eval('.checkpoint.best', (e) => e.map((x) => (x as HTMLElement).dataset.checkpoint).join()), 'epoch=1');
  await w.page.waitForSelector('path.fork-edge[data-fork="/runs/f"]', { state: 'attached' });
  assert.deepEqual(w.cspViolations, []);
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

test('resume, fork, open config and open metrics post typed messages to the host', async (t) => {
  if (skipOrFail(t)) return;
  const w = await openWebview(browser!, 'resume-tree');
  await w.post({ type: 'init', title: 'Resume tree', runs: [parent, fork] });
  await w.waitForSent('rendered');
  // A checkpoint's dot opens its details, with the actions.
  await w.page.click('.lane[data-run="/runs/p"] .checkpoint[data-checkpoint="epoch=1"]');
  assert.match(await w.page.textContent('#details') ?? '', /★ epoch=1.*step 10 · attempt 1 · score 0\.3/);
  await w.page.click('#details vscode-button.fork');
  assert.deepEqual(await w.waitForSent('fork'), { type: 'fork', key: '/runs/p', checkpoint: 'epoch=1' });
  await w.page.click('.lane[data-run="/runs/p"] .checkpoint[data-checkpoint="last"]');
  await w.page.click('#details vscode-button.resume-from');
  assert.deepEqual(await w.waitForSent('resume'), { type: 'resume', key: '/runs/p', from: 'last' });
  await w.page.click('.lane[data-run="/runs/f"] .lane-head vscode-button.resume');
  assert.deepEqual(await w.waitForSent('resume', 2), { type: 'resume', key: '/runs/f' });
  await w.page.click('.lane[data-run="/runs/f"] vscode-button.open-config');
  assert.deepEqual(await w.waitForSent('openConfig'), { type: 'openConfig', key: '/runs/f' });
  await w.page.click('.lane[data-run="/runs/f"] vscode-button.open-metrics');
  assert.deepEqual(await w.waitForSent('openMetrics'), { type: 'openMetrics', key: '/runs/f' });
  await w.page.close();
});

test('an update replaces the graph: a new attempt after a resume appears', async (t) => {
  if (skipOrFail(t)) return;
  const w = await openWebview(browser!, 'resume-tree');
  await w.post({ type: 'init', title: 'Resume tree', runs: [fork] });
  await w.waitForSent('rendered');
  await w.post({ type: 'update', runs: [{ ...fork, attempts: [...fork.attempts, { index: 2, status: 'running', resumedFrom: 'last' }] }] });
  await w.waitForSent('rendered', 2);
  assert.deepEqual(await w.page.$$eval('.attempt', (e) => e.map((x) => x.textContent)), ['attempt 1running', 'attempt 2runningfrom last']);
  // Text from run files is shown as text, never parsed as HTML.
  await w.post({ type: 'update', runs: [{ ...fork, label: '<img src=x onerror=alert(1)>' }] });
  await w.waitForSent('rendered', 3);
  assert.equal(await w.page.$$eval('.lane img', (e) => e.length), 0);
  assert.equal(await w.page.textContent('.run-label'), '<img src=x onerror=alert(1)>');
  await w.page.close();
});

test('10 attempts and 50 checkpoints: one lane per attempt on the step axis, in order, resume edges, no sideways scroll', async (t) => {
  if (skipOrFail(t)) return;
  const w = await openWebview(browser!, 'resume-tree', { width: 1000, height: 800 });
  const attempts = Array.from({ length: 10 }, (_, i) => ({ index: i + 1, status: (i === 9 ? 'completed' : 'stopped') as 'completed' | 'stopped',
    resumedFrom: i ? 'last' : undefined, fromStep: i * 1000, toStep: i * 1000 + 999 }));
  const checkpoints = Array.from({ length: 50 }, (_, k) => ({ name: `step=${k * 200}`, isBest: k === 37, isLast: false,
    step: k * 200, attempt: Math.floor((k * 200) / 1000) + 1 }));
  const big: GraphRun = { key: '/runs/big', id: 'big00001', label: 'big', status: 'completed', attempts, checkpoints };
  await w.post({ type: 'init', title: 'Resume tree', runs: [big] });
  assert.deepEqual(await w.waitForSent('rendered'), { type: 'rendered', runs: 1, attempts: 10, checkpoints: 50 });
  assert.equal(await w.page.$$eval('.track-row[data-attempt-row]', (e) => e.length), 10);
  // Bars sit left to right in attempt order, and each checkpoint's dot inside its attempt's lane.
  const lefts = await w.page.$$eval('.bar', (els) => els.map((e) => e.getBoundingClientRect().left));
  assert.deepEqual(lefts, [...lefts].sort((a, b) => a - b));
  assert.equal(await w.page.$$eval('.track-row[data-attempt-row="4"] .checkpoint', (e) => e.length), 5);
  await w.page.waitForFunction(() => document.querySelectorAll('path.resume-edge').length === 9);
  assert.equal(await w.page.$$eval('.checkpoint.best', (e) => e.map((x) => (x as HTMLElement).dataset.checkpoint).join()), 'step=7400');
  assert.equal(await w.page.evaluate(() => document.scrollingElement!.scrollWidth <= document.scrollingElement!.clientWidth), true);
  const ticks = await w.page.$$eval('#axis .tick', (els) => els.map((e) => e.textContent));
  assert.equal(new Set(ticks).size, ticks.length, `tick labels differ: ${ticks}`);
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

test("an app run's attempts and checkpoints sit at the steps its loggers and .ckpt files hold, not at 0", async (t) => {
  if (skipOrFail(t)) return;
  if (venvPython('resume tree of an app run') === null) return t.skip('no .cache/venv');
  // An app run dir as Lightning leaves it after a stop and a resume: the real CSVLogger's version_0 (attempt 1, steps
  // 3..39) and version_1 (attempt 2, steps 43..95); checkpoints saved by the real torch whose names carry no step
  // (the fixture's `{epoch}-{val_acc}` template, and last.ckpt), so the steps come from their global_step.
  const dir = mkdtempSync(join(tmpdir(), 'bait-tree-app-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  python(`import os, sys, torch
from lightning.pytorch.loggers import CSVLogger
d = sys.argv[1]
for version, steps in ((0, range(3, 40, 4)), (1, range(43, 96, 4))):
    logger = CSVLogger(d, name="csv", version=version)
    for s in steps:
        logger.log_metrics({"train_loss_step": 1.0 / (s + 1), "epoch": s // 8}, step=s)
    logger.save()
os.makedirs(d + "/checkpoints")
for name, epoch, step in (("epoch=4-val_acc=0.7000", 4, 40), ("last", 11, 96)):
    torch.save({"epoch": epoch, "global_step": step, "state_dict": {}}, d + "/checkpoints/" + name + ".ckpt")`, [dir]);
  const started = ['2026-12-01T10:00:00.000Z', '2026-12-01T10:10:00.000Z'];
  writeFileSync(join(dir, 'run.json'), JSON.stringify({
    id: 'app00001', experiment: 'train', name: 'train', config_name: 'train', config_dir: dir, workspace_dir: dir, overrides: [],
    status: 'completed', host: 'h', pid: 1, backend: 'app', seed: 0, started_at: started[0], ended_at: '2026-12-01T10:20:00.000Z',
    checkpoint_dir: 'checkpoints', parent: null, sweep: null,
    attempts: [{ attempt: 1, started: started[0], ended: started[1], status: 'stopped', resumed_from: null, pid: 1, host: 'h', backend: 'app' },
      { attempt: 2, started: started[1], ended: '2026-12-01T10:20:00.000Z', status: 'completed', resumed_from: 'last', pid: 2, host: 'h', backend: 'app' }],
    app: { command: 'python src/train.py', layout: 'hydra', ckpt_path_key: true, checkpoint_dirs: ['checkpoints'], monitor: 'val_acc', mode: 'max' },
  }));
  // Saved during attempt 1 and at the end of attempt 2.
  utimesSync(join(dir, 'checkpoints', 'epoch=4-val_acc=0.7000.ckpt'), new Date('2026-12-01T10:05:00Z'), new Date('2026-12-01T10:05:00Z'));
  utimesSync(join(dir, 'checkpoints', 'last.ckpt'), new Date('2026-12-01T10:19:00Z'), new Date('2026-12-01T10:19:00Z'));

  const graph = toGraphRun(readRun(dir), undefined, attemptSteps(dir));
  assert.deepEqual(graph.attempts.map((a) => [a.index, a.fromStep, a.toStep]), [[1, 3, 39], [2, 43, 95]]);
  assert.deepEqual(graph.checkpoints.map((c) => [c.name, c.step, c.attempt]), [['epoch=4-val_acc=0.7000', 40, 1], ['last', 96, 2]]);

  const w = await openWebview(browser!, 'resume-tree', { width: 1000, height: 600 });
  await w.post({ type: 'init', title: 'Resume tree', runs: [graph] });
  assert.deepEqual(await w.waitForSent('rendered'), { type: 'rendered', runs: 1, attempts: 2, checkpoints: 2 });
  const left = (style: string | null) => Number(/left:\s*([\d.]+)%/.exec(style ?? '')?.[1]);
  const bars = await w.page.$$eval('.bar', (els) => els.map((e) => [e.getAttribute('title'), e.getAttribute('style')]));
  assert.deepEqual(bars.map(([title]) => title), ['steps 3–39', 'steps 43–95']);
  // The axis ends at the last checkpoint's step (96): attempt 2 starts at 43/96 of the track, the dots at 40 and 96.
  assert.ok(Math.abs(left(bars[1]![1]!) - (43 / 96) * 100) < 0.01, String(bars[1]![1]));
  const dots = await w.page.$$eval('.checkpoint', (els) => els.map((e) => [(e as HTMLElement).dataset.checkpoint, e.getAttribute('style'), e.closest('[data-attempt-row]')?.getAttribute('data-attempt-row')]));
  assert.deepEqual(dots.map(([name, style, row]) => [name, Number(left(style!).toFixed(2)), row]),
    [['epoch=4-val_acc=0.7000', Number(((40 / 96) * 100).toFixed(2)), '1'], ['last', 100, '2']]);
  await w.page.click('.checkpoint[data-checkpoint="last"]');
  assert.match(await w.page.textContent('#details') ?? '', /last.*step 96 · attempt 2/);
  // "attempt 2 completed from last" fits its label column (it was cut after "from").
  assert.deepEqual(await w.page.$$eval('.node.attempt', (els) => els.map((e) => [e.textContent, e.scrollWidth <= e.clientWidth, e.getAttribute('title')?.split('\n').pop()])),
    [['attempt 1stopped', true, '2026-12-01 10:00:00 → 2026-12-01 10:10:00'], ['attempt 2completedfrom last', true, 'resumed from last']]);
  assert.deepEqual(w.errors, []);
  await w.page.close();
});
