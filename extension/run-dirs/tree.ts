// The run explorer's structure as plain data: experiment -> name -> runs and sweeps; a run's children are its
// attempts (when resumed), its checkpoints (best marked) and, under the checkpoint they came from, its forks.
// The vscode TreeDataProvider only maps these nodes to TreeItems.
import { basename, isAbsolute, resolve } from 'node:path';
import type { AttemptInfo, CheckpointInfo, RunRecord, SweepJob, SweepRecord } from './model.js';
import type { ScanResult } from './scan.js';

interface Base {
  /** Stable across refreshes, so the tree keeps its expansion state. */
  id: string;
  label: string;
  description?: string;
  children: ExplorerNode[];
}

/**
 * Overrides as a row shows them: without Hydra's bookkeeping (`hydra/launcher=ssh`, `hydra.launcher.hosts=[...]`,
 * `hydra.job.num`), which says how a job ran, not what was tried (the tooltip keeps the full list).
 */
function shown(overrides: string[]): string {
  return overrides.filter((o) => !/^[~+]*hydra[./]/.test(o)).join(' ');
}

export type ExplorerNode =
  | (Base & { kind: 'experiment' })
  | (Base & { kind: 'name' })
  | (Base & { kind: 'sweep'; sweep: SweepRecord })
  | (Base & { kind: 'run'; run: RunRecord })
  | (Base & { kind: 'attempt'; run: RunRecord; attempt: AttemptInfo })
  | (Base & { kind: 'checkpoint'; run: RunRecord; checkpoint: CheckpointInfo })
  | (Base & { kind: 'job'; sweep: SweepRecord; job: SweepJob });

/** Finds the run a fork's `parent.run` names: a directory (absolute or relative to the fork) or a run id. */
export function resolveParent(child: RunRecord, byDir: Map<string, RunRecord>, byId: Map<string, RunRecord>):
    RunRecord | undefined {
  const p = child.parent?.run;
  if (!p) return undefined;
  const asDir = isAbsolute(p) ? p : resolve(child.dir, p);
  return byDir.get(asDir) ?? byDir.get(resolve(p)) ?? byId.get(p);
}

/** BAIT's run folders end in <date>/<time>; that pair is the most readable label. */
export function runLabel(run: RunRecord): string {
  const parts = run.dir.split('/').filter(Boolean);
  const tail = parts.slice(-2);
  if (tail.length === 2 && /^\d{4}[-_]\d{2}[-_]\d{2}$/.test(tail[0])) return `${tail[0]} ${tail[1]}`;
  return basename(run.dir);
}

function score(c: CheckpointInfo): string {
  return c.score === undefined ? '' : ` ${Number(c.score.toPrecision(4))}`;
}

