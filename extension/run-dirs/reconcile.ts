// Keeps the run explorer's node objects across reloads. VS Code maps a row to the object it was given; a refresh
// of the whole tree drops every mapping until the rows are fetched again, and a row's menu clicked in that window
// reaches the command with no row ("Stop which run?" about the row just clicked). So a reload reuses the previous
// object of every node id (updated in place) and reports only the nodes whose own row or children changed, for a
// refresh of just those. Plain data, no vscode.
import type { ExplorerNode } from './tree.js';

/** What a node's row shows and which children it has: a change means that row must be redrawn. */
function ownSignature(n: ExplorerNode): string {
  const status = n.kind === 'run' ? n.run.status : n.kind === 'job' ? n.job.status : n.kind === 'attempt' ? n.attempt.status : '';
  const extra = n.kind === 'run' ? `${n.run.problems.join('|')}|${n.run.dir}` : n.kind === 'checkpoint' ? `${n.checkpoint.isBest}` : '';
  return JSON.stringify([n.kind, n.label, n.description ?? '', status, extra, n.children.map((c) => c.id)]);
}

export interface Reconciled {
  roots: ExplorerNode[];
  /** undefined: the top level changed (refresh everything); else the nodes to refresh (maybe none). */
  changed: ExplorerNode[] | undefined;
}

export function reconcile(previous: ExplorerNode[], next: ExplorerNode[]): Reconciled {
  const old = new Map<string, { node: ExplorerNode; sig: string }>();
  const index = (ns: ExplorerNode[]): void => ns.forEach((n) => {
    old.set(n.id, { node: n, sig: ownSignature(n) });
    index(n.children);
  });
  index(previous);
  const changed: ExplorerNode[] = [];
  const adopt = (n: ExplorerNode, parentChanged: boolean): ExplorerNode => {
    const before = old.get(n.id);
    const mine = before && before.node.kind === n.kind ? before.node : undefined;
    const sig = ownSignature(n);
    const isChanged = !mine || mine !== n && before!.sig !== sig;
    if (isChanged && mine && !parentChanged) changed.push(mine);
    const children = n.children.map((c) => adopt(c, parentChanged || isChanged));
    if (!mine) return { ...n, children } as ExplorerNode;
    // Update the kept object in place: its fields become the new node's.
    for (const k of Object.keys(mine)) delete (mine as unknown as Record<string, unknown>)[k];
    Object.assign(mine, n, { children });
    return mine;
  };
  const roots = next.map((n) => adopt(n, false));
  const topChanged = previous.length !== next.length || previous.some((p, i) => p.id !== next[i]?.id);
  return { roots, changed: topChanged ? undefined : changed };
}
