// The checkpoint & resume tree as a timeline on the step axis: per run a header (label, status, actions) and one
// lane per attempt, its bar spanning the steps it trained, its checkpoints as dots where they were saved (the best
// ringed). Resume edges join an attempt to the next; fork edges join a checkpoint to the fork's first attempt.
// Positions are percentages of the track, so the page never scrolls sideways; a checkpoint's dot opens its
// details with "Resume here" and "Fork". Readable with 10 attempts and 50 checkpoints on a run.
import './resume-tree.css';
import type { GraphCheckpoint, GraphRun, ResumeTreeHostMessage, ResumeTreeWebviewMessage } from '../contract.js';
import { formatNumber, formatTicks } from '../shared/format.js';
import { el, host, onHostMessage } from '../shared/host.js';
import { icon } from '../shared/icons.js';
import { registerToolkit } from '../shared/toolkit.js';
import { attemptSpans, layoutLanes, stepTicks } from './layout.js';

registerToolkit();
const vscode = host<ResumeTreeWebviewMessage>();

const heading = el('h1', { id: 'title' });
const axis = el('div', { id: 'axis', class: 'track-row axis' }, el('div', { class: 'track-label muted' }, 'step'), el('div', { class: 'track' }));
const graph = el('section', { id: 'graph' });
const details = el('section', { id: 'details', hidden: '' });
const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
svg.setAttribute('id', 'edges');
const empty = el('p', { id: 'empty' }, 'No runs yet.');
graph.append(svg);
document.body.append(el('main', { id: 'resume-tree' }, el('header', { class: 'toolbar' }, heading), empty, axis, graph, details));

let runs: GraphRun[] = [];
let focus: string | undefined;
let selected: { run: string; checkpoint: string } | undefined;

/** The codicon of each action, as VS Code shows it elsewhere (the run explorer's menus). */
const ICONS: Record<string, string> = { 'Resume here': 'debug-continue', Fork: 'repo-forked', Resume: 'debug-continue',
  Config: 'go-to-file', Metrics: 'graph-line' };

function button(label: string, onClick: () => void, attrs: Record<string, string> = {}): HTMLElement {
  const start = ICONS[label] ? [Object.assign(icon(ICONS[label]), { slot: 'start' })] : [];
  const b = el('vscode-button', { appearance: 'secondary', ...attrs }, ...start, label);
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    onClick();
  });
  return b;
}

function when(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 19);
}

/** Where a step sits on the track, in percent. */
let maxStep = 1;
function pct(step: number): number {
  return Math.max(0, Math.min(100, (step / maxStep) * 100));
}

function showDetails(r: GraphRun, c: GraphCheckpoint): void {
  selected = { run: r.key, checkpoint: c.name };
  details.hidden = false;
  details.replaceChildren(
    el('strong', {}, `${c.isBest ? '★ ' : ''}${c.name}`),
    el('span', { class: 'muted' }, [`${r.label}`, c.step !== undefined ? `step ${c.step}` : '', c.attempt !== undefined ? `attempt ${c.attempt}` : '',
      c.score !== undefined ? `score ${formatNumber(c.score)}` : '', c.isLast ? 'last' : ''].filter(Boolean).join(' · ')),
    button('Resume here', () => vscode.postMessage({ type: 'resume', key: r.key, from: c.name }), { class: 'resume-from' }),
    button('Fork', () => vscode.postMessage({ type: 'fork', key: r.key, checkpoint: c.name }), { class: 'fork' }));
  for (const n of Array.from(graph.querySelectorAll('.checkpoint.selected'))) n.classList.remove('selected');
  graph.querySelector(`.lane[data-run="${CSS.escape(r.key)}"] .checkpoint[data-checkpoint="${CSS.escape(c.name)}"]`)?.classList.add('selected');
}

