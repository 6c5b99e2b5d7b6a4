// The workspace as a whole: lenses on runnable configs and sweep files, document symbols, open buffers seen
// by every composition, incremental recomposition, and the custom requests' service calls.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composeWith, runnable, sweepFileJobs, validate } from '../../language-server/service/requests.js';
import { parseFixture, serviceFor } from './fixture.js';

const TREE = `
//- /configs/exp/gnn.yaml
# @package _global_
defaults:
  - /base/run@_here_
  - /db: mysql
  - _self_
run:
  name: gnn
//- /configs/exp/mlp.yaml
# @package _global_
defaults:
  - /base/run@_here_
  - _self_
run:
  name: mlp
//- /configs/base/run.yaml
run:
  name: ???
  lr: 0.1
//- /configs/db/mysql.yaml
host: mysql.local
//- /configs/db/postgres.yaml
host: pg.local
//- /configs/sweeps/exp_gnn.yaml
method: grid
parameters:
  run.lr:
    values: [0.1, 0.01, 0.001]
  db.host:
    values: [a, b]
`;

test('lenses: Run/Sweep/Show on runnable configs, none on parts, Launch Sweep (N jobs) on sweep files', () => {
  const s = serviceFor(parseFixture(TREE));
  assert.deepEqual(s.codeLenses('/configs/exp/gnn.yaml').map((l) => l.title), ['Run Experiment', 'Run with Overrides…', 'Sweep…', 'Show Composed Config']);
  assert.deepEqual(s.codeLenses('/configs/exp/gnn.yaml')[0]!.arguments, [{ configDir: '/configs', configName: 'exp/gnn', file: '/configs/exp/gnn.yaml' }]);
  assert.deepEqual(s.codeLenses('/configs/base/run.yaml'), []);
  const sweep = s.codeLenses('/configs/sweeps/exp_gnn.yaml');
  assert.deepEqual(sweep.map((l) => l.title), ['Launch Sweep (6 jobs)']);
  assert.deepEqual((sweep[0]!.arguments[0] as { config: unknown }).config, { configDir: '/configs', configName: 'exp/gnn' });
});

test('a config that stops composing loses its lenses', () => {
  const s = serviceFor(parseFixture(TREE));
  const path = '/configs/exp/gnn.yaml';
  const text = s.text(path)!;
  s.open(path, text.replace('/db: mysql', '/db: oracle'), 1);
  assert.deepEqual(s.codeLenses(path), []);
  assert.deepEqual(s.diagnostics(path).map((d) => d.code), ['missing-option']);
});

test('document symbols outline keys and defaults items', () => {
  const s = serviceFor(parseFixture(TREE));
  const syms = s.documentSymbols('/configs/exp/gnn.yaml');
  assert.deepEqual(syms.map((x) => x.name), ['defaults', 'run']);
  assert.deepEqual(syms[0]!.children.map((x) => x.name), ['/base/run@_here_', '/db: mysql', '_self_']);
  assert.deepEqual(syms[1]!.children.map((x) => [x.name, x.detail]), [['name', 'gnn']]);
});

test('an unsaved edit is what every other file sees', () => {
  const s = serviceFor(parseFixture(TREE));
  const gnn = '/configs/exp/gnn.yaml';
  const gnnText = s.text(gnn)!;
  const at = gnnText.indexOf('name: gnn') + 2;
  assert.match(s.hover(gnn, at)!.contents, /base\/run\.yaml:2/);
  s.open('/configs/base/run.yaml', 'run:\n  lr: 0.1\n  name: base\n', 1);
  assert.match(s.hover(gnn, at)!.contents, /base\/run\.yaml:3/);
  s.close('/configs/base/run.yaml');
  assert.match(s.hover(gnn, at)!.contents, /base\/run\.yaml:2/);
});

test('an edit recomposes only the configs that include the edited file', () => {
  const s = serviceFor(parseFixture(TREE));
  const project = s.workspace.project('/configs');
  const before = new Map(project.allCompositions().map((c) => [c.file, c]));
  s.takeDirty();
  s.open('/configs/db/mysql.yaml', 'host: other\n', 1);
  const dirty = s.takeDirty();
  const after = new Map(project.allCompositions().map((c) => [c.file, c]));
  const recomposed = [...after].filter(([f, c]) => before.get(f) !== c).map(([f]) => f).sort();
  assert.deepEqual(recomposed, ['exp/gnn.yaml']);
  assert.ok(dirty.includes('/configs/exp/gnn.yaml') && !dirty.includes('/configs/exp/mlp.yaml'), dirty.join());
  // A new file can change any group listing: everything recomposes.
  s.diskChanged('/configs/db/sqlite.yaml', 'created');
  const again = new Map(project.allCompositions().map((c) => [c.file, c]));
  assert.ok([...again].every(([f, c]) => after.get(f) !== c));
});

test('custom requests: composed config with overrides, runnable configs, override validation, job counts', () => {
  const s = serviceFor(parseFixture(TREE));
  const ws = s.workspace;
  const { result } = composeWith(ws, { configDir: '/configs', configName: 'exp/gnn', overrides: ['run.lr=0.5', 'db=postgres'] });
  assert.deepEqual(result.errors, []);
  const run = result.config!.entries.get('run')!.node;
  assert.equal(run.kind === 'dict' && run.entries.get('lr')!.node.origin?.kind, 'override');
  assert.deepEqual(runnable(ws).map((r) => r.name), ['exp/gnn', 'exp/mlp']);
  const ok = validate(ws, { configDir: '/configs', configName: 'exp/gnn', overrides: ['run.lr=0.1,0.2,0.3', 'db=glob(*)', 'run.name=x'] }, true);
  assert.deepEqual(ok.result.errors, []);
  assert.equal(ok.jobs, 6);
  const ranged = validate(ws, { configDir: '/configs', configName: 'exp/gnn', overrides: ['+seed=range(0,10,3)'] }, true);
  assert.equal(ranged.jobs, 4);
  const bad = validate(ws, { configDir: '/configs', configName: 'exp/gnn', overrides: ['run.lrr=1'] }, true);
  assert.deepEqual(bad.result.errors.map((e) => [e.code, e.origin?.kind]), [['override-key-missing', 'override']]);
  const syntax = validate(ws, { configDir: '/configs', configName: 'exp/gnn', overrides: ['run.lr=[1,'] }, true);
  assert.equal(syntax.jobs, null);
  assert.equal(sweepFileJobs(ws, '/configs/sweeps/exp_gnn.yaml')?.jobs, 6);
});
