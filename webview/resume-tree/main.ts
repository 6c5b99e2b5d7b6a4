// The checkpoint & resume tree: one lane per run with its attempts and checkpoints in order, forks drawn as edges
// from the checkpoint they came from to the fork's lane. Actions: resume a run, fork from a checkpoint, open the
// run's config or metrics.
import './resume-tree.css';
import type { GraphRun, ResumeTreeHostMessage, ResumeTreeWebviewMessage } from '../contract.js';
import { el, host, onHostMessage } from '../shared/host.js';
import { registerToolkit } from '../shared/toolkit.js';
import { layoutLanes } from './layout.js';

registerToolkit();
const vscode = host<ResumeTreeWebviewMessage>();

const heading = el('h1', { id: 'title' });
const graph = el('section', { id: 'graph' });
const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
svg.setAttribute('id', 'edges');
const empty = el('p', { id: 'empty' }, 'No runs yet.');
graph.append(svg);
document.body.append(el('main', { id: 'resume-tree' }, heading, empty, graph));

let runs: GraphRun[] = [];
let focus: string | undefined;

function button(label: string, onClick: () => void, attrs: Record<string, string> = {}): HTMLElement {
  const b = el('vscode-button', { appearance: 'secondary', ...attrs }, label);
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

function render(): void {
  for (const n of Array.from(graph.children)) if (n !== svg) n.remove();
  const lanes = layoutLanes(runs);
  empty.hidden = lanes.length > 0;
  let attempts = 0;
  let checkpoints = 0;
  for (const lane of lanes) {
    const r = lane.run;
    const head = el('div', { class: 'lane-head' },
      el('span', { class: 'run-label' }, r.label),
      // A plain tag: the toolkit's vscode-tag template carries an inline style attribute that the CSP blocks.
      el('span', { class: `tag status ${r.status}` }, r.status),
      el('span', { class: 'run-id' }, r.id),
      r.parent ? el('span', { class: 'fork-of' }, `fork of ${r.parent.checkpoint}`) : '',
      button('Resume', () => vscode.postMessage({ type: 'resume', key: r.key }), { class: 'resume' }),
      button('Config', () => vscode.postMessage({ type: 'openConfig', key: r.key }), { class: 'open-config' }),
      button('Metrics', () => vscode.postMessage({ type: 'openMetrics', key: r.key }), { class: 'open-metrics' }));
    const nodes = el('div', { class: 'nodes' });
    for (const item of lane.items) {
      if (item.kind === 'attempt') {
        attempts++;
        const a = item.attempt;
        nodes.append(el('div', { class: `node attempt ${a.status}`, 'data-attempt': String(a.index),
          title: [when(a.started), when(a.ended)].filter(Boolean).join(' → ') },
        el('strong', {}, `attempt ${a.index}`), el('span', {}, a.status),
        a.resumedFrom ? el('span', { class: 'resumed-from' }, `from ${a.resumedFrom}`) : ''));
      } else {
        checkpoints++;
        const c = item.checkpoint;
        const cls = ['node', 'checkpoint', c.isBest ? 'best' : '', c.isLast ? 'last' : ''].filter(Boolean).join(' ');
        nodes.append(el('div', { class: cls, 'data-checkpoint': c.name, tabindex: '0' },
          el('strong', {}, (c.isBest ? '★ ' : '') + c.name),
          el('span', {}, [c.step !== undefined ? `step ${c.step}` : '', c.score !== undefined ? `score ${Number(c.score.toPrecision(4))}` : '']
            .filter(Boolean).join(' · ')),
          el('span', { class: 'actions' },
            button('Resume here', () => vscode.postMessage({ type: 'resume', key: r.key, from: c.name }), { class: 'resume-from' }),
            button('Fork', () => vscode.postMessage({ type: 'fork', key: r.key, checkpoint: c.name }), { class: 'fork' }))));
      }
    }
    const laneEl = el('div', { class: 'lane', 'data-run': r.key, 'data-depth': String(lane.depth),
      style: `margin-left: ${lane.depth * 32}px` }, head, nodes);
    if (r.key === focus) laneEl.classList.add('focus');
    graph.append(laneEl);
  }
  requestAnimationFrame(drawEdges);
  vscode.postMessage({ type: 'rendered', runs: lanes.length, attempts, checkpoints });
}

/** Fork edges need the laid-out positions, so they are drawn after layout, in graph coordinates. */
function drawEdges(): void {
  svg.replaceChildren();
  const box = graph.getBoundingClientRect();
  svg.setAttribute('width', String(graph.scrollWidth));
  svg.setAttribute('height', String(graph.scrollHeight));
  for (const r of runs) {
    if (!r.parent?.key) continue;
    const lanes = Array.from(graph.querySelectorAll<HTMLElement>('.lane'));
    const parentLane = lanes.find((l) => l.dataset.run === r.parent!.key);
    const from = parentLane?.querySelector(`.checkpoint[data-checkpoint="${CSS.escape(r.parent.checkpoint)}"]`);
    const to = lanes.find((l) => l.dataset.run === r.key)?.querySelector('.attempt');
    if (!from || !to) continue;
    const a = from.getBoundingClientRect();
    const b = to.getBoundingClientRect();
    const x1 = a.left + a.width / 2 - box.left;
    const y1 = a.bottom - box.top;
    // From the checkpoint's bottom to the top of the fork's first attempt, bending in the gap between the lanes.
    const x2 = b.left + b.width / 2 - box.left;
    const y2 = b.top - box.top;
    const mid = (y1 + y2) / 2;
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', `M ${x1} ${y1} C ${x1} ${mid}, ${x2} ${mid}, ${x2} ${y2}`);
    path.setAttribute('class', 'fork-edge');
    path.setAttribute('data-fork', r.key);
    svg.append(path);
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