export function buildExplorerTree(scan: ScanResult): ExplorerNode[] {
  const byDir = new Map(scan.runs.map((r) => [r.dir, r]));
  const byId = new Map(scan.runs.map((r) => [r.id, r]));
  const forksOf = new Map<string, RunRecord[]>();
  const isFork = new Set<string>();
  for (const r of scan.runs) {
    const parent = resolveParent(r, byDir, byId);
    if (!parent || parent === r) continue;
    isFork.add(r.dir);
    forksOf.set(parent.dir, [...(forksOf.get(parent.dir) ?? []), r]);
  }
  const sweepOfRun = new Map<string, SweepRecord>();
  for (const s of scan.sweeps) {
    for (const j of s.jobs) if (j.dir) sweepOfRun.set(j.dir, s);
  }
  for (const r of scan.runs) {
    if (r.sweep && !sweepOfRun.has(r.dir)) {
      const s = scan.sweeps.find((x) => x.dir === r.sweep!.dir);
      if (s) sweepOfRun.set(r.dir, s);
    }
  }

  const runNode = (run: RunRecord, seen: Set<string>): ExplorerNode => {
    seen.add(run.dir);
    const children: ExplorerNode[] = [];
    if (run.attempts.length > 1) {
      for (const a of run.attempts) {
        children.push({
          kind: 'attempt', id: `attempt:${run.dir}:${a.index}`, run, attempt: a, children: [],
          label: `attempt ${a.index}`,
          description: [a.status, a.resumedFrom ? `from ${a.resumedFrom}` : '', a.started ?? ''].filter(Boolean).join(' · '),
        });
      }
    }
    const forks = (forksOf.get(run.dir) ?? []).filter((f) => !seen.has(f.dir));
    const placed = new Set<string>();
    for (const c of run.checkpoints) {
      const fromHere = forks.filter((f) => f.parent!.checkpoint === c.name);
      fromHere.forEach((f) => placed.add(f.dir));
      children.push({
        kind: 'checkpoint', id: `ckpt:${c.dir}`, run, checkpoint: c,
        label: c.isBest ? `★ ${c.name}` : c.name,
        description: [c.isBest ? `best${score(c)}` : c.score !== undefined ? `score${score(c)}` : '',
          c.isLast ? 'last' : '', c.step !== undefined ? `step ${c.step}` : ''].filter(Boolean).join(' · '),
        children: fromHere.map((f) => runNode(f, seen)),
      });
    }
    // Forks whose checkpoint is gone (pruned by save_top_k) still hang under their parent run.
    for (const f of forks) if (!placed.has(f.dir) && !seen.has(f.dir)) children.push(runNode(f, seen));
    const fork = run.parent ? `fork of ${run.parent.checkpoint}` : '';
    return {
      kind: 'run', id: `run:${run.dir}`, run, children,
      label: runLabel(run),
      description: [run.status, run.id, fork, shown(run.overrides)].filter(Boolean).join(' · '),
    };
  };

  const groups = new Map<string, Map<string, ExplorerNode[]>>();
  const add = (experiment: string, name: string, node: ExplorerNode): void => {
    const g = groups.get(experiment) ?? new Map<string, ExplorerNode[]>();
    groups.set(experiment, g);
    g.set(name, [...(g.get(name) ?? []), node]);
  };
  const seen = new Set<string>();
  for (const s of scan.sweeps) {
    const children: ExplorerNode[] = [];
    for (const j of [...s.jobs].sort((a, b) => a.num - b.num)) {
      const run = j.dir ? byDir.get(j.dir) : undefined;
      if (run) {
        const n = runNode(run, seen);
        n.label = `#${j.num} ${shown(j.overrides)}`.trim();
        children.push(n);
      } else {
        children.push({ kind: 'job', id: `job:${s.dir}:${j.num}`, sweep: s, job: j, children: [],
          label: `#${j.num} ${shown(j.overrides)}`.trim(), description: j.status });
      }
    }
    // Runs that point at this sweep but are not (yet) in its sweep.json.
    for (const r of scan.runs) {
      if (sweepOfRun.get(r.dir) === s && !seen.has(r.dir)) children.push(runNode(r, seen));
    }
    const done = s.jobs.filter((j) => j.status === 'completed').length;
    add(s.experiment, s.name, {
      kind: 'sweep', id: `sweep:${s.dir}`, sweep: s, children,
      label: `sweep ${runLabel({ dir: s.dir } as RunRecord)}`,
      description: `${s.jobs.length} jobs · ${done} completed`,
    });
  }
  const newestFirst = [...scan.runs].sort((a, b) =>
    (b.startedAt ?? b.dir).localeCompare(a.startedAt ?? a.dir));
  for (const r of newestFirst) {
    if (seen.has(r.dir) || isFork.has(r.dir) || sweepOfRun.has(r.dir)) continue;
    add(r.experiment, r.name, runNode(r, seen));
  }
  // A fork whose parent chain loops back on itself (a hand-edited run.json) is still shown, at the top level.
  for (const r of scan.runs) if (!seen.has(r.dir)) add(r.experiment, r.name, runNode(r, seen));

  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([experiment, names]) => ({
    kind: 'experiment' as const, id: `exp:${experiment}`, label: experiment,
    children: [...names.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, nodes]) => ({
      kind: 'name' as const, id: `name:${experiment}/${name}`, label: name, description: `${nodes.length}`,
      children: nodes,
    })),
  }));
}
