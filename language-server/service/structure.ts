// The file's structure as the editor shows it: folding ranges (mappings, lists, runs of comment lines) and
// selection ranges (scalar -> `key: value` -> the mapping it is in -> its key's pair -> ... -> the document).
// Both read the syntax tree only; no composition.
import { isMap, isPair, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { FileSyntax } from './yaml-syntax.js';
import type { Range } from './types.js';

export interface FoldingRange {
  /** Offsets of the first and last line's starts are what matters to the editor; kept as offsets here. */
  range: Range;
  kind?: 'comment';
}

/** One fold per multi-line mapping or list value (from its key's line), plus each run of 2+ comment lines. */
export function foldingRanges(syntax: FileSyntax): FoldingRange[] {
  const out: FoldingRange[] = [];
  const text = syntax.text;
  const lineOf = (offset: number) => syntax.lineCounter.linePos(offset).line;
  // The last offset that still holds content of a node (its range may run into the blank lines after it).
  const contentEnd = (end: number) => {
    let e = end;
    while (e > 0 && /\s/.test(text[e - 1]!)) e--;
    return e;
  };
  const visit = (node: Node | null, from: number | undefined, depth: number) => {
    if (!node?.range || depth > 256) return;
    if (isMap(node) || isSeq(node)) {
      const start = from ?? node.range[0];
      const end = contentEnd(node.range[1]);
      if (lineOf(end) > lineOf(start)) out.push({ range: [start, end] });
      for (const item of node.items as (Node | Pair<Node | null, Node | null> | null)[]) {
        if (isPair(item)) {
          const key = item.key as Node | null;
          visit(item.value as Node | null, key?.range?.[0], depth + 1);
        } else visit(item as Node | null, undefined, depth + 1);
      }
    }
  };
  const root = syntax.doc.contents as Node | null;
  if (isMap(root) || isSeq(root)) {
    for (const item of root.items as (Node | Pair<Node | null, Node | null> | null)[]) {
      if (isPair(item)) visit(item.value as Node | null, (item.key as Node | null)?.range?.[0], 1);
      else visit(item as Node | null, undefined, 1);
    }
  }
  // Runs of full-line comments (the license header, a commented-out block).
  let runStart = -1;
  let runEnd = -1;
  let count = 0;
  let offset = 0;
  const flush = () => {
    if (count >= 2) out.push({ range: [runStart, runEnd], kind: 'comment' });
    count = 0;
  };
  while (offset <= text.length) {
    const nl = text.indexOf('\n', offset);
    const end = nl < 0 ? text.length : nl;
    if (/^\s*#/.test(text.slice(offset, end))) {
      if (!count) runStart = offset;
      runEnd = end;
      count++;
    } else flush();
    if (nl < 0) break;
    offset = nl + 1;
  }
  flush();
  return out.sort((a, b) => a.range[0] - b.range[0]);
}

/** For each offset, the ranges that contain it from the innermost out (each strictly larger than the last). */
export function selectionRanges(syntax: FileSyntax, offsets: number[]): Range[][] {
  return offsets.map((offset) => {
    const chain: Range[] = [];
    const push = (r: readonly number[] | null | undefined) => {
      if (!r) return;
      const range: Range = [r[0]!, trimEnd(syntax.text, r[0]!, r[1]!)];
      const last = chain[chain.length - 1];
      if (last && range[0] === last[0] && range[1] === last[1]) return;
      if (last && !(range[0] <= last[0] && range[1] >= last[1])) return;
      chain.push(range);
    };
    const walk = (node: Node | null, depth: number) => {
      if (!node?.range || depth > 256 || offset < node.range[0] || offset > node.range[1]) return false;
      if (isMap(node) || isSeq(node)) {
        for (const item of node.items as (Node | Pair<Node | null, Node | null> | null)[]) {
          if (isPair(item)) {
            const key = item.key as Node | null;
            const value = item.value as Node | null;
            const start = key?.range?.[0];
            const end = value?.range?.[1] ?? key?.range?.[1];
            if (start === undefined || end === undefined || offset < start || offset > end) continue;
            if (key?.range && offset <= key.range[1] && offset >= key.range[0]) push(key.range);
            else walk(value, depth + 1);
            push([start, end]);
            break;
          } else if (walk(item as Node | null, depth + 1)) break;
        }
      } else if (isScalar(node)) {
        // Inside a scalar, a `${...}` reference and then its dotted segment come first.
        const inner = interpolationAround(syntax.text, node.range, offset);
        for (const r of inner) push(r);
      }
      push(node.range);
      return true;
    };
    walk(syntax.doc.contents as Node | null, 0);
    push([0, syntax.text.length]);
    return chain;
  });
}

function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && /\s/.test(text[e - 1]!)) e--;
  return e;
}

/** The dotted segment and the `${...}` around an offset inside a scalar, innermost first. */
function interpolationAround(text: string, range: readonly number[], offset: number): Range[] {
  const out: Range[] = [];
  const value = text.slice(range[0]!, range[1]!);
  const at = offset - range[0]!;
  const open = value.lastIndexOf('${', at);
  const close = value.indexOf('}', open);
  if (open < 0 || close < 0 || at > close) return out;
  const innerStart = open + 2;
  let s = at;
  let e = at;
  while (s > innerStart && /[\w-]/.test(value[s - 1]!)) s--;
  while (e < close && /[\w-]/.test(value[e]!)) e++;
  if (e > s) out.push([range[0]! + s, range[0]! + e]);
  out.push([range[0]! + innerStart, range[0]! + close]);
  out.push([range[0]! + open, range[0]! + close + 1]);
  return out;
}
