import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ComposedNode, ProvenanceOrigin } from '../language-server/protocol.js';
import { describeOrigin, dottedPath, provenanceAt, spotsOf } from './composed-provenance.js';

const file = (uri: string, line: number): ProvenanceOrigin =>
  ({ kind: 'file', location: { uri, range: { start: { line, character: 2 }, end: { line, character: 12 } } } });

test('a position in the composed YAML maps to the value\'s origin and what it overrode, in PyYAML-style lists too', () => {
  const text = 'trainer:\n  max_epochs: 2\n  callbacks:\n  - _target_: a.B\n    x: 1\nlr: 0.1\n';
  const config: ComposedNode = { kind: 'dict', entries: [
    { key: 'trainer', node: { kind: 'dict', entries: [
      { key: 'max_epochs', node: { kind: 'scalar', type: 'int', value: 2, origin: file('file:///c/demo.yaml', 6), history: [file('file:///c/base/trainer.yaml', 2)] } },
      { key: 'callbacks', node: { kind: 'list', items: [{ kind: 'dict', entries: [
        { key: '_target_', node: { kind: 'scalar', type: 'str', value: 'a.B', origin: file('file:///c/cb.yaml', 1) } },
        { key: 'x', node: { kind: 'scalar', type: 'int', value: 1, origin: { kind: 'override', index: 0, text: 'trainer.callbacks.0.x=1', start: 0, end: 5 } } },
      ] }] } },
    ] } },
    { key: 'lr', node: { kind: 'scalar', type: 'float', value: 0.1, origin: { kind: 'builtin', what: 'Hydra' } } },
  ] };
  const at = (needle: string) => provenanceAt(text, config, text.indexOf(needle) + 1);
  const epochs = at('max_epochs')!;
  assert.equal(dottedPath(epochs.spot.path), 'trainer.max_epochs');
  assert.equal(describeOrigin(epochs.origin!), 'file:///c/demo.yaml:7:3');
  assert.deepEqual(epochs.history.map((h) => describeOrigin(h)), ['file:///c/base/trainer.yaml:3:3']);
  assert.equal(dottedPath(at('_target_')!.spot.path), 'trainer.callbacks[0]._target_');
  assert.equal(describeOrigin(at('x: 1')!.origin!), "override #1 `trainer.callbacks.0.x=1`");
  assert.equal(describeOrigin(at('lr')!.origin!), 'built in (Hydra)');
  assert.ok(spotsOf(text).length >= 6);
  // A path the composed config does not have (a stale document) gives no origin rather than a wrong one.
  assert.equal(provenanceAt('other: 1\n', config, 1)?.origin, undefined);
});
