// The metrics webview in a real chromium page with a fake host: messages in, DOM and messages out.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { MetricsRun } from '../../webview/contract.js';
import { toColumns } from '../../extension/webviews/to-webview.js';
import { metricRow } from '../e2e/fixture-runs.js';
import { browserMissing, launch, openWebview, skipOrFail } from './browser.js';

let browser: Browser | undefined;
before(async () => {
  if (!browserMissing()) browser = await launch();
});
after(async () => browser?.close());

function run(key: string, steps: number, seed: number, overrides: string[] = []): MetricsRun {
  const rows = Array.from({ length: steps }, (_, s) => metricRow(s, seed));
  return { key, label: key.split('/').pop()!, status: 'running', overrides, columns: toColumns(rows) };
}

test('init draws one chart per metric with every run, and the handshake came first', async (t) => {
  if (skipOrFail(t)) return;
  const w = await openWebview(browser!, 'metrics');
  assert.equal((await w.sent())[0].type, 'initialized');
  await w.post({ type: 'init', title: 'bag_of_words', runs: [run('/r/a', 50, 1), run('/r/b', 40, 2)] });
  await w.waitForSent('rendered');
  const charts = await w.page.$$eval('.chart', (els) => els.map((e) => [(e as HTMLElement).dataset.metric,
    (e as HTMLElement).dataset.points, e.querySelectorAll('canvas').length]));
  assert.deepEqual(charts, [['loss', '90', 1], ['acc', '90', 1]]);
  assert.equal(await w.page.textContent('#title'), 'bag_of_words');
  // The legend names both runs (uPlot's legend, shown for a dozen runs or fewer).
  const legend = await w.page.$$eval('.chart[data-metric="loss"] .u-legend .u-series .u-label', (els) => els.map((e) => e.textContent));
  assert.deepEqual(legend.slice(1), ['a', 'b']);
  assert.deepEqual(w.cspViolations, []);
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

test('live append: new rows reach the chart and a new metric gets its own chart', async (t) => {
  if (skipOrFail(t)) return;
  const w = await openWebview(browser!, 'metrics');
  await w.post({ type: 'init', title: 'one run', runs: [run('/r/a', 10, 1)] });
  await w.waitForSent('rendered');
  await w.post({ type: 'append', key: '/r/a', columns: toColumns([{ step: 10, loss: 0.1, acc: 0.9, lr: 0.001 }]) });
  await w.waitForSent('rendered', 2);
  const pts = await w.page.$$eval('.chart', (els) => els.map((e) => `${(e as HTMLElement).dataset.metric}=${(e as HTMLElement).dataset.points}`));
  // lr's column is null for the first ten rows, so only one of its points is real data.
  assert.deepEqual(pts, ['loss=11', 'acc=11', 'lr=11']);
  assert.equal(await w.page.$$eval('.chart[data-metric="lr"] canvas', (e) => e.length), 1);
  // Appending to a run the page does not know is ignored, not an error.
  await w.post({ type: 'append', key: '/r/unknown', columns: toColumns([{ step: 1, loss: 1 }]) });
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

test('sweep table: overrides as columns, final and best per metric, clicking a run asks the host to open it', async (t) => {
  if (skipOrFail(t)) return;
  const w = await openWebview(browser!, 'metrics');
  const a = run('/sweep/0', 5, 1, ['model.lr=0.1', 'data.batch=32']);
  const b = run('/sweep/1', 5, 2, ['model.lr=0.01', '+trainer.seed=3']);
  a.columns.metrics.loss = Float64Array.from([0.9, 0.5, 0.3, 0.4, 0.35]);
  await w.post({ type: 'init', title: 'sweep', runs: [a, b] });
  await w.waitForSent('rendered');
  const header = await w.page.$$eval('#sweep-table thead th', (els) => els.map((e) => e.textContent));
  assert.deepEqual(header, ['', 'run', 'status', 'model.lr', 'data.batch', 'trainer.seed', 'loss final', 'loss best', 'acc final', 'acc best']);
  const rowA = await w.page.$$eval('#sweep-table tr[data-run="/sweep/0"] td', (els) => els.map((e) => e.textContent));
  assert.deepEqual(rowA.slice(1, 8), ['0', 'running', '0.1', '32', '', '0.35', '0.3']);
  await w.page.click('#sweep-table tr[data-run="/sweep/1"] .run-link');
  assert.deepEqual(await w.waitForSent('openRun'), { type: 'openRun', key: '/sweep/1' });
  await w.post({ type: 'status', key: '/sweep/1', status: 'completed' });
  await w.page.waitForFunction(() => document.querySelector('tr[data-run="/sweep/1"] td.status')?.textContent === 'completed');
  // A live append refreshes that run's final and best cells.
  await w.post({ type: 'append', key: '/sweep/0', columns: toColumns([{ step: 5, loss: 0.1, acc: 0.5 }]) });
  await w.page.waitForFunction(() => document.querySelectorAll('tr[data-run="/sweep/0"] td')[6]?.textContent === '0.1');
  assert.equal(await w.page.$eval('tr[data-run="/sweep/0"]', (e) => e.querySelectorAll('td')[7].textContent), '0.1');
  await w.page.close();
});

test('x axis, smoothing and log scale change the drawn data and are kept as view state', async (t) => {
  if (skipOrFail(t)) return;
  const w = await openWebview(browser!, 'metrics');
  const r = run('/r/a', 300, 1);
  await w.post({ type: 'init', title: 'x', runs: [r] });
  await w.waitForSent('rendered');
  // Epochs are step/100: three distinct x values once the x axis is the epoch (the last row of each epoch wins).
  await w.page.evaluate(() => {
    const d = document.querySelector('#x-axis') as HTMLElement & { value: string };
    d.value = 'epoch';
    d.dispatchEvent(new Event('change'));
  });
  await w.waitForSent('rendered', 2);
  assert.equal(await w.page.$eval('.chart[data-metric="loss"]', (e) => (e as HTMLElement).dataset.columns), '3');
  await w.page.evaluate(() => {
    const cb = document.querySelector('#log-scale') as HTMLElement & { checked: boolean };
    cb.checked = true;
    cb.dispatchEvent(new Event('change'));
  });
  await w.waitForSent('rendered', 3);
  const state = await w.page.evaluate(() => (window as unknown as { __state: unknown }).__state);
  assert.deepEqual(state, { xAxis: 'epoch', smoothing: 0, logScale: true });
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

test('a sweep: table on top, sortable, no Hydra bookkeeping columns, legends name the swept values, no sideways scroll', async (t) => {
  if (skipOrFail(t)) return;
  const w = await openWebview(browser!, 'metrics', { width: 900, height: 900 });
  const jobs = [0, 1, 2].map((n) => ({ ...run(`/sweep/${n}`, 30, n + 1,
    [`trainer.seed=${3 - n}`, 'data_config.batch_size=8', 'hydra/launcher=local', `hydra.job.num=${n}`,
      'hydra.launcher.hosts=[{host:a}]', `a.very.long.override.key.that.would.widen.the.table=${'x'.repeat(60)}`]), label: `#${n}` }));
  await w.post({ type: 'init', title: 'sweep', runs: jobs });
  await w.waitForSent('rendered');
  // The table comes before the charts in the page.
  assert.equal(await w.page.evaluate(() => {
    const t = document.querySelector('#sweep-table')!;
    return !!(t.compareDocumentPosition(document.querySelector('#charts')!) & Node.DOCUMENT_POSITION_FOLLOWING);
  }), true);
  const header = await w.page.$$eval('#sweep-table thead th', (els) => els.map((e) => e.textContent));
  assert.ok(!header.some((h) => /^hydra/.test(h ?? '')), `no bookkeeping column in ${header}`);
  assert.ok(header.includes('trainer.seed'));
  const legend = await w.page.$$eval('.chart[data-metric="loss"] .u-legend .u-series .u-label', (els) => els.map((e) => e.textContent));
  // Only the swept key (seed) names the runs; batch_size is the same for all and the bookkeeping is left out.
  assert.deepEqual(legend.slice(1), ['#0 seed=3', '#1 seed=2', '#2 seed=1']);
  // Sorting by seed (click) and then descending (click again); numbers sort as numbers.
  const order = () => w.page.$$eval('#sweep-table tbody tr', (els) => els.map((e) => e.getAttribute('data-run')));
  await w.page.click('#sweep-table th:text-is("trainer.seed")');
  assert.deepEqual(await order(), ['/sweep/2', '/sweep/1', '/sweep/0']);
  await w.page.click('#sweep-table th:text-is("trainer.seed")');
  assert.deepEqual(await order(), ['/sweep/0', '/sweep/1', '/sweep/2']);
  assert.equal(await w.page.getAttribute('#sweep-table th:text-is("trainer.seed")', 'aria-sort'), 'descending');
  await w.page.click('#sweep-table th:text-is("loss final")');
  const finals = await w.page.$$eval('#sweep-table tbody tr', (els) => els.map((e) => Number((e.children[6] as HTMLElement).dataset.value)));
  assert.deepEqual(finals, [...finals].sort((a, b) => a - b));
  // The page never scrolls sideways: the wide table scrolls inside its own box.
  assert.equal(await w.page.evaluate(() => document.scrollingElement!.scrollWidth <= document.scrollingElement!.clientWidth), true);
  // Charts sit side by side in a grid when there is room.
  const tops = await w.page.$$eval('.chart', (els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
  assert.equal(tops[0], tops[1], 'two charts share a row at 900 px');
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

test('markers: a resumed attempt and the best checkpoint are drawn where they happened', async (t) => {
  if (skipOrFail(t)) return;
  const w = await openWebview(browser!, 'metrics');
  const rows = Array.from({ length: 40 }, (_, s) => metricRow(s, 1, s < 25 ? 1 : 2));
  const r: MetricsRun = { key: '/r/resumed', label: 'resumed', status: 'completed', overrides: [], bestStep: 30,
    columns: toColumns(rows) };
  await w.post({ type: 'init', title: 'resumed', runs: [r, run('/r/plain', 40, 2)] });
  await w.waitForSent('rendered');
  const marks = await w.page.$$eval('.chart', (els) => els.map((e) => [(e as HTMLElement).dataset.resumes, (e as HTMLElement).dataset.best]));
  assert.deepEqual(marks, [['1', '1'], ['1', '1']]);
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

test('compare view: the config values that differ, one column per run, and a side-by-side diff for two', async (t) => {
  if (skipOrFail(t)) return;
  const w = await openWebview(browser!, 'metrics');
  const a = run('/runs/a', 50, 1);
  const b = run('/runs/b', 50, 2);
  await w.post({ type: 'init', title: 'Compare: 2 runs', runs: [a, b], configDiff: { runs: ['bow a1', 'bow b2'],
    rows: [{ key: 'model.lr', values: ['0.1', '0.01'] }, { key: 'trainer.callbacks', values: ['[]', '(absent)'] }] } });
  await w.waitForSent('rendered');
  assert.equal(await w.page.textContent('#config-diff h2'), '2 config values differ');
  const rows = await w.page.$$eval('#config-diff tbody tr', (els) => els.map((e) => Array.from(e.children, (c) => c.textContent)));
  assert.deepEqual(rows, [['model.lr', '0.1', '0.01'], ['trainer.callbacks', '[]', '(absent)']]);
  // Both runs' curves overlay in each chart.
  const legend = await w.page.$$eval('.chart[data-metric="loss"] .u-legend .u-series .u-label', (els) => els.map((e) => e.textContent));
  assert.deepEqual(legend.slice(1), ['a', 'b']);
  await w.page.click('#open-diff');
  assert.deepEqual(await w.waitForSent('openDiff'), { type: 'openDiff', keys: ['/runs/a', '/runs/b'] });
  assert.deepEqual(w.errors, []);
  await w.page.close();
});
