// Definition and hover fixtures: defaults items open their file, keys go to the definition they override,
// `${a.b}` goes to where a.b is set, `_target_` opens the workspace class; hover shows value and chain.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cursorOf, parseFixture, serviceFor, textAt, type Fixture } from './fixture.js';

function definition(source: string) {
  const f = parseFixture(source);
  const { path, offset } = cursorOf(f);
  return { f, locations: serviceFor(f).definition(path, offset) };
}

/** The single location found is the fixture's one mark. */
function assertAtMark(f: Fixture, locations: { path: string; range: readonly [number, number] }[]) {
  assert.equal(locations.length, 1, JSON.stringify(locations));
  const mark = f.marks[0]!;
  assert.equal(locations[0]!.path, mark.path);
  assert.deepEqual(locations[0]!.range, mark.range, `got "${textAt(f, { path: locations[0]!.path, range: locations[0]!.range as [number, number] })}"`);
}

const TREE = `
//- /configs/base/model.yaml
model:
  lr: 0.001
  encoder:
    layers: 2
//- /configs/db/mysql.yaml
host: mysql.local
`;

test('a defaults item opens its file: group option, non-group config, absolute path', () => {
  const opt = definition(`
    //- /configs/exp.yaml
    defaults:
      - db: my$0sql
    ${TREE}
  `);
  assert.deepEqual(opt.locations.map((l) => l.path), ['/configs/db/mysql.yaml']);
  const cfg = definition(`
    //- /configs/exp/run.yaml
    defaults:
      - ba$0se
    //- /configs/exp/base.yaml
    a: 1
  `);
  assert.deepEqual(cfg.locations.map((l) => l.path), ['/configs/exp/base.yaml']);
  const abs = definition(`
    //- /configs/exp/run.yaml
    defaults:
      - /base/mo$0del@_here_
    ${TREE}
  `);
  assert.deepEqual(abs.locations.map((l) => l.path), ['/configs/base/model.yaml']);
});

test('a key goes to the definition it overrides', () => {
  const { f, locations } = definition(`
    //- /configs/exp.yaml
    defaults:
      - /base/model@_here_
      - _self_
    model:
      l$0r: 0.1
    //- /configs/base/model.yaml
    model:
      lr: 0.001
    # ^^
  `);
  assertAtMark(f, locations);
});

test('a mapping key goes to the earlier file that set the same mapping', () => {
  const { f, locations } = definition(`
    //- /configs/exp.yaml
    defaults:
      - /base/model@_here_
      - _self_
    mod$0el:
      extra: 1
    //- /configs/base/model.yaml
    model:
    ^^^^^
      lr: 0.001
  `);
  assertAtMark(f, locations);
});

test('${a.b} goes to where a.b is set; relative references too', () => {
  const abs = definition(`
    //- /configs/exp.yaml
    defaults:
      - /base/model@_here_
      - _self_
    x: \${model.encoder.lay$0ers}
    //- /configs/base/model.yaml
    model:
      encoder:
        layers: 2
    #   ^^^^^^
  `);
  assertAtMark(abs.f, abs.locations);
  const rel = definition(`
    //- /configs/exp.yaml
    run:
      name: x
    # ^^^^
      dir: out/\${.na$0me}
  `);
  assertAtMark(rel.f, rel.locations);
});

test('_target_ opens the exported class in the workspace module', () => {
  const { f, locations } = definition(`
    //- /configs/exp.yaml
    model:
      _target_: models.premise.My$0Model
    //- /models/premise.ts
    export const other = 1;
    export class MyModel {}
    #            ^^^^^^^
  `);
  assertAtMark(f, locations);
});

function hover(source: string) {
  const f = parseFixture(source);
  const { path, offset } = cursorOf(f);
  return serviceFor(f).hover(path, offset);
}

test('hover shows the composed value, its resolution and the provenance chain newest first', () => {
  const h = hover(`
    //- /configs/exp.yaml
    defaults:
      - /base/run@_here_
      - _self_
    run:
      na$0me: final
    //- /configs/base/run.yaml
    run:
      name: ???
      dir: out/\${run.name}
  `);
  assert.ok(h);
  assert.match(h.contents, /`run\.name`\*\* = `"final"`/);
  assert.match(h.contents, /Set in `exp\.yaml:5`: `final`\s+overrides `base\/run\.yaml:2`: `\?\?\?`/);
  const r = hover(`
    //- /configs/exp.yaml
    defaults:
      - /base/run@_here_
      - _self_
    run:
      name: final
      d$0ir: out/\${.name}/\${now:%Y}
    //- /configs/base/run.yaml
    run:
      name: ???
  `);
  assert.ok(r);
  assert.match(r.contents, /resolves to `out\/final\/\d{4}`/);
  const bad = hover(`
    //- /configs/exp.yaml
    ho$0me: \${oc.env:BAIT_TEST_SURELY_UNSET}
  `);
  assert.match(bad!.contents, /does not resolve: .*BAIT_TEST_SURELY_UNSET/);
});

test('hover on a defaults item names the file and the package it lands at', () => {
  const h = hover(`
    //- /configs/exp.yaml
    defaults:
      - db: my$0sql
    ${TREE}
  `);
  assert.ok(h);
  assert.match(h.contents, /Loads `db\/mysql\.yaml`/);
  assert.match(h.contents, /package `db`/);
});
