// The boundaries of DESIGN.md section 2, checked on the imports themselves: the config engine is pure (no file
// system, no editor, no LSP), only the extension imports `vscode`, and webviews import no Node built-ins.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.ts') && !n.endsWith('.test.ts')) out.push(p);
    }
  };
  walk(join(ROOT, dir));
  return out;
}

/** Module specifiers a file imports or requires. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n]*?from\s+['"]([^'"]+)['"]/g),
    ...text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g),
    ...text.matchAll(/(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g),
  ];
  return specs.map((m) => m[1]!);
}

function offenders(dir: string, bad: (spec: string) => boolean): string[] {
  return sources(dir).flatMap((f) => imports(f).filter(bad).map((s) => `${relative(ROOT, f)} imports ${s}`));
}

const NODE_BUILTINS = /^(node:|fs$|path$|child_process$|os$|net$|http$|crypto$|worker_threads$)/;

test('runner/config is pure: no file system, no editor, no LSP', () => {
  assert.deepEqual(offenders('runner/config', (s) => NODE_BUILTINS.test(s) || s === 'vscode' || s.startsWith('vscode-language')), []);
});

test('only the extension imports vscode', () => {
  for (const dir of ['runner', 'language-server', 'webview']) assert.deepEqual(offenders(dir, (s) => s === 'vscode'), [], dir);
});

test('the language server depends on runner/config, never on training code', () => {
  assert.deepEqual(offenders('language-server', (s) => /runner\/(train|models|data|backend|run|launchers|sweep)\//.test(s) || s.startsWith('@tensorflow')), []);
});

test('webviews import no Node built-ins', () => {
  assert.deepEqual(offenders('webview', (s) => NODE_BUILTINS.test(s)), []);
});
