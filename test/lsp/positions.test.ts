// The YAML position utilities: offsets <-> LSP positions (one conversion, at the edge), the completion
// context read from the lines above the cursor, and what an offset points at in the YAML tree.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completionContext } from '../../language-server/service/completion-context.js';
import { interpolationSpans, referencePath } from '../../language-server/service/interpolation-text.js';
import { LineIndex } from '../../language-server/service/text.js';
import { nodeAt, parseSyntax } from '../../language-server/service/yaml-syntax.js';

test('LineIndex: LF, CRLF and lone CR; positions past a line end clamp to it', () => {
  const idx = new LineIndex('ab\r\ncd\ref\n');
  assert.equal(idx.lineCount, 4);
  assert.deepEqual(idx.position(4), { line: 1, character: 0 });
  assert.deepEqual(idx.position(7), { line: 2, character: 0 });
  assert.equal(idx.offset({ line: 0, character: 99 }), 2);
  assert.equal(idx.offset({ line: 99, character: 0 }), 10);
  assert.equal(idx.offset({ line: -1, character: 5 }), 0);
  // UTF-16: an astral character counts two units, as LSP counts them.
  const u = new LineIndex('a: 😀x');
  assert.equal(u.offset({ line: 0, character: 5 }), 5);
});

/** `|` marks the cursor. */
function ctx(text: string) {
  const at = text.indexOf('|');
  return completionContext(text.replace('|', ''), at);
}

test('completion context, case by case', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['|', { kind: 'key', path: [] }],
    ['model:\n  |', { kind: 'key', path: ['model'] }],
    ['model:\n  enc:\n    la|', { kind: 'key', path: ['model', 'enc'], prefix: 'la' }],
    ['model:\n  enc:\n    a: 1\n  |', { kind: 'key', path: ['model'] }],
    ['cbs:\n  - a: 1\n  - b: 2\n    |', { kind: 'key', path: ['cbs', 1] }],
    ['cbs:\n  - _target_: x\n    dirpath: y\n  - |', { kind: 'key', path: ['cbs', 1] }],
    ['model:\n  # a comment\n\n  |', { kind: 'key', path: ['model'] }],
    ['"quoted key":\n  |', { kind: 'key', path: ['quoted key'] }],
    ['defaults:\n  - |', { kind: 'defaults-item', prefix: '' }],
    ['defaults:\n  - /base/da|', { kind: 'defaults-item', prefix: '/base/da' }],
    ['defaults:\n  - db: my|', { kind: 'defaults-option', group: 'db', prefix: 'my' }],
    ['defaults:\n  - override db@pkg: |', { kind: 'defaults-option', group: 'db', prefix: '' }],
    ['defaults:\n  - db: [a, b|', { kind: 'defaults-option', group: 'db', prefix: 'b' }],
    ['m:\n  lr: 0.|', { kind: 'value', path: ['m', 'lr'], prefix: '0.' }],
    ['m:\n  x: ${a.b|}', { kind: 'interpolation', path: ['m', 'x'], prefix: 'a.b' }],
    ['m:\n  x: pre_${.|', { kind: 'interpolation', path: ['m', 'x'], prefix: '.' }],
    ['m:\n  x: ${a.${b|}}', { kind: 'interpolation', path: ['m', 'x'], prefix: 'b' }],
    ['# @package _gl|', { kind: 'header', prefix: '_gl' }],
  ];
  for (const [text, want] of cases) {
    const got = ctx(text) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k], v, `${JSON.stringify(text)}: ${k} of ${JSON.stringify(got)}`);
  }
});

test('nodeAt: keys and values with their paths; defaults items are parsed with every part', () => {
  const text = 'defaults:\n  - override db@backup: mysql\n  - /base/x@_here_\nmodel:\n  list: [a, {b: 1}]\n';
  const s = parseSyntax(text);
  const at = (needle: string, delta = 0) => nodeAt(s, text.indexOf(needle) + delta)!;
  assert.deepEqual(at('list').path, ['model', 'list']);
  assert.equal(at('list').part, 'key');
  assert.deepEqual(at('b: 1').path, ['model', 'list', 1, 'b']);
  assert.deepEqual(at('1}').path, ['model', 'list', 1, 'b']);
  assert.equal(at('1}').part, 'value');
  const [a, b] = s.defaults;
  assert.equal(a!.keyword, 'override');
  assert.equal(text.slice(a!.nameRange[0], a!.nameRange[1]), 'db');
  assert.equal(a!.package, 'backup');
  assert.deepEqual(a!.options.map((o) => [o.text, text.slice(o.range[0], o.range[1])]), [['mysql', 'mysql']]);
  assert.equal(b!.isGroup, false);
  assert.equal(text.slice(b!.nameRange[0], b!.nameRange[1]), '/base/x');
  assert.equal(b!.package, '_here_');
});

test('interpolation spans and the key paths they name', () => {
  const spans = interpolationSpans('a ${x.y} ${oc.env:H,${z}} \\${no} ${open', 10);
  assert.deepEqual(spans.map((s) => [s.inner, s.closed, s.resolver ?? null]), [
    ['x.y', true, null], ['oc.env:H,${z}', true, 'oc.env'], ['z', true, null], ['open', false, null],
  ]);
  assert.deepEqual(spans[0]!.range, [12, 18]);
  assert.deepEqual(referencePath('a.b[0].c', ['x']), ['a', 'b', 0, 'c']);
  assert.deepEqual(referencePath('.name', ['exp', 'dir']), ['exp', 'dir', 'name']);
  assert.deepEqual(referencePath('..name', ['exp', 'dir']), ['exp', 'name']);
  assert.equal(referencePath('oc.env:HOME', []), undefined);
});
