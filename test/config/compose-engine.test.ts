// Engine behaviours beyond the conformance corpus: compositions never leak into each other through the shared
// parse cache, edits to a source are seen, extend_list() appends.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compose, jobConfig, MemorySource, Repository, selectNode, toPlain } from '../../runner/config/index.js';

const tree = () =>
  new MemorySource({
    'config.yaml': 'defaults:\n  - db: mysql\n  - _self_\nl: [1, 2]\nd:\n  x: 1\n',
    'db/mysql.yaml': 'host: h\nport: 3306\nopts:\n  a: 1\n',
    'db/postgres.yaml': 'host: p\nport: 5432\n',
  });

test('overrides of one composition never change the cached files another composition sees', () => {
  const source = tree();
  const repository = new Repository(source);
  const changed = compose({ source, repository, configName: 'config', overrides: ['db.port=1', '~d.x', 'l=extend_list(3)', '+db.opts.b=2', '++d.y=5'] });
  assert.deepEqual(changed.errors, []);
  assert.deepEqual(toPlain(jobConfig(changed.config!)), { db: { host: 'h', port: 1, opts: { a: 1, b: 2 } }, l: [1, 2, 3], d: { y: 5 } });
  const plain = compose({ source, repository, configName: 'config' });
  assert.deepEqual(toPlain(jobConfig(plain.config!)), { db: { host: 'h', port: 3306, opts: { a: 1 } }, l: [1, 2], d: { x: 1 } });
});

test('an edited file is seen by the next composition with the same repository', () => {
  const source = tree();
  const repository = new Repository(source);
  assert.equal(toPlain(selectNode(compose({ source, repository, configName: 'config' }).config!, 'db.port')!), 3306);
  source.set('db/mysql.yaml', 'host: h\nport: 3307\n');
  assert.equal(toPlain(selectNode(compose({ source, repository, configName: 'config' }).config!, 'db.port')!), 3307);
});

test('extend_list() on a non-list is an error at the override', () => {
  const r = compose({ source: tree(), configName: 'config', overrides: ['d=extend_list(1)'] });
  assert.equal(r.errors[0]?.code, 'override-type');
  assert.equal(r.errors[0]?.origin?.kind, 'override');
});

test('hydra.runtime.choices and override_dirname are filled like Hydra', () => {
  const r = compose({ source: tree(), configName: 'config', overrides: ['db=postgres', 'l=[3]'] });
  assert.equal(toPlain(selectNode(r.config!, 'hydra.runtime.choices.db')!), 'postgres');
  assert.equal(toPlain(selectNode(r.config!, 'hydra.job.override_dirname')!), 'db=postgres,l=[3]');
  assert.deepEqual(toPlain(selectNode(r.config!, 'hydra.overrides.task')!), ['db=postgres', 'l=[3]']);
});
