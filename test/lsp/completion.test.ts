// Completion fixtures: inherited keys with their value and origin, defaults-list groups/options/keywords,
// `_target_` names, `${` key paths and resolvers, `# @package` values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cursorOf, parseFixture, serviceFor } from './fixture.js';

function complete(source: string) {
  const f = parseFixture(source);
  const { path, offset } = cursorOf(f);
  const items = serviceFor(f).completions(path, offset);
  return { f, items, labels: items.map((i) => i.label) };
}

const BASE = `
//- /configs/base/model.yaml
model:
  lr: 0.001
  batch_size: 32
  encoder:
    layers: 2
trainer:
  max_epochs: 10
//- /configs/db/mysql.yaml
host: mysql.local
//- /configs/db/postgres.yaml
host: pg.local
`;

test('keys inherited at this package, with value and origin, minus the keys this file sets', () => {
  const { items, labels } = complete(`
    //- /configs/exp.yaml
    # @package _global_
    defaults:
      - /base/model@_here_
      - _self_
    model:
      lr: 0.01
      $0
    ${BASE}
  `);
  assert.deepEqual(labels.filter((l) => l !== '_target_').sort(), ['batch_size', 'encoder']);
  const bs = items.find((i) => i.label === 'batch_size')!;
  assert.equal(bs.detail, '32');
  assert.match(bs.documentation!, /base\/model\.yaml:3/);
  assert.equal(bs.insertText, 'batch_size: ');
});

test('nested inherited keys and the root level', () => {
  const deep = complete(`
    //- /configs/exp.yaml
    defaults:
      - /base/model@_here_
      - _self_
    model:
      encoder:
        $0
    ${BASE}
  `);
  assert.ok(deep.labels.includes('layers'));
  const root = complete(`
    //- /configs/exp.yaml
    defaults:
      - /base/model@_here_
      - _self_
    $0
    ${BASE}
  `);
  assert.ok(root.labels.includes('model') && root.labels.includes('trainer'));
  assert.ok(!root.labels.includes('defaults'), 'defaults is already set');
});

test('completion still works while the file is half typed (falls back to the last good composition)', () => {
  const f = parseFixture(`
    //- /configs/exp.yaml
    defaults:
      - /base/model@_here_
      - _self_
    model:
      lr: 0.01
      $0
    ${BASE}
  `);
  const { path, offset } = cursorOf(f);
  const s = serviceFor(f);
  assert.ok(s.completions(path, offset).some((i) => i.label === 'batch_size'));
  const text = f.files[path]!;
  const broken = text.slice(0, offset) + 'ba' + text.slice(offset);
  s.change(path, broken, 2);
  const items = s.completions(path, offset + 2);
  const bs = items.find((i) => i.label === 'batch_size');
  assert.ok(bs, 'inherited keys offered in broken YAML');
  assert.deepEqual(bs.replace, [offset, offset + 2]);
});

test('defaults list: groups, non-group configs, keywords', () => {
  const { labels, items } = complete(`
    //- /configs/exp.yaml
    defaults:
      - $0
    //- /configs/other.yaml
    a: 1
    ${BASE}
  `);
  for (const l of ['db', 'base', 'other', '_self_', 'override', 'optional']) assert.ok(labels.includes(l), l);
  assert.ok(!labels.includes('exp'), 'a file does not include itself');
  assert.equal(items.find((i) => i.label === 'db')!.insertText, 'db: ');
});

test('defaults list: options of a group, relative and absolute, with keywords and package', () => {
  const rel = complete(`
    //- /configs/exp.yaml
    defaults:
      - override db@backup: my$0
    ${BASE}
  `);
  assert.deepEqual(rel.labels.filter((l) => !['null', '???'].includes(l)), ['mysql', 'postgres']);
  const r = rel.items.find((i) => i.label === 'mysql')!.replace;
  assert.equal(rel.f.files['/configs/exp.yaml']!.slice(r[0], r[1]), 'my');
  const abs = complete(`
    //- /configs/server/apache.yaml
    defaults:
      - /db: $0
    ${BASE}
  `);
  assert.ok(abs.labels.includes('postgres'));
  const nested = complete(`
    //- /configs/server/apache.yaml
    defaults:
      - db: $0
    //- /configs/server/db/sqlite.yaml
    file: x
    ${BASE}
  `);
  assert.ok(nested.labels.includes('sqlite') && !nested.labels.includes('mysql'), "relative to the file's group");
  const multi = complete(`
    //- /configs/exp.yaml
    defaults:
      - db: [mysql, $0]
    ${BASE}
  `);
  assert.ok(multi.labels.includes('postgres'));
});

test('_target_ names used in the tree', () => {
  const { labels } = complete(`
    //- /configs/a.yaml
    m:
      _target_: models.Gnn
    //- /configs/b.yaml
    n:
      _target_: $0
  `);
  assert.ok(labels.includes('models.Gnn'));
});

test('interpolation: absolute and relative key paths, and resolvers', () => {
  const abs = complete(`
    //- /configs/exp.yaml
    defaults:
      - /base/model@_here_
      - _self_
    x: \${model.$0}
    ${BASE}
  `);
  assert.deepEqual(abs.labels.sort(), ['batch_size', 'encoder', 'lr']);
  const top = complete(`
    //- /configs/exp.yaml
    defaults:
      - /base/model@_here_
      - _self_
    x: "\${$0"
    ${BASE}
  `);
  assert.ok(top.labels.includes('model') && top.labels.includes('oc.env') && top.labels.includes('now'));
  const hydra = top.items.filter((i) => i.label === 'hydra').map((i) => i.kind);
  assert.deepEqual(hydra, ['resolver'], 'the hydra node is reached through the hydra: resolver, not as a key');
  const relative = complete(`
    //- /configs/exp.yaml
    defaults:
      - /base/model@_here_
      - _self_
    model:
      other: \${.$0}
    ${BASE}
  `);
  assert.ok(relative.labels.includes('lr') && relative.labels.includes('batch_size'), relative.labels.join());
});

test('# @package values', () => {
  const { labels } = complete(`
    //- /configs/db/mysql.yaml
    # @package $0
    host: x
  `);
  assert.deepEqual(labels, ['_global_', '_group_', '_here_', 'db']);
});
