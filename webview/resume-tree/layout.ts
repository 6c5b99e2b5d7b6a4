// The resume graph's structure as plain data: one lane per run (forks right after their parent, indented by
// depth); in a lane, each attempt followed by the checkpoints it wrote. Kept free of DOM so it is unit-tested.
import type { GraphAttempt, GraphCheckpoint, GraphRun } from '../contract.js';

export interface Lane {
  run: GraphRun;
  depth: number;
  items: ({ kind: 'attempt'; attempt: GraphAttempt } | { kind: 'checkpoint'; checkpoint: GraphCheckpoint })[];
}

export function layoutLanes(runs: GraphRun[]): Lane[] {
  const keys = new Set(runs.map((r) => r.key));
  const children = new Map<string, GraphRun[]>();
  const roots: GraphRun[] = [];
  for (const r of runs) {
    const p = r.parent?.key;
    if (p && keys.has(p) && p !== r.key) children.set(p, [...(children.get(p) ?? []), r]);
    else roots.push(r);
  }
  const lanes: Lane[] = [];
  const placed = new Set<string>();
  const visit = (r: GraphRun, depth: number): void => {
    if (placed.has(r.key)) return;
    placed.add(r.key);
    lanes.push({ run: r, depth, items: laneItems(r) });
    for (const c of children.get(r.key) ?? []) visit(c, depth + 1);
  };
  for (const r of roots) visit(r, 0);
  // Runs caught in a parent cycle (hand-edited files) have no root; they still get a lane.
  for (const r of runs) visit(r, 0);
  return lanes;
}

function laneItems(r: GraphRun): Lane['items'] {
  const attempts = r.attempts.length ? r.attempts : [{ index: 1, status: r.status } as GraphAttempt];
  const lastIndex = attempts[attempts.length - 1].index;
  const items: Lane['items'] = [];
  for (const a of attempts) {
    items.push({ kind: 'attempt', attempt: a });
    for (const c of r.checkpoints) if ((c.attempt ?? lastIndex) === a.index) items.push({ kind: 'checkpoint', checkpoint: c });
  }
  // Checkpoints that name an attempt the run does not list still show, after the last attempt.
  const shown = new Set(items.flatMap((i) => (i.kind === 'checkpoint' ? [i.checkpoint.name] : [])));
  for (const c of r.checkpoints) if (!shown.has(c.name)) items.push({ kind: 'checkpoint', checkpoint: c });
  return items;
}