function render(): void {
  for (const n of Array.from(graph.children)) if (n !== svg) n.remove();
  const lanes = layoutLanes(runs);
  empty.hidden = lanes.length > 0;
  axis.hidden = lanes.length === 0;
  const byKey = new Map(runs.map((r) => [r.key, r]));
  const spansOf = new Map<string, ReturnType<typeof attemptSpans>>();
  for (const lane of lanes) {
    const parent = lane.run.parent?.key ? byKey.get(lane.run.parent.key) : undefined;
    const from = parent?.checkpoints.find((c) => c.name === lane.run.parent!.checkpoint)?.step;
    spansOf.set(lane.run.key, attemptSpans(lane, from));
  }
  maxStep = Math.max(1, ...[...spansOf.values()].flat().flatMap((s) => [s.to, ...s.checkpoints.map((c) => c.step ?? 0)]));
  const ticks = stepTicks(maxStep);
  const labels = formatTicks(ticks);
  axis.querySelector('.track')!.replaceChildren(...ticks.map((t, i) =>
    el('span', { class: 'tick', style: `left:${pct(t)}%` }, labels[i])));
  let attempts = 0;
  let checkpoints = 0;
  for (const lane of lanes) {
    const r = lane.run;
    const head = el('div', { class: 'lane-head' },
      el('span', { class: 'run-label' }, r.label),
      // A plain tag: the toolkit's vscode-tag template carries an inline style attribute that the CSP blocks.
      el('span', { class: `tag status ${r.status}` }, r.status),
      el('span', { class: 'run-id muted' }, r.id),
      r.parent ? el('span', { class: 'fork-of muted' }, `fork of ${r.parent.checkpoint}`) : '',
      el('span', { class: 'spacer' }),
      button('Resume', () => vscode.postMessage({ type: 'resume', key: r.key }), { class: 'resume' }),
      button('Config', () => vscode.postMessage({ type: 'openConfig', key: r.key }), { class: 'open-config' }),
      button('Metrics', () => vscode.postMessage({ type: 'openMetrics', key: r.key }), { class: 'open-metrics' }));
    const rows: HTMLElement[] = [];
    for (const span of spansOf.get(r.key) ?? []) {
      attempts++;
      const a = span.attempt;
      const label = el('div', { class: `node attempt ${a.status}`, 'data-attempt': String(a.index),
        // The label column cuts a long checkpoint name with an ellipsis; the tooltip has all of it.
        title: [[when(a.started), when(a.ended)].filter(Boolean).join(' → '), a.resumedFrom ? `resumed from ${a.resumedFrom}` : ''].filter(Boolean).join('\n') },
      el('strong', {}, `attempt ${a.index}`), el('span', {}, a.status),
      a.resumedFrom ? el('span', { class: 'resumed-from' }, `from ${a.resumedFrom}`) : '');
      const track = el('div', { class: 'track' });
      const width = Math.max(0.6, pct(span.to) - pct(span.from));
      track.append(el('div', { class: `bar ${a.status}`, 'data-bar': String(a.index), title: `steps ${span.from}–${span.to}`,
        style: `left:${pct(span.from)}%;width:${width}%` }));
      for (const c of span.checkpoints) {
        checkpoints++;
        const cls = ['node', 'checkpoint', c.isBest ? 'best' : '', c.isLast ? 'last' : ''].filter(Boolean).join(' ');
        const dot = el('button', { class: cls, 'data-checkpoint': c.name, type: 'button',
          title: [c.name, c.step !== undefined ? `step ${c.step}` : '', c.score !== undefined ? `score ${formatNumber(c.score)}` : '']
            .filter(Boolean).join(' · '), 'aria-label': `checkpoint ${c.name}`, style: `left:${pct(c.step ?? span.to)}%` });
        dot.addEventListener('click', () => showDetails(r, c));
        track.append(dot);
      }
      rows.push(el('div', { class: 'track-row', 'data-attempt-row': String(a.index) }, label, track));
    }
    const laneEl = el('div', { class: 'lane', 'data-run': r.key, 'data-depth': String(lane.depth),
      style: `--depth:${lane.depth}` }, head, ...rows);
    if (r.key === focus) laneEl.classList.add('focus');
    graph.append(laneEl);
  }
  if (selected) {
    const r = byKey.get(selected.run);
    const c = r?.checkpoints.find((x) => x.name === selected!.checkpoint);
    if (r && c) showDetails(r, c);
    else details.hidden = true;
  }
  requestAnimationFrame(drawEdges);
  vscode.postMessage({ type: 'rendered', runs: lanes.length, attempts, checkpoints });
}

function edge(d: string, cls: string, attrs: Record<string, string>): void {
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', d);
  path.setAttribute('class', cls);
  for (const [k, v] of Object.entries(attrs)) path.setAttribute(k, v);
  svg.append(path);
}

/** Edges need the laid-out positions, so they are drawn after layout, in graph coordinates. */
function drawEdges(): void {
  svg.replaceChildren();
  const box = graph.getBoundingClientRect();
  svg.setAttribute('width', String(graph.clientWidth));
  svg.setAttribute('height', String(graph.scrollHeight));
  const lanes = Array.from(graph.querySelectorAll<HTMLElement>('.lane'));
  const curve = (a: DOMRect, ax: number, b: DOMRect, bx: number): string => {
    const x1 = ax - box.left;
    const y1 = a.top + a.height / 2 - box.top;
    const x2 = bx - box.left;
    const y2 = b.top + b.height / 2 - box.top;
    const bend = Math.max(12, (y2 - y1) / 2);
    return `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`;
  };
  for (const laneEl of lanes) {
    // Resume edges: from the end of one attempt's bar to the start of the next.
    const bars = Array.from(laneEl.querySelectorAll<HTMLElement>('.bar'));
    for (let i = 1; i < bars.length; i++) {
      const a = bars[i - 1].getBoundingClientRect();
      const b = bars[i].getBoundingClientRect();
      edge(curve(a, a.right, b, b.left), 'resume-edge', { 'data-run': laneEl.dataset.run ?? '', 'data-attempt': bars[i].dataset.bar ?? '' });
    }
  }
  for (const r of runs) {
    if (!r.parent?.key) continue;
    const parentLane = lanes.find((l) => l.dataset.run === r.parent!.key);
    const from = parentLane?.querySelector(`.checkpoint[data-checkpoint="${CSS.escape(r.parent.checkpoint)}"]`);
    const to = lanes.find((l) => l.dataset.run === r.key)?.querySelector('.bar');
    if (!from || !to) continue;
    const a = from.getBoundingClientRect();
    const b = to.getBoundingClientRect();
    edge(curve(a, a.left + a.width / 2, b, b.left), 'fork-edge', { 'data-fork': r.key });
  }
}

onHostMessage<ResumeTreeHostMessage>((m) => {
  if (m.type === 'init') {
    heading.textContent = m.title;
    focus = m.focus;
  }
  runs = m.runs;
  render();
});

new ResizeObserver(() => requestAnimationFrame(drawEdges)).observe(graph);
vscode.postMessage({ type: 'initialized' });
