// The runs table's rows from a scan: every run and every sweep job that never got a run directory, with what the
// table shows (duration from the attempts, final metrics, the best checkpoint's score, tags, notes, the reason of a
// failure). Plain data for webview/contract.ts's TableRun; no vscode.
import type { TableRun } from '../../webview/contract.js';
import { failureReason } from './failure.js';
import type { RunRecord } from './model.js';
import type { ScanResult } from './scan.js';
import { runLabel } from './tree.js';

function seconds(from?: string, to?: string, now = Date.now()): number | undefined {
  const a = from ? Date.parse(from) : NaN;
  const b = to ? Date.parse(to) : now;
  return Number.isFinite(a) && Number.isFinite(b) && b >= a ? (b - a) / 1000 : undefined;
}

/** Time spent in attempts; an attempt still running counts up to `now`. */
export function runDuration(run: RunRecord, now = Date.now()): number | undefined {
  if (!run.attempts.length) return seconds(run.startedAt, run.endedAt ?? (run.status === 'running' ? undefined : run.startedAt), now);
  let total: number | undefined;
  for (const a of run.attempts) {
    const s = seconds(a.started, a.ended ?? (a.status === 'running' ? undefined : a.started), now);
    if (s !== undefined) total = (total ?? 0) + s;
  }
  return total;
}

export function tableRows(scan: ScanResult, now = Date.now()): TableRun[] {
  const sweepOf = new Map<string, { key: string; label: string; jobNum: number }>();
  for (const s of scan.sweeps) {
    const label = `sweep ${runLabel({ dir: s.dir } as RunRecord)}`;
    for (const j of s.jobs) if (j.dir) sweepOf.set(j.dir, { key: s.dir, label, jobNum: j.num });
  }
  const rows: TableRun[] = scan.runs.map((r) => {
    const sweep = sweepOf.get(r.dir) ?? (r.sweep ? { key: r.sweep.dir, label: `sweep ${runLabel({ dir: r.sweep.dir } as RunRecord)}`, jobNum: r.sweep.jobNum } : undefined);
    const best = r.checkpoints.find((c) => c.isBest);
    return {
      key: r.dir, id: r.id, label: sweep ? `#${sweep.jobNum}` : runLabel(r), experiment: r.experiment, name: r.name, sweep,
      status: r.status, startedAt: r.startedAt, durationS: runDuration(r, now), host: r.host, tags: r.tags,
      notes: r.notes ?? '', overrides: r.overrides, metrics: r.finalMetrics ?? {},
      best: best?.score !== undefined && r.monitor ? { metric: r.monitor, value: best.score, mode: r.mode } : undefined,
      reason: r.status === 'failed' ? failureReason(r.dir) : undefined,
    };
  });
  const known = new Set(scan.runs.map((r) => r.dir));
  for (const s of scan.sweeps) {
    for (const j of s.jobs) {
      if (j.dir && known.has(j.dir)) continue;
      rows.push({
        key: j.dir ?? `${s.dir}#${j.num}`, id: `#${j.num}`, label: `#${j.num}`, experiment: s.experiment, name: s.name,
        sweep: { key: s.dir, label: `sweep ${runLabel({ dir: s.dir } as RunRecord)}`, jobNum: j.num },
        status: j.status, tags: [], notes: '', overrides: j.overrides, metrics: {},
        reason: j.status === 'failed' || j.status === 'stopped' ? failureReason(j.dir, j.error) : undefined, jobOnly: true,
      });
    }
  }
  return rows;
}
