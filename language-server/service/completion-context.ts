// Where a completion is asked, read from the lines above the cursor by indentation. Completion happens in
// half-typed text that the YAML parser reads differently from what the user means (`model:\n  ` is a null
// value, not an empty mapping), so this works on lines, the way a user sees the structure.
import type { Range } from '../../runner/config/nodes.js';
import { interpolationSpans } from './interpolation-text.js';
import type { PathSegment } from './yaml-syntax.js';

export type CompletionContext =
  | { kind: 'header'; prefix: string; replace: Range }
  /** Typing a new defaults item (`- |`). */
  | { kind: 'defaults-item'; prefix: string; replace: Range }
  /** Typing the option of a group item (`- db: |`, `- db: [a, |`). */
  | { kind: 'defaults-option'; group: string; prefix: string; replace: Range }
  /** Typing a key in the mapping at `path`. */
  | { kind: 'key'; path: PathSegment[]; prefix: string; replace: Range }
  /** Typing the value of `path` (its last segment is the key). */
  | { kind: 'value'; path: PathSegment[]; prefix: string; replace: Range }
  /** Inside `${...}` in the value of `path`; `prefix` is the text after `${` (or after the last nested `${`). */
  | { kind: 'interpolation'; path: PathSegment[]; prefix: string; replace: Range };

interface Line {
  text: string;
  start: number;
}

function splitLines(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    out.push({ text: text.slice(start, end).replace(/\r$/, ''), start });
    if (nl < 0) return out;
    start = nl + 1;
  }
}

const indentOf = (s: string) => s.length - s.trimStart().length;
const isBlank = (s: string) => s.trim() === '' || s.trimStart().startsWith('#');

/** Strips leading `- ` sequence markers; returns their columns and the column where the rest starts. */
function stripDashes(s: string, from: number): { dashes: number[]; col: number } {
  const dashes: number[] = [];
  let col = from;
  while (s[col] === '-' && (s[col + 1] === ' ' || s[col + 1] === '\t' || col + 1 === s.length)) {
    dashes.push(col);
    col++;
    while (s[col] === ' ' || s[col] === '\t') col++;
  }
  return { dashes, col };
}

