// Runs table and compare benchmarks in Debian chromium, with the same HTML shell and CSP as in VS Code. Each
// figure comes with a baseline measured in the same page and run:
//  - runs table first render, 1,000 runs (init message to drawn rows, sort/filter/grouping code included) vs the
//    same cell texts written as one plain HTML table (innerHTML): the floor for showing those cells at all;
//  - compare of 10 runs x 10,000 points (config diff + overlaid curves, init to drawn charts) vs the dashboard of
//    one of those runs: what comparing ten costs over looking at one.
import { browserMissing, launch, openWebview, type WebviewPageHandle } from '../test/webview/browser.js';
import { tableRun } from '../test/webview/table-fixture.js';

const RUNS = 1000;
const COMPARE = 10;
const POINTS = 10_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Posts a message staged in the page and resolves with the time until the page reports it drew it. */
function timed(w: WebviewPageHandle, staged: string): Promise<number> {
  return w.page.evaluate(`new Promise((resolve) => {
    const sent = window.__sent;
    const push = sent.push.bind(sent);
    const t0 = performance.now();
    sent.push = (m) => { if (m.type === 'rendered') resolve(performance.now() - t0); return push(m); };
    window.postMessage(${staged}, '*');
  })`) as Promise<number>;
}

async function plainTableMs(w: WebviewPageHandle): Promise<number> {
  return w.page.evaluate(`(() => {
    const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const t0 = performance.now();
    const rows = window.__rows.map((r) => '<tr><td>' + [r.label, r.status, r.experiment + '/' + r.name, r.durationS, r.host,
      r.tags.join(', '), r.notes, r.overrides[0], r.metrics.loss, r.metrics.acc, r.best ? r.best.value : ''].map(esc).join('</td><td>') + '</td></tr>');
    const box = document.createElement('div');
    box.innerHTML = '<table>' + rows.join('') + '</table>';
    document.body.append(box);
    box.getBoundingClientRect();
    const ms = performance.now() - t0;
    box.remove();
    return ms;
  })()`) as Promise<number>;
}

function stageCompare(w: WebviewPageHandle, runs: number): Promise<unknown> {
  return w.page.evaluate(`(() => {
    const runs = [];
    for (let r = 0; r < ${runs}; r++) {
      const N = ${POINTS}; const step = new Float64Array(N), epoch = new Float64Array(N), time = new Float64Array(N), attempt = new Float64Array(N), loss = new Float64Array(N), acc = new Float64Array(N);
      for (let s = 0; s < N; s++) {
        step[s] = s; epoch[s] = Math.floor(s / 1000); time[s] = 1764288000 + s * 0.25; attempt[s] = s < N / 2 ? 1 : 2;
        const noise = Math.sin(s * 12.9898 + r * 78.233) * 0.02;
        loss[s] = 1 / (1 + s / (50 * (r + 1))) + noise; acc[s] = 1 - 0.5 / (1 + s / 80) + noise / 2;
      }
      runs.push({ key: '/bench/run' + r, label: 'run ' + r, status: 'completed', overrides: ['model.lr=' + (r / 1000)], bestStep: N - 100,
        columns: { step, epoch, time, attempt, metrics: { loss, acc } } });
    }
    const rows = [];
    for (let k = 0; k < 40; k++) rows.push({ key: 'model.layer' + k + '.lr', values: runs.map((_, r) => String(r / 1000 + k)) });
    window.__compare = { type: 'init', title: 'Compare', runs, configDiff: runs.length > 1 ? { runs: runs.map((r) => r.label), rows } : undefined };
  })()`);
}

export async function benchRunsTable(): Promise<Record<string, unknown>> {
  const missing = browserMissing();
  if (missing) throw new Error(missing);
  const browser = await launch();
  try {
    const table: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < 5; i++) {
      const w = await openWebview(browser, 'runs-table', { width: 1400, height: 900 });
      await w.page.evaluate((rows) => { (window as unknown as { __rows: unknown }).__rows = rows; },
        Array.from({ length: RUNS }, (_, k) => tableRun(k)));
      plain.push(await plainTableMs(w));
      table.push(await timed(w, `{ type: 'init', runs: window.__rows }`));
      await w.page.close();
    }
    const compare: number[] = [];
    const single: number[] = [];
    for (let i = 0; i < 5; i++) {
      for (const [n, out] of [[COMPARE, compare], [1, single]] as const) {
        const w = await openWebview(browser, 'metrics', { width: 1400, height: 900 });
        await stageCompare(w, n);
        out.push(await timed(w, 'window.__compare'));
        await w.page.close();
      }
    }
    const t = median(table);
    const p = median(plain);
    const c = median(compare);
    const s = median(single);
    return {
      runs: RUNS, table_first_render_ms_median: Math.round(t), table_first_render_ms_runs: table.map(Math.round),
      plain_html_table_ms_median: Math.round(p), table_vs_plain_html: Number((t / p).toFixed(2)),
      compare_runs: COMPARE, points_per_run: POINTS, compare_first_render_ms_median: Math.round(c),
      compare_first_render_ms_runs: compare.map(Math.round), one_run_dashboard_ms_median: Math.round(s),
      compare_vs_one_run: Number((c / s).toFixed(2)),
    };
  } finally {
    await browser.close();
  }
}
