// The runs table: every run and sweep job as a row, with the config values that differ, final and best metrics,
// status, duration, host, and the user's tags and notes (edited in place, saved to run.json by the host). Sort by a
// header, filter by words (`status:failed`, `tag:baseline`, `lr=0.1`), group by sweep or experiment, tick two or
// more runs and compare them (config diff and overlaid curves, opened by the host).
//
// Fast at thousands of runs: only the rows in view (and a margin) exist in the DOM, written as one HTML string
// (escaped) in one innerHTML pass; events are handled once on the table body. Every row has the same height, so
// the scroll range stands for all rows and a row's place is its index times that height.
import './runs-table.css';
import type { RunsTableHostMessage, RunsTableWebviewMessage, TableRun } from '../contract.js';
import { el, host, onHostMessage } from '../shared/host.js';
import { icon, iconButton, iconHtml, STATUS_ICON } from '../shared/icons.js';
import { compareValues, configColumns, FIXED, groupOf, matches, metricColumns, searchText, type Column, type GroupBy } from './columns.js';

const vscode = host<RunsTableWebviewMessage>();

interface ViewState {
  sort?: { column: string; dir: 1 | -1 };
  filter: string;
  group: GroupBy;
}

const state: ViewState = { filter: '', group: 'none', ...vscode.getState<ViewState>() };
let runs: TableRun[] = [];
let columns: Column[] = [];
let searches = new Map<string, string>();
const selected = new Set<string>();
/** While a tags or notes cell is being edited, updates from the host wait (they would replace the input). */
let editing = false;
let pendingUpdate = false;

const filterInput = el('input', { id: 'filter', type: 'search', placeholder: 'Filter: words, status:failed, tag:x, lr=0.1',
  'aria-label': 'filter runs', spellcheck: 'false' });
const groupSelect = el('select', { id: 'group', 'aria-label': 'group by' },
  el('option', { value: 'none' }, 'No grouping'), el('option', { value: 'sweep' }, 'Group by sweep'),
  el('option', { value: 'experiment' }, 'Group by experiment'));
const compareButton = iconButton({ id: 'compare', class: 'primary', disabled: '', title: 'Compare the ticked runs' }, 'diff', 'Compare');
const clearButton = iconButton({ id: 'clear', class: 'secondary', disabled: '', title: 'Untick all runs' }, 'clear-all', 'Clear selection');
const count = el('span', { id: 'count', class: 'muted' });
const filterBox = el('label', { class: 'filter-box' }, icon('filter'), filterInput);
const toolbar = el('header', { class: 'toolbar' }, el('h1', {}, 'Runs'), count, filterBox, groupSelect, compareButton, clearButton);
const head = el('thead');
const body = el('tbody');
const table = el('table', { id: 'runs', 'aria-label': 'runs' }, head, body);
const sizer = el('div', { class: 'sizer' }, table);
const scroller = el('div', { class: 'table-scroll', id: 'table-scroll' }, sizer);
const empty = el('p', { id: 'empty', class: 'muted', hidden: '' }, 'No runs under the runs roots yet.');
document.body.append(toolbar, empty, scroller);

filterInput.value = state.filter;
groupSelect.value = state.group;

function save(): void {
  vscode.setState(state);
}

filterInput.addEventListener('input', () => {
  state.filter = filterInput.value;
  save();
  renderBody();
});
groupSelect.addEventListener('change', () => {
  state.group = groupSelect.value as GroupBy;
  save();
  renderBody();
});
compareButton.addEventListener('click', () => {
  if (selected.size >= 2) vscode.postMessage({ type: 'compare', keys: runs.filter((r) => selected.has(r.key)).map((r) => r.key) });
});
clearButton.addEventListener('click', () => {
  selected.clear();
  renderBody();
});

function updateButtons(): void {
  compareButton.disabled = selected.size < 2;
  clearButton.disabled = selected.size === 0;
  compareButton.querySelector('.label')!.textContent = selected.size >= 2 ? `Compare ${selected.size}` : 'Compare';
}

function renderHead(): void {
  const ths = [el('th', { class: 'select' }), ...columns.map((c) => {
    const th = el('th', { tabindex: '0', 'data-col': c.id, class: `sortable ${c.kind}${c.numeric ? ' num' : ''}`,
      'aria-sort': state.sort?.column === c.id ? (state.sort.dir === 1 ? 'ascending' : 'descending') : 'none' }, c.title);
    const sortBy = (): void => {
      state.sort = { column: c.id, dir: state.sort?.column === c.id && state.sort.dir === 1 ? -1 : 1 };
      save();
      renderHead();
      renderBody();
    };
    th.addEventListener('click', sortBy);
    th.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        sortBy();
      }
    });
    return th;
  })];
  head.replaceChildren(el('tr', {}, ...ths));
  widths = [];
}