const KEY_RE = /^((?:"[^"]*"|'[^']*'|[^\s#:'"][^:#]*?))\s*:(?:\s|$)/;

function unquote(k: string): string {
  const m = /^(['"])(.*)\1$/.exec(k);
  return m ? m[2]! : k.trim();
}

/** Index of the sequence item that starts at `row` with a dash at `col`. */
function itemIndex(lines: Line[], row: number, col: number): number {
  let n = 0;
  for (let r = row - 1; r >= 0; r--) {
    const t = lines[r]!.text;
    if (isBlank(t)) continue;
    const ind = indentOf(t);
    if (ind < col) break;
    if (ind === col && t[ind] === '-') n++;
  }
  return n;
}

/** The path of the container a line's content at column `target` belongs to, read from the lines above `row`. */
function containerPath(lines: Line[], row: number, target: number): PathSegment[] {
  const path: PathSegment[] = [];
  for (let r = row - 1; r >= 0 && target > 0; r--) {
    const t = lines[r]!.text;
    if (isBlank(t)) continue;
    const ind = indentOf(t);
    if (ind >= target) continue;
    const { dashes, col } = stripDashes(t, ind);
    const key = KEY_RE.exec(t.slice(col));
    if (key && col < target) {
      path.unshift(unquote(key[1]!));
    }
    for (let i = dashes.length - 1; i >= 0; i--) {
      if (dashes[i]! < target) path.unshift(i === 0 ? itemIndex(lines, r, dashes[i]!) : 0);
    }
    target = ind;
  }
  return path;
}

export function completionContext(text: string, offset: number): CompletionContext {
  const lines = splitLines(text);
  let row = 0;
  while (row + 1 < lines.length && lines[row + 1]!.start <= offset) row++;
  const line = lines[row]!;
  const col = offset - line.start;
  const before = line.text.slice(0, col);
  const wordStart = (re: RegExp) => {
    const m = re.exec(before);
    return m ? offset - m[0].length : offset;
  };

  // The header lives in the leading comments.
  const header = /^\s*#\s*@package\s+(\S*)$/.exec(before);
  if (header && lines.slice(0, row).every((l) => isBlank(l.text))) {
    return { kind: 'header', prefix: header[1]!, replace: [offset - header[1]!.length, lineTokenEnd(line, col, offset)] };
  }

  const ind = indentOf(before.length ? line.text : '');
  const { dashes, col: contentCol } = stripDashes(line.text, Math.min(ind, before.length));
  const inContent = col >= contentCol;
  const content = inContent ? before.slice(contentCol) : '';
  // Where the key of this line starts decides which mapping it belongs to.
  const keyCol = before.trim() === '' ? col : contentCol;
  const keyMatch = KEY_RE.exec(content);
  // A line that starts a sequence item belongs to the container above its first dash.
  const containerCol = dashes.length ? dashes[0]! : keyCol;

  if (keyMatch) {
    // After `key:` on this line: a value.
    const key = unquote(keyMatch[1]!);
    const parent = containerPath(lines, row, containerCol);
    const path = withDashes(lines, row, parent, dashes, keyCol);
    const valueText = content.slice(keyMatch[0].length);
    const valueStart = offset - valueText.length;
    if (path.length === 2 && path[0] === 'defaults' && typeof path[1] === 'number') {
      // `- group: option` inside the root defaults list: the group without keyword and package.
      const group = key.replace(/^(override|optional)\s+/, '').replace(/@.*$/, '').trim();
      const flow = /\[([^\]]*)$/.exec(valueText);
      const prefix = flow ? flow[1]!.split(',').pop()!.trimStart() : valueText.trimStart();
      return { kind: 'defaults-option', group, prefix, replace: [offset - prefix.length, lineTokenEnd(line, col, offset)] };
    }
    const spans = interpolationSpans(valueText, valueStart).filter((s) => !s.closed || s.range[1] > offset);
    const open = spans.filter((s) => s.range[0] < offset && (!s.closed || offset < s.range[1]));
    if (open.length) {
      const inner = open[open.length - 1]!;
      const prefix = text.slice(inner.innerStart, offset);
      return { kind: 'interpolation', path: [...path, key], prefix, replace: [inner.innerStart, offset] };
    }
    const prefix = valueText.trimStart();
    return { kind: 'value', path: [...path, key], prefix, replace: [offset - prefix.length, lineTokenEnd(line, col, offset)] };
  }

  const parent = containerPath(lines, row, containerCol);
  const prefixStart = wordStart(/[^\s\-][^\s]*$/);
  const prefix = text.slice(prefixStart, offset);
  const replace: Range = [prefixStart, lineTokenEnd(line, col, offset)];
  if (parent.length === 1 && parent[0] === 'defaults' && dashes.length) {
    return { kind: 'defaults-item', prefix, replace };
  }
  const path = withDashes(lines, row, parent, dashes, keyCol);
  return { kind: 'key', path, prefix, replace };
}

/** A `- ` on the cursor line starts (or continues) a sequence item: its index joins the path. */
function withDashes(lines: Line[], row: number, parent: PathSegment[], dashes: number[], keyCol: number): PathSegment[] {
  const path = [...parent];
  dashes.forEach((d, i) => {
    if (d < keyCol) path.push(i === 0 ? itemIndex(lines, row, d) : 0);
  });
  return path;
}

/** The end of the word under the cursor, so accepting a completion replaces the rest of it too. */
function lineTokenEnd(line: Line, col: number, offset: number): number {
  const m = /^[^\s:#,\]}]*/.exec(line.text.slice(col));
  return offset + (m ? m[0].length : 0);
}
