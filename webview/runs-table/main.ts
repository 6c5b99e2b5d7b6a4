// The runs table: every run and sweep job as a row, with the config values that differ, final and best metrics,
// status, duration, host, and the user's tags and notes (edited in place, saved to run.json by the host). Sort by a
// header, filter by words (`status:failed`, `tag:baseline`, `lr=0.1`), group by sweep or experiment, tick two or
// more runs and compare them (config diff and overlaid curves, opened by the host). A plain table, built once per
// change: a thousand rows of web components would cost far more than the table itself.
import './runs-table.css';
import type { RunsTableHostMessage, RunsTableWebviewMessage, TableRun } from '../contract.js';
import { el, host, onHostMessage } from '../shared/host.js';
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
const compareButton = el('button', { id: 'compare', type: 'button', class: 'primary', disabled: '' }, 'Compare');
const clearButton = el('button', { id: 'clear', type: 'button', class: 'secondary', disabled: '' }, 'Clear selection');
const count = el('span', { id: 'count', class: 'muted' });
const toolbar = el('header', { class: 'toolbar' }, el('h1', {}, 'Runs'), count, filterInput, groupSelect, compareButton, clearButton);
const head = el('thead');
const body = el('tbody');
const table = el('table', { id: 'runs', 'aria-label': 'runs' }, head, body);
const empty = el('p', { id: 'empty', class: 'muted', hidden: '' }, 'No runs under the runs roots yet.');
document.body.append(toolbar, empty, el('div', { class: 'table-scroll' }, table));

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
  (compareButton as HTMLButtonElement).disabled = selected.size < 2;
  (clearButton as HTMLButtonElement).disabled = selected.size === 0;
  compareButton.textContent = selected.size >= 2 ? `Compare ${selected.size}` : 'Compare';
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

function cell(c: Column, r: TableRun): HTMLElement {
  const v = c.value(r);
  const td = el('td', { class: `${c.kind}${c.numeric ? ' num' : ''}`, 'data-col': c.id });
  if (v !== undefined) td.dataset.value = String(v);
  switch (c.id) {
    case 'run': {
      const link = el('a', { class: 'run-link', href: '#', title: r.key }, r.label);
      link.addEventListener('click', (e) => {
        e.preventDefault();
        vscode.postMessage({ type: 'open', key: r.key });
      });
      td.append(link, el('span', { class: 'muted id' }, r.jobOnly ? '' : r.id));
      break;
    }
    case 'status':
      td.append(el('span', { class: `status-dot ${r.status}`, 'aria-hidden': 'true' }), r.status);
      if (r.reason) td.title = r.reason;
      break;
    case 'tags':
      td.append(...r.tags.map((t) => el('span', { class: 'tag' }, t)));
      if (!r.jobOnly) {
        td.classList.add('editable');
        td.title = 'Click to edit tags';
        td.addEventListener('click', () => editCell(td, r, 'tags'));
      }
      break;
    case 'notes':
      td.textContent = r.notes;
      if (!r.jobOnly) {
        td.classList.add('editable');
        td.title = r.notes || 'Click to add a note';
        td.addEventListener('click', () => editCell(td, r, 'notes'));
      }
      break;
    default:
      td.textContent = c.text(r);
  }
  return td;
}

function row(r: TableRun): HTMLElement {
  const box = el('input', { type: 'checkbox', 'aria-label': `select ${r.label}` }) as HTMLInputElement;
  box.checked = selected.has(r.key);
  box.disabled = !!r.jobOnly;
  box.addEventListener('change', () => {
    if (box.checked) selected.add(r.key);
    else selected.delete(r.key);
    tr.classList.toggle('selected', box.checked);
    updateButtons();
  });
  const tr = el('tr', { 'data-key': r.key, class: `${r.status}${box.checked ? ' selected' : ''}` },
    el('td', { class: 'select' }, box), ...columns.map((c) => cell(c, r)));
  return tr;
}

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
  const frag = document.createDocumentFragment();
  if (state.group === 'none') {
    for (const r of sorted) frag.append(row(r));
  } else {
    const groups = new Map<string, TableRun[]>();
    for (const r of sorted) {
      const g = groupOf(r, state.group);
      groups.set(g, [...(groups.get(g) ?? []), r]);
    }
    for (const [g, members] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      frag.append(el('tr', { class: 'group-row' }, el('th', { colspan: String(columns.length + 1), scope: 'rowgroup' },
        g, el('span', { class: 'muted' }, ` · ${members.length} run${members.length === 1 ? '' : 's'}`))));
      for (const r of members) frag.append(row(r));
    }
  }
  body.replaceChildren(frag);
  for (const k of [...selected]) if (!runs.some((r) => r.key === k)) selected.delete(k);
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