/** An in-place editor for tags (comma-separated) or notes; Enter or leaving saves, Escape cancels. */
function editCell(td: HTMLElement, r: TableRun, what: 'tags' | 'notes'): void {
  if (td.querySelector('input')) return;
  editing = true;
  const input = el('input', { type: 'text', class: 'cell-edit', 'aria-label': `${what} of ${r.label}`,
    placeholder: what === 'tags' ? 'tag, another tag' : 'a note' });
  input.value = what === 'tags' ? r.tags.join(', ') : r.notes;
  let done = false;
  const finish = (commit: boolean): void => {
    if (done) return;
    done = true;
    editing = false;
    if (commit) {
      if (what === 'tags') {
        r.tags = input.value.split(',').map((t) => t.trim()).filter(Boolean);
        vscode.postMessage({ type: 'setTags', key: r.key, tags: r.tags });
      } else {
        r.notes = input.value;
        vscode.postMessage({ type: 'setNotes', key: r.key, notes: r.notes });
      }
      searches.set(r.key, searchText(r, columns));
    }
    if (pendingUpdate) {
      pendingUpdate = false;
      rebuild();
    } else renderBody();
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') finish(true);
    else if (e.key === 'Escape') finish(false);
  });
  input.addEventListener('blur', () => finish(true));
  td.replaceChildren(input);
  input.focus();
  input.select();
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** User text (paths, tags, notes, override values) as HTML text or attribute value: never markup. */
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]);
}

function cellHtml(c: Column, r: TableRun): string {
  const v = c.value(r);
  const value = v === undefined ? '' : ` data-value="${esc(String(v))}"`;
  const cls = `${c.kind}${c.numeric ? ' num' : ''}`;
  const editable = !r.jobOnly && (c.id === 'tags' || c.id === 'notes');
  const open = (extraClass: string, title?: string) =>
    `<td class="${cls}${extraClass}" data-col="${esc(c.id)}"${value}${title ? ` title="${esc(title)}"` : ''}>`;
  switch (c.id) {
    case 'run':
      return `${open('')}<a class="run-link" href="#" title="${esc(r.key)}">${esc(r.label)}</a><span class="muted id">${r.jobOnly ? '' : esc(r.id)}</span></td>`;
    case 'status':
      return `${open('', r.reason)}${iconHtml(STATUS_ICON[r.status] ?? 'question', `status-icon ${r.status}`)}${esc(r.status)}</td>`;
    case 'tags':
      return `${open(editable ? ' editable' : '', editable ? 'Click to edit tags' : undefined)}${r.tags.map((t) => `<span class="tag">${esc(t)}</span>`).join('')}</td>`;
    case 'notes':
      return `${open(editable ? ' editable' : '', editable ? r.notes || 'Click to add a note' : undefined)}${esc(r.notes)}</td>`;
    default:
      return `${open('')}${esc(c.text(r))}</td>`;
  }
}

function rowHtml(r: TableRun): string {
  const on = selected.has(r.key);
  return `<tr data-key="${esc(r.key)}" class="${esc(r.status)}${on ? ' selected' : ''}"><td class="select"><input type="checkbox" aria-label="select ${esc(r.label)}"${on ? ' checked' : ''}${r.jobOnly ? ' disabled' : ''}></td>${columns.map((c) => cellHtml(c, r)).join('')}</tr>`;
}

type Item = { group: string; size: number } | TableRun;
/** What the body shows, in order: group header rows and run rows, each one row high. */
let items: Item[] = [];
let byKey = new Map<string, TableRun>();
/** The rendered slice of `items`, and the row height every row is given (measured from the first rows drawn). */
let shown = { start: 0, end: 0 };
let rowH = 0;
let headH = 0;
/** Column widths never shrink while scrolling, so the columns do not jump as other rows come into view. */
let widths: number[] = [];
const MARGIN = 30;
const FIRST_ROWS = 60;

function itemHtml(it: Item): string {
  if ('group' in it) {
    return `<tr class="group-row"><th colspan="${columns.length + 1}" scope="rowgroup">${esc(it.group)}<span class="muted"> · ${it.size} run${it.size === 1 ? '' : 's'}</span></th></tr>`;
  }
  return rowHtml(it);
}

/** The rows in view (`first`..`last`) and the slice to draw around them (a margin either side). */
function wanted(): { start: number; end: number; first: number; last: number } {
  if (!rowH) return { start: 0, end: Math.min(items.length, FIRST_ROWS), first: 0, last: 0 };
  const first = Math.floor(Math.max(0, scroller.scrollTop - headH) / rowH);
  const last = Math.min(items.length, Math.ceil((scroller.scrollTop + scroller.clientHeight) / rowH));
  return { start: Math.max(0, first - MARGIN), end: Math.min(items.length, last + MARGIN), first, last };
}

