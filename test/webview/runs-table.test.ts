// The runs table webview in a real chromium page with a fake host: 1,000 rows, differing config values as
// columns, sort, filter, group, editing tags and notes (messages to the host), selecting runs to compare.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { TableRun } from '../../webview/contract.js';
import { browserMissing, launch, openWebview, skipOrFail } from './browser.js';
import { tableRun } from './table-fixture.js';

let browser: Browser | undefined;
before(async () => {
  if (!browserMissing()) browser = await launch();
});
after(async () => browser?.close());

test('1,000 runs: one row each, columns for values that differ, no bookkeeping, no sideways page scroll', async (t) => {
  if (skipOrFail(t)) return;
  const w = await openWebview(browser!, 'runs-table', { width: 1100, height: 800 });
  await w.post({ type: 'init', runs: Array.from({ length: 1000 }, (_, i) => tableRun(i)) });
  const r = await w.waitForSent('rendered');
  assert.equal(r.rows, 1000);
  // Only the rows in view (and a margin) are in the DOM; scrolling brings the others.
  const drawn = await w.page.$$eval('#runs tbody tr', (e) => e.length);
  assert.ok(drawn >= 20 && drawn < 200, `${drawn} rows drawn of 1000`);
  await w.page.click('#runs th[data-col="duration"]');
  assert.equal(await w.page.getAttribute('#runs tbody tr >> nth=0', 'data-key'), '/runs/r0');
  await w.page.$eval('#table-scroll', (s) => { s.scrollTop = s.scrollHeight; });
  await w.page.locator('#runs tbody tr[data-key="/runs/r999"]').waitFor({ timeout: 10_000 });
  const last = await w.page.$eval('#runs tbody tr[data-key="/runs/r999"]', (tr) => {
    const box = tr.getBoundingClientRect();
    const view = document.querySelector('#table-scroll')!.getBoundingClientRect();
    return box.bottom <= view.bottom + 1 && box.top >= view.top;
  });
  assert.ok(last, 'the last run is in view at the bottom of the scroll range');
  await w.page.$eval('#table-scroll', (s) => { s.scrollTop = s.scrollHeight / 2; });
  await w.page.waitForFunction(() => Array.from(document.querySelectorAll('#runs tbody tr')).some((tr) => {
    const box = tr.getBoundingClientRect();
    return (tr as HTMLElement).dataset.key === '/runs/r500' && box.top >= 0 && box.bottom <= innerHeight;
  }), undefined, { timeout: 10_000 });
  // The status icons are codicons from the bundled font, loaded under the webview's CSP.
  await w.page.evaluate(() => document.fonts.ready);
  assert.ok(await w.page.evaluate(() => {
    let loaded = false;
    document.fonts.forEach((f) => { if (f.family.replace(/"/g, '') === 'codicon' && f.status === 'loaded') loaded = true; });
    return loaded;
  }), 'the codicon font loaded');
  assert.equal(await w.page.$eval('#runs .status-icon', (e) => getComputedStyle(e, '::before').fontFamily.replace(/"/g, '')), 'codicon');
  const header = await w.page.$$eval('#runs thead th', (els) => els.map((e) => e.textContent));
  assert.deepEqual(header, ['', 'run', 'status', 'experiment', 'duration', 'host', 'tags', 'notes', 'model.lr', 'loss', 'acc', 'best']);
  assert.equal(await w.page.textContent('#count'), '1000 runs');
  assert.equal(await w.page.evaluate(() => document.scrollingElement!.scrollWidth <= document.scrollingElement!.clientWidth), true);
  assert.deepEqual(w.cspViolations, []);
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

test('sort by a header (numbers as numbers), filter by words and status:, group by sweep', async (t) => {
  if (skipOrFail(t)) return;
  const w = await openWebview(browser!, 'runs-table');
  await w.post({ type: 'init', runs: Array.from({ length: 40 }, (_, k) => tableRun(k * 20 + (k % 4))) });
  await w.waitForSent('rendered');
  await w.page.click('#runs th[data-col="metric:loss"]');
  const losses = await w.page.$$eval('#runs tbody td[data-col="metric:loss"]', (els) => els.map((e) => Number((e as HTMLElement).dataset.value)));
  assert.deepEqual(losses, [...losses].sort((a, b) => a - b));
  await w.page.click('#runs th[data-col="metric:loss"]');
  assert.equal(await w.page.getAttribute('#runs th[data-col="metric:loss"]', 'aria-sort'), 'descending');
  await w.page.fill('#filter', 'status:failed gpu1');
  await w.page.waitForFunction(() => document.querySelector('#count')?.textContent?.includes(' of '));
  const shown = await w.page.$$eval('#runs tbody tr', (els) => els.map((e) => [e.querySelector('[data-col="status"]')!.textContent, e.querySelector('[data-col="host"]')!.textContent]));
  assert.ok(shown.length > 0);
  for (const [status, hostName] of shown) assert.deepEqual([status, hostName], ['failed', 'gpu1']);
  await w.page.fill('#filter', '');
  await w.page.selectOption('#group', 'sweep');
  await w.page.waitForFunction(() => document.querySelectorAll('#runs tr.group-row').length > 0);
  const groups = await w.page.$$eval('#runs tr.group-row', (els) => els.map((e) => e.textContent));
  assert.ok(groups.some((g) => /sweep 0 · 1 run$/.test(g ?? '')), JSON.stringify(groups));
  // The last group (sorted by name) is drawn once scrolled into view.
  await w.page.$eval('#table-scroll', (s) => { s.scrollTop = s.scrollHeight; });
  await w.page.locator('#runs tr.group-row', { hasText: /single runs · 10 runs/ }).waitFor({ timeout: 10_000 });
  const state = await w.page.evaluate(() => (window as unknown as { __state: unknown }).__state);
  assert.deepEqual(state, { filter: '', group: 'sweep', sort: { column: 'metric:loss', dir: -1 } });
  await w.page.close();
});

test('tags and notes are edited in place and sent to the host; a job without a run cannot be ticked', async (t) => {
  if (skipOrFail(t)) return;
  const w = await openWebview(browser!, 'runs-table');
  const job: TableRun = { ...tableRun(7), key: '/runs/sweep1#7', jobOnly: true, status: 'failed', metrics: {}, best: undefined, reason: 'error: NaN loss' };
  await w.post({ type: 'init', runs: [tableRun(1), tableRun(2), job] });
  await w.waitForSent('rendered');
  await w.page.click('tr[data-key="/runs/r1"] td[data-col="tags"]');
  await w.page.fill('tr[data-key="/runs/r1"] td[data-col="tags"] input', 'baseline,  good ,');
  await w.page.press('tr[data-key="/runs/r1"] td[data-col="tags"] input', 'Enter');
  assert.deepEqual(await w.waitForSent('setTags'), { type: 'setTags', key: '/runs/r1', tags: ['baseline', 'good'] });
  assert.deepEqual(await w.page.$$eval('tr[data-key="/runs/r1"] .tag', (els) => els.map((e) => e.textContent)), ['baseline', 'good']);
  await w.page.click('tr[data-key="/runs/r2"] td[data-col="notes"]');
  await w.page.fill('tr[data-key="/runs/r2"] td[data-col="notes"] input', 'lr too high <b>');
  await w.page.press('tr[data-key="/runs/r2"] td[data-col="notes"] input', 'Enter');
  assert.deepEqual(await w.waitForSent('setNotes'), { type: 'setNotes', key: '/runs/r2', notes: 'lr too high <b>' });
  assert.equal(await w.page.textContent('tr[data-key="/runs/r2"] td[data-col="notes"]'), 'lr too high <b>');
  // Escape leaves the value as it was and sends nothing.
  await w.page.click('tr[data-key="/runs/r2"] td[data-col="notes"]');
  await w.page.fill('tr[data-key="/runs/r2"] td[data-col="notes"] input', 'discard me');
  await w.page.press('tr[data-key="/runs/r2"] td[data-col="notes"] input', 'Escape');
  assert.equal((await w.sent()).filter((m) => m.type === 'setNotes').length, 1);
  assert.equal(await w.page.isDisabled('tr[data-key="/runs/sweep1#7"] input[type="checkbox"]'), true);
  assert.equal(await w.page.getAttribute('tr[data-key="/runs/sweep1#7"] td[data-col="status"]', 'title'), 'error: NaN loss');
  await w.page.click('tr[data-key="/runs/r1"] .run-link');
  assert.deepEqual(await w.waitForSent('open'), { type: 'open', key: '/runs/r1' });
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

test('ticking two runs enables Compare, which asks the host to compare exactly those', async (t) => {
  if (skipOrFail(t)) return;
  const w = await openWebview(browser!, 'runs-table');
  await w.post({ type: 'init', runs: [tableRun(1), tableRun(2), tableRun(3)] });
  await w.waitForSent('rendered');
  assert.equal(await w.page.isDisabled('#compare'), true);
  await w.page.check('tr[data-key="/runs/r1"] input[type="checkbox"]');
  assert.equal(await w.page.isDisabled('#compare'), true, 'one run is not a comparison');
  await w.page.check('tr[data-key="/runs/r3"] input[type="checkbox"]');
  assert.equal(await w.page.textContent('#compare'), 'Compare 2');
  // An update from the host (a run's status changed) keeps the selection.
  await w.post({ type: 'update', runs: [tableRun(1), { ...tableRun(2), status: 'completed' }, tableRun(3)] });
  await w.waitForSent('rendered', 2);
  assert.equal(await w.page.isChecked('tr[data-key="/runs/r3"] input[type="checkbox"]'), true);
  await w.page.click('#compare');
  const m = await w.waitForSent('compare');
  assert.deepEqual([...(m.keys as string[])].sort(), ['/runs/r1', '/runs/r3']);
  await w.page.close();
});
