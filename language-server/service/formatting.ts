// Formatting that only moves whitespace: block mappings and lists re-indented by `tabSize` (lists under a key
// indented, Hydra's style), full-line comments moved with the line they describe, trailing spaces trimmed,
// runs of blank lines collapsed to one, one newline at the end. Every scalar keeps its text (`0.` stays a
// float, `10e6` is not rewritten), so comments, quotes, flow lists and the `# @package` header survive as
// written. A file with YAML errors is left alone, and the result must parse to the same data or no edit is made.
import { isMap, isPair, isScalar, isSeq, parse, parseDocument, type Node, type Pair } from 'yaml';
import { isDeepStrictEqual } from 'node:util';
import type { FileSyntax } from './yaml-syntax.js';
import type { Range } from './types.js';

export interface FormatOptions {
  tabSize: number;
}

export interface FormatEdit {
  range: Range;
  newText: string;
}

export function formatDocument(syntax: FileSyntax, options: FormatOptions): FormatEdit[] {
  if (syntax.doc.errors.length) return [];
  const text = syntax.text;
  const formatted = formatText(syntax, Math.max(1, Math.min(8, Math.floor(options.tabSize) || 2)));
  if (formatted === undefined || formatted === text) return [];
  if (!sameData(text, formatted)) return [];
  return [minimalEdit(text, formatted)];
}

function sameData(a: string, b: string): boolean {
  try {
    const opts = { uniqueKeys: false, maxAliasCount: 100 } as const;
    const doc = parseDocument(b, opts);
    return doc.errors.length === 0 && isDeepStrictEqual(parse(a, opts), parse(b, opts));
  } catch {
    return false;
  }
}

/** One edit covering only what changed (common prefix and suffix kept), so the cursor and folds stay put. */
function minimalEdit(a: string, b: string): FormatEdit {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return { range: [start, endA], newText: b.slice(start, endB) };
}

interface LinePlan {
  /** New indentation of a line that starts an entry (a key or a dash). */
  indent?: number;
  /** Shift of a line inside a multi-line scalar or flow collection (relative indentation is kept). */
  shift?: number;
  /** Inside a block scalar: content, left exactly as written apart from the shift. */
  verbatim?: boolean;
}

function formatText(syntax: FileSyntax, tab: number): string | undefined {
  const text = syntax.text;
  const starts: number[] = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const colOf = (offset: number) => offset - starts[lineOf(offset)]!;
  const plan = new Map<number, LinePlan>();

  /** Lines after the first of a node spanning several lines keep their place relative to its first line. */
  const shiftRest = (range: readonly number[] | undefined, shift: number, verbatim: boolean) => {
    if (!range) return;
    const first = lineOf(range[0]!);
    let end = range[1]!;
    while (end > range[0]! && /\s/.test(text[end - 1]!)) end--;
    const last = lineOf(Math.max(range[0]!, end - 1));
    for (let l = first + 1; l <= last; l++) if (!plan.has(l)) plan.set(l, { shift, verbatim });
  };

  /** Places a block collection whose entries start at `column` (new); `shift` applies to its inline parts. */
  const place = (node: Node | null, column: number, depth: number, inlineShift = 0): boolean => {
    if (!node?.range || depth > 200) return true;
    if (isMap(node) && !node.flow) {
      for (const item of node.items as Pair<Node | null, Node | null>[]) {
        const key = item.key as Node | null;
        if (!key?.range) return false;
        const keyLine = lineOf(key.range[0]);
        const oldCol = colOf(key.range[0]);
        const firstOnLine = /^\s*$/.test(text.slice(starts[keyLine]!, key.range[0]));
        if (firstOnLine) plan.set(keyLine, { indent: column });
        else if (oldCol + inlineShift !== column) return false;
        if (!placeValue(item.value as Node | null, keyLine, column, column - oldCol, depth)) return false;
      }
      return true;
    }
    if (isSeq(node) && !node.flow) {
      for (const item of node.items as (Node | null)[]) {
        if (!item?.range) continue;
        // The dash is the last `-` before the item on its line.
        const dash = text.lastIndexOf('-', item.range[0] - 1);
        const dashLine = lineOf(dash);
        const firstOnLine = /^\s*$/.test(text.slice(starts[dashLine]!, dash));
        if (firstOnLine) plan.set(dashLine, { indent: column });
        else if (colOf(dash) + inlineShift !== column) return false;
        if (!placeValue(item, dashLine, column, column - colOf(dash), depth)) return false;
      }
      return true;
    }
    return true;
  };

  /** A value after `key:` or `- ` on line `ownerLine` whose entry moved by `shift` to `column`. */
  const placeValue = (value: Node | null, ownerLine: number, column: number, shift: number, depth: number): boolean => {
    if (!value?.range) return true;
    const sameLine = lineOf(value.range[0]) === ownerLine;
    if ((isMap(value) || isSeq(value)) && !value.flow) {
      // Inline under a dash (`- a: 1`): continuation entries align with the first one, wherever it lands.
      const col = sameLine ? colOf(value.range[0]) + shift : column + tab;
      return place(value, col, depth + 1, sameLine ? shift : 0);
    }
    const blockScalar = isScalar(value) && (value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED');
    if (sameLine) shiftRest(value.range, shift, blockScalar);
    else {
      // A scalar on the lines after its key: it moves with the key.
      const first = lineOf(value.range[0]);
      if (!plan.has(first)) plan.set(first, { shift, verbatim: blockScalar });
      shiftRest(value.range, shift, blockScalar);
    }
    return true;
  };

  const root = syntax.doc.contents as Node | null;
  if (root && !place(root, 0, 0)) return undefined;
  if (root && !isMap(root) && !isSeq(root) && !isScalar(root)) return undefined;
  if (isPair(root)) return undefined;

  const lines = text.split('\n');
  const out: string[] = [];
  const newIndent = new Map<number, number>();
  for (let l = 0; l < lines.length; l++) {
    const p = plan.get(l);
    const line = lines[l]!.replace(/\r$/, '');
    const old = line.length - line.trimStart().length;
    if (p?.indent !== undefined) newIndent.set(l, p.indent);
    else if (p?.shift !== undefined) newIndent.set(l, Math.max(0, old + p.shift));
  }
  // Full-line comments take the indentation of the next entry (column-0 comments stay: commented-out code).
  let next: number | undefined;
  const commentIndent = new Map<number, number>();
  for (let l = lines.length - 1; l >= 0; l--) {
    const line = lines[l]!;
    const p = plan.get(l);
    if (p?.verbatim) continue;
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) {
      const old = line.length - line.trimStart().length;
      if (old > 0 && next !== undefined) commentIndent.set(l, next);
    } else if (trimmed && newIndent.has(l)) next = newIndent.get(l);
  }
  let blank = 0;
  for (let l = 0; l < lines.length; l++) {
    const raw = lines[l]!.replace(/\r$/, '');
    const p = plan.get(l);
    if (p?.verbatim) {
      // Block scalar content: shifted with its key, otherwise byte for byte (trailing spaces are content).
      const shift = p.shift ?? 0;
      out.push(shift > 0 ? ' '.repeat(shift) + raw : shift < 0 ? raw.slice(Math.min(-shift, raw.length - raw.trimStart().length)) : raw);
      blank = 0;
      continue;
    }
    const line = raw.trimEnd();
    if (!line) {
      blank++;
      if (blank === 1 && out.length) out.push('');
      continue;
    }
    blank = 0;
    const indent = newIndent.get(l) ?? commentIndent.get(l);
    out.push(indent === undefined ? line : ' '.repeat(indent) + line.trimStart());
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  return out.join('\n') + '\n';
}
