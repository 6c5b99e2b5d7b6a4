// Diagnostics fixtures: each mark's label is the error code expected at that range; quick fixes come from the
// options an error carries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFixture, serviceFor, type Fixture } from './fixture.js';

/** Every file's diagnostics are exactly the marks (by range and code) the fixture places in it. */
function check(source: string, only?: string[]): { f: Fixture; s: ReturnType<typeof serviceFor> } {
  const f = parseFixture(source);
  const s = serviceFor(f);
  for (const path of Object.keys(f.files)) {
    const got = s.diagnostics(path).filter((d) => !only || only.includes(d.code)).map((d) => `${d.code}@${d.range[0]}-${d.range[1]}`).sort();
    const want = f.marks.filter((m) => m.path === path).map((m) => `${m.label}@${m.range[0]}-${m.range[1]}`).sort();
    assert.deepEqual(got, want, `${path}: ${JSON.stringify(s.diagnostics(path).map((d) => [d.code, d.message]))}`);
  }
  return { f, s };
}

const DB = `
//- /configs/db/mysql.yaml
host: mysql.local
//- /configs/db/postgres.yaml
host: pg.local
`;

test('an unknown option lists the options, and a quick fix picks one', () => {
  const { f, s } = check(`
    //- /configs/config.yaml
    defaults:
      - db: mysqll
    #       ^^^^^^ missing-option
    ${DB}
  `);
  const path = '/configs/config.yaml';
  const [d] = s.diagnostics(path);
  assert.ok(d);
  assert.deepEqual(d.data?.options, ['mysql', 'postgres']);
  assert.match(d.message, /mysql/);
  const fixes = s.codeActions(path, [d]);
  assert.deepEqual(fixes.map((a) => a.title), ["Change to 'mysql'", "Change to 'postgres'"]);
  assert.equal(fixes[0]!.isPreferred, true);
  const edit = fixes[0]!.edits[0]!;
  const text = f.files[path]!;
  assert.equal(text.slice(0, edit.range[0]) + edit.newText + text.slice(edit.range[1]), 'defaults:\n  - db: mysql\n');
});

test('YAML errors are reported and the server keeps working on the rest', () => {
  const f = parseFixture(`
    //- /configs/config.yaml
    a: [1, 2
    b: 1
    ${DB}
  `);
  const s = serviceFor(f);
  const d = s.diagnostics('/configs/config.yaml');
  assert.ok(d.length >= 1 && d.every((x) => x.code.startsWith('yaml')), JSON.stringify(d));
  assert.deepEqual(s.diagnostics('/configs/db/mysql.yaml'), []);
});

test('an interpolation to a missing key, in the file that writes it', () => {
  check(`
    //- /configs/config.yaml
    defaults:
      - /base/run@_here_
      - _self_
    name: x
    //- /configs/base/run.yaml
    run:
      dir: out/\${nmae}
    #          ^^^^^^^ interpolation-key
      ok: \${name}
  `, ['interpolation-key']);
});

test('an interpolation typo gets the keys it could mean, and a quick fix that replaces only the typo', () => {
  const f = parseFixture(`
    //- /configs/config.yaml
    exp:
      name: x
    dir: out/\${exp.nmae}/\${exp.name}
  `);
  const s = serviceFor(f);
  const path = '/configs/config.yaml';
  const [d] = s.diagnostics(path);
  assert.equal(d?.code, 'interpolation-key');
  assert.deepEqual(d.data?.options, ['name']);
  const [fix] = s.codeActions(path, [d]);
  const e = fix!.edits[0]!;
  const text = f.files[path]!;
  assert.equal(text.slice(0, e.range[0]) + e.newText + text.slice(e.range[1]), text.replace('exp.nmae', 'exp.name'));
});

test('interpolation cycles and unknown resolvers, from the engine\'s resolver', () => {
  const f = parseFixture(`
    //- /configs/config.yaml
    a: \${b}
    b: \${a}
    c: \${oc.nope:1}
    d: \${now:%Y}
  `);
  const codes = serviceFor(f).diagnostics('/configs/config.yaml').map((d) => d.code);
  assert.deepEqual(codes, ['interpolation-cycle', 'interpolation-cycle', 'interpolation-resolver']);
});

test('??? left in a final config is flagged on that config', () => {
  const f = parseFixture(`
    //- /configs/exp/run.yaml
    # @package _global_
    defaults:
      - /base/run@_here_
    //- /configs/base/run.yaml
    run:
      name: ???
  `);
  const d = serviceFor(f).diagnostics('/configs/exp/run.yaml');
  assert.deepEqual(d.map((x) => x.code), ['missing-value']);
  assert.match(d[0]!.message, /`run\.name`/);
});

test('a duplicate group and an override of a group not in the tree', () => {
  const f = parseFixture(`
    //- /configs/config.yaml
    defaults:
      - db: mysql
      - db: postgres
    ${DB}
  `);
  assert.deepEqual(serviceFor(f).diagnostics('/configs/config.yaml').map((x) => x.code), ['duplicate-group']);
  const g = parseFixture(`
    //- /configs/config.yaml
    defaults:
      - override server: apache
    ${DB}
  `);
  const codes = serviceFor(g).diagnostics('/configs/config.yaml').map((x) => x.code);
  assert.ok(codes.includes('override-not-found') || codes.includes('missing-group'), codes.join());
});

test('a defaults cycle is an error, not a hang', () => {
  const f = parseFixture(`
    //- /configs/a.yaml
    defaults:
      - b
    //- /configs/b.yaml
    defaults:
      - a
  `);
  const codes = serviceFor(f).diagnostics('/configs/a.yaml').map((x) => x.code);
  assert.ok(codes.includes('defaults-cycle'), codes.join());
});

test('a sweep file whose parameters name keys the swept config does not have', () => {
  check(`
    //- /configs/exp/gnn.yaml
    # @package _global_
    model:
      lr: 0.1
    //- /configs/sweeps/exp_gnn.yaml
    method: grid
    parameters:
      model.lr:
        values: [0.1, 0.01]
      model.lrr:
    # ^^^^^^^^^ sweep-unknown-key
        values: [1]
  `);
});
