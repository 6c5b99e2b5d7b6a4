// Runs-table rows for the webview tests and the benchmark: varied statuses, hosts, sweeps, a swept lr, Hydra's
// bookkeeping overrides (which must not become columns) and final metrics.
import type { TableRun } from '../../webview/contract.js';

const STATUSES = ['completed', 'failed', 'running', 'stopped'] as const;

export function tableRun(i: number): TableRun {
  const sweep = i < 600 ? { key: `/runs/sweep${Math.floor(i / 6)}`, label: `sweep ${Math.floor(i / 6)}`, jobNum: i % 6 } : undefined;
  return {
    key: `/runs/r${i}`, id: `id${String(i).padStart(5, '0')}`, label: sweep ? `#${sweep.jobNum}` : `2026-11-28 10-${String(i % 60).padStart(2, '0')}`,
    experiment: i % 2 ? 'premise_selection' : 'hol4', name: 'bag_of_words', sweep, status: STATUSES[i % 4],
    startedAt: `2026-11-28T10:${String(i % 60).padStart(2, '0')}:00Z`, durationS: 60 + i, host: i % 3 ? 'local' : 'gpu1',
    tags: i === 3 ? ['baseline'] : [], notes: '', metrics: { loss: 1 / (i + 1), acc: i / 1000 },
    overrides: [`model.lr=${(i % 5) / 100}`, 'data_config.batch_size=16', 'hydra/launcher=local', `hydra.job.num=${i}`],
    best: { metric: 'acc', value: i / 900, mode: 'max' },
    reason: STATUSES[i % 4] === 'failed' ? 'error: NaN loss' : undefined,
  };
}

