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

export interface AttemptSpan {
  attempt: GraphAttempt;
  from: number;
  to: number;
  checkpoints: GraphCheckpoint[];
}

/**
 * Each attempt's span on the step axis: the steps it logged when known; else from where it resumed (the previous
 * attempt's end, or for a fork's first attempt the step of the checkpoint it forked from) to its last checkpoint.
 */
export function attemptSpans(lane: Lane, parentCheckpointStep?: number): AttemptSpan[] {
  const spans: AttemptSpan[] = [];
  let current: AttemptSpan | undefined;
  for (const item of lane.items) {
    if (item.kind === 'attempt') {
      const prevEnd = spans.length ? spans[spans.length - 1].to : parentCheckpointStep ?? 0;
      const a = item.attempt;
      current = { attempt: a, from: a.fromStep ?? prevEnd, to: a.toStep ?? a.fromStep ?? prevEnd, checkpoints: [] };
      spans.push(current);
    } else if (current) {
      current.checkpoints.push(item.checkpoint);
    }
  }
  for (const s of spans) {
    for (const c of s.checkpoints) if (c.step !== undefined && s.attempt.toStep === undefined) s.to = Math.max(s.to, c.step);
  }
  return spans;
}

/** "Nice" tick values (1, 2, 5 x 10^k) from 0 to max, about `count` of them. */
export function stepTicks(max: number, count = 6): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}
