// Data-driven fixtures for the language service (rust-analyzer style): a multi-file config tree written inline,
// `//- /path` starting each file, `$0` marking the cursor, and marker lines (`#  ^^^ label`) marking ranges
// of the line above them. Marker lines and `$0` are removed from the text the service sees.
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../language-server/service/file-system.js';
import { LanguageService } from '../../language-server/service/service.js';
import type { TargetInfo } from '../../language-server/service/targets.js';
import type { FileRange, Range } from '../../language-server/service/types.js';

export interface Mark {
  path: string;
  range: Range;
  label: string;
}

export interface Fixture {
  files: Record<string, string>;
  cursor?: { path: string; offset: number };
  marks: Mark[];
}

const MARKER = /^[\s#]*(\^+)\s*(.*)$/;

function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n');
}

export function parseFixture(source: string): Fixture {
  const fixture: Fixture = { files: {}, marks: [] };
  // Each file's body is dedented on its own, so trees can be spliced into a fixture from shared constants.
  const chunks: { path: string; lines: string[] }[] = [];
  for (const line of source.split('\n')) {
    const header = /^\s*\/\/- (\S+)\s*$/.exec(line);
    if (header) chunks.push({ path: header[1]!, lines: [] });
    else if (chunks.length) chunks[chunks.length - 1]!.lines.push(line);
  }
  for (const { path, lines: raw } of chunks) {
    const body = dedent(raw.join('\n'));
    let text = '';
    let lastLineStart = 0;
    for (const line of body.split('\n')) {
      const m = MARKER.exec(line);
      if (m && line.includes('^')) {
        const col = line.indexOf('^');
        fixture.marks.push({ path, range: [lastLineStart + col, lastLineStart + col + m[1]!.length], label: m[2]!.trim() });
        continue;
      }
      lastLineStart = text.length;
      const cursor = line.indexOf('$0');
      if (cursor >= 0) {
        fixture.cursor = { path, offset: text.length + cursor };
        text += line.replace('$0', '') + '\n';
      } else text += line + '\n';
    }
    fixture.files[path] = text.replace(/\n+$/, '\n');
  }
  return fixture;
}

/** A service over the fixture's files in memory, with `/configs` as the config dir unless told otherwise. */
export function serviceFor(fixture: Fixture, configDirs = ['/configs'], targets?: readonly TargetInfo[]): LanguageService {
  const service = new LanguageService({ fs: new MemoryFileSystem(fixture.files), configDirs, ...(targets ? { targets } : {}) });
  service.onInternalError = (what, error) => {
    throw new Error(`internal error in ${what}: ${error instanceof Error ? error.stack : String(error)}`);
  };
  return service;
}

export function cursorOf(fixture: Fixture): { path: string; offset: number } {
  assert.ok(fixture.cursor, 'the fixture needs a $0 cursor');
  return fixture.cursor;
}

/** The text a range covers in a fixture file. */
export function textAt(fixture: Fixture, loc: FileRange): string {
  return (fixture.files[loc.path] ?? '').slice(loc.range[0], loc.range[1]);
}
