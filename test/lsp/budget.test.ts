// Files beyond the analysis budget (language-server/service/budget.ts): a generated multi-megabyte config and
// pathological nesting get composition errors plus a clear note, never a stack overflow, a crash or a hang.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bigConfigText } from '../../bench/lsp-tree.js';
import { FULL_ANALYSIS_BYTES, MAX_NESTING } from '../../language-server/service/budget.js';
import { MemoryFileSystem } from '../../language-server/service/file-system.js';
import { LanguageService } from '../../language-server/service/service.js';

function service(files: Record<string, string>): LanguageService {
  const s = new LanguageService({ fs: new MemoryFileSystem(files), configDirs: ['/configs'] });
  s.onInternalError = (what, e) => {
    throw new Error(`${what}: ${e instanceof Error ? e.stack : String(e)}`);
  };
  return s;
}

test('a file over the size budget: a note on its first line, composition errors still reported, syntax features off', () => {
  const big = bigConfigText(FULL_ANALYSIS_BYTES + 200_000).replace('  lr: 0.001\n', '  lr: 0.001\n  lr: 0.002\n');
  const s = service({ '/configs/big.yaml': big });
  const d = s.diagnostics('/configs/big.yaml');
  assert.equal(d[0]!.code, 'analysis-limit');
  assert.equal(d[0]!.severity, 'information');
  assert.deepEqual(d[0]!.range, [0, big.indexOf('\n')]);
  assert.match(d[0]!.message, /^File too large for full analysis \(1\.2 MB; the budget is 1\.0 MB\)/);
  // The engine's error (a duplicate key) is still there, at its place.
  const dup = d.find((x) => x.severity === 'error');
  assert.ok(dup, JSON.stringify(d.map((x) => x.code)));
  assert.equal(big.slice(dup.range[0], dup.range[0] + 9), 'lr: 0.002');
  assert.deepEqual(s.documentSymbols('/configs/big.yaml'), []);
});

test('the same content under the budget gets the full checks (a wrong interpolation is found)', () => {
  const small = bigConfigText(20_000) + 'broken: ${section_0.nope}\n';
  const d = service({ '/configs/small.yaml': small }).diagnostics('/configs/small.yaml');
  assert.deepEqual(d.map((x) => x.code), ['interpolation-key']);
});

test('nesting deeper than the limit: a note where it gets too deep, no "Maximum call stack" error, the server keeps working', () => {
  const levels = MAX_NESTING + 50;
  const flow = `ok: 1\nx: ${'['.repeat(levels)}${']'.repeat(levels)}\n`;
  const block = Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
  const s = service({ '/configs/flow.yaml': flow, '/configs/block.yaml': block, '/configs/fine.yaml': 'a: 1\nb: ${a}\n' });
  for (const [path, line] of [['/configs/flow.yaml', 1], ['/configs/block.yaml', MAX_NESTING]] as const) {
    const d = s.diagnostics(path);
    assert.equal(d[0]!.code, 'analysis-limit', path);
    assert.match(d[0]!.message, new RegExp(`^Nesting deeper than ${MAX_NESTING} levels here`));
    const text = s.text(path)!;
    assert.equal(text.slice(0, d[0]!.range[0]).split('\n').length - 1, line, path);
    assert.ok(!d.some((x) => /Maximum call stack/.test(x.message)), JSON.stringify(d));
    assert.equal(s.hover(path, 1), undefined);
    assert.deepEqual(s.documentSymbols(path), []);
  }
  assert.deepEqual(s.diagnostics('/configs/fine.yaml'), []);
  assert.match(s.hover('/configs/fine.yaml', 'a: 1\nb'.length)!.contents, /resolves to `1`/);
});
