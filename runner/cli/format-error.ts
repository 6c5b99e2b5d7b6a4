// Turns an engine error (offsets and plain data) into what a person reads in a terminal:
// `file:line:col: message`, the offending line, and a caret under the range. Only the CLI prints positions.

import type { ConfigError } from '../config/errors.js';
import type { Origin } from '../config/nodes.js';
import type { ConfigSource } from '../config/source.js';

export interface FormatContext {
  /** Reads a search-path-relative file for its text. */
  source: ConfigSource;
  /** How to show a config file's path (e.g. prefixed with the config dir). */
  displayPath: (file: string) => string;
}

function caretBlock(lineText: string, col: number, width: number): string {
  const w = Math.max(1, Math.min(width, lineText.length - col + 1));
  return `  ${lineText}\n  ${' '.repeat(Math.max(0, col - 1))}${'^'.repeat(w)}`;
}

export function describeOrigin(origin: Origin, ctx: FormatContext): { where: string; excerpt?: string } {
  if (origin.kind === 'builtin') return { where: `<${origin.what}>` };
  if (origin.kind === 'override') {
    const [s, e] = origin.range;
    return {
      where: `override #${origin.index + 1} '${origin.text}', column ${s + 1}`,
      excerpt: caretBlock(origin.text, s + 1, Math.max(1, e - s)),
    };
  }
  const text = ctx.source.read(origin.file);
  const path = ctx.displayPath(origin.file);
  if (text === undefined) return { where: path };
  const [start, end] = origin.valueRange;
  const before = text.slice(0, Math.min(start, text.length));
  const lineStart = before.lastIndexOf('\n') + 1;
  const pos = { line: before.split('\n').length, col: before.length - lineStart + 1 };
  const lineText = text.split('\n')[pos.line - 1] ?? '';
  const width = Math.max(1, Math.min(end, text.length) - start);
  return { where: `${path}:${pos.line}:${pos.col}`, excerpt: caretBlock(lineText.replace(/\r$/, ''), pos.col, width) };
}

export function formatConfigError(e: ConfigError, ctx: FormatContext): string {
  const lines: string[] = [];
  if (e.origin) {
    const d = describeOrigin(e.origin, ctx);
    lines.push(`${d.where}: error: ${e.message}`);
    if (d.excerpt) lines.push(d.excerpt);
  } else {
    lines.push(`error: ${e.message}`);
  }
  for (const r of e.related ?? []) {
    const d = describeOrigin(r.origin, ctx);
    lines.push(`${d.where}: note: ${r.message}`);
  }
  return lines.join('\n');
}