function drawSlice(): void {
  // The full height first: a filter that leaves fewer rows moves the scroll position back into range.
  if (rowH) sizer.style.height = `${headH + items.length * rowH + 2}px`;
  const w = wanted();
  shown = { start: w.start, end: w.end };
  body.innerHTML = items.slice(shown.start, shown.end).map(itemHtml).join('');
  if (!rowH && body.rows.length) {
    // One height for all rows: the tallest of the first rows drawn (a row with a tag or a checkbox).
    let h = 0;
    for (const tr of Array.from(body.rows)) h = Math.max(h, tr.getBoundingClientRect().height);
    rowH = Math.ceil(h);
    table.style.setProperty('--row-h', `${rowH}px`);
    headH = head.getBoundingClientRect().height;
  }
  sizer.style.paddingTop = `${shown.start * (rowH || 0)}px`;
  sizer.style.height = `${headH + items.length * (rowH || 0) + 2}px`;
  const ths = Array.from(head.querySelectorAll('th'));
  const now = ths.map((th) => th.getBoundingClientRect().width);
  ths.forEach((th, i) => {
    if (now[i] > (widths[i] ?? 0)) widths[i] = now[i];
    th.style.minWidth = `${Math.ceil(widths[i])}px`;
  });
}

let scrollQueued = false;
scroller.addEventListener('scroll', () => {
  if (scrollQueued || editing) return;
  scrollQueued = true;
  requestAnimationFrame(() => {
    scrollQueued = false;
    // Redraw only when rows in view are not drawn yet (the margin makes that rare while scrolling).
    const w = wanted();
    if (w.first < shown.start || w.last > shown.end) drawSlice();
  });
});

body.addEventListener('click', (e) => {
  const target = e.target as HTMLElement;
  const tr = target.closest('tr');
  const r = tr?.dataset.key !== undefined ? byKey.get(tr.dataset.key) : undefined;
  if (!r) return;
  if (target.closest('.run-link')) {
    e.preventDefault();
    vscode.postMessage({ type: 'open', key: r.key });
    return;
  }
  const td = target.closest('td.editable') as HTMLElement | null;
  if (td) editCell(td, r, td.dataset.col === 'tags' ? 'tags' : 'notes');
});
body.addEventListener('change', (e) => {
  const box = e.target as HTMLInputElement;
  const tr = box.closest('tr');
  if (box.type !== 'checkbox' || !tr?.dataset.key) return;
  if (box.checked) selected.add(tr.dataset.key);
  else selected.delete(tr.dataset.key);
  tr.classList.toggle('selected', box.checked);
  updateButtons();
});

function renderBody(): void {
  const t0 = performance.now();
  const visible = runs.filter((r) => matches(searches.get(r.key) ?? '', state.filter));
  const col = state.sort ? columns.find((c) => c.id === state.sort!.column) : undefined;
  const dir = state.sort?.dir ?? 1;
  // Newest first unless the user sorts.
  const sorted = col ? [...visible].sort((a, b) => {
    const va = col.value(a);
    const vb = col.value(b);
    if (va === undefined || vb === undefined) return compareValues(va, vb);
    return compareValues(va, vb) * dir;
  }) : [...visible].sort((a, b) => compareValues(b.startedAt ?? '', a.startedAt ?? ''));
  if (state.group === 'none') items = sorted;
  else {
    const groups = new Map<string, TableRun[]>();
    for (const r of sorted) {
      const g = groupOf(r, state.group);
      const list = groups.get(g);
      if (list) list.push(r);
      else groups.set(g, [r]);
    }
    items = [];
    for (const [g, members] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) items.push({ group: g, size: members.length }, ...members);
  }
  drawSlice();
  for (const k of [...selected]) if (!byKey.has(k)) selected.delete(k);
  count.textContent = visible.length === runs.length ? `${runs.length} runs` : `${visible.length} of ${runs.length} runs`;
  empty.hidden = runs.length > 0;
  updateButtons();
  const ms = performance.now() - t0;
  setTimeout(() => {
    document.body.dataset.renders = String(Number(document.body.dataset.renders ?? 0) + 1);
    vscode.postMessage({ type: 'rendered', rows: visible.length, ms });
  }, 0);
}

function rebuild(): void {
  columns = [...FIXED, ...configColumns(runs), ...metricColumns(runs)];
  searches = new Map(runs.map((r) => [r.key, searchText(r, columns)]));
  byKey = new Map(runs.map((r) => [r.key, r]));
  renderHead();
  renderBody();
}

onHostMessage<RunsTableHostMessage>((m) => {
  runs = m.runs;
  if (editing) {
    pendingUpdate = true;
    return;
  }
  rebuild();
});

vscode.postMessage({ type: 'initialized' });
