// The wrong answers of issue 16 (and the completion bugs of issue 17), each at the exact position a user met
// it: on the real BAIT and lightning-hydra-template trees where it was seen, on a fixture where it is generic.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nodeFileSystem } from '../../language-server/service/file-system.js';
import { LanguageService } from '../../language-server/service/service.js';
import { cursorOf, parseFixture, serviceFor } from './fixture.js';

const conformance = join(dirname(fileURLToPath(import.meta.url)), '../conformance');
const BAIT = `${conformance}/bait/configs`;
const LHT = `${conformance}/lightning-hydra-template/configs`;

function disk(root: string, versionBase: '1.1' | null = null): LanguageService {
  const s = new LanguageService({ fs: nodeFileSystem, configDirs: [root], versionBase });
  s.onInternalError = (what, e) => {
    throw new Error(`${what}: ${e instanceof Error ? e.stack : String(e)}`);
  };
  return s;
}

/** Opens `path` with `insert` put after the first occurrence of `after`; returns the offset at the end of `insert`. */
function openWith(s: LanguageService, path: string, after: string, insert: string): number {
  const text = s.text(path)!;
  const at = text.indexOf(after) + after.length;
  assert.ok(at >= after.length, `${after} not in ${path}`);
  s.open(path, text.slice(0, at) + insert + text.slice(at), 1);
  return at + insert.length;
}

test('`- /data_type/` in a BAIT defaults list offers data_type\'s configs, not the top-level folders', () => {
  const s = disk(BAIT, '1.1');
  const gnn = `${BAIT}/premise_selection/hol4/gnn.yaml`;
  const at = openWith(s, gnn, 'defaults:\n', '  - /data_type/\n') - 1;
  const labels = s.completions(gnn, at).map((i) => i.label).sort();
  assert.deepEqual(labels, ['/data_type/directed_sat', '/data_type/ensemble', '/data_type/gnn', '/data_type/sat', '/data_type/sequence']);
  // Accepting one replaces the typed path: the item's range starts at the slash.
  const item = s.completions(gnn, at).find((i) => i.label === '/data_type/gnn')!;
  assert.equal(s.text(gnn)!.slice(item.replace[0], at), '/data_type/');
});

test('`- /` offers config groups but not `sweeps/` (W&B sweep specs are not a config group)', () => {
  const s = disk(BAIT, '1.1');
  const gnn = `${BAIT}/premise_selection/hol4/gnn.yaml`;
  const at = openWith(s, gnn, 'defaults:\n', '  - /\n') - 1;
  const labels = s.completions(gnn, at).map((i) => i.label);
  assert.ok(labels.includes('/data_type') && labels.includes('/base'), labels.join());
  assert.ok(!labels.includes('/sweeps'), labels.join());
});

test('`- group/` (relative to the file\'s folder) lists that group\'s options', () => {
  const f = parseFixture(`
    //- /configs/exp/run.yaml
    defaults:
      - model/$0
      - _self_
    //- /configs/exp/model/small.yaml
    width: 8
    //- /configs/exp/model/large.yaml
    width: 64
    //- /configs/model/other.yaml
    width: 1
  `);
  const { path, offset } = cursorOf(f);
  assert.deepEqual(serviceFor(f).completions(path, offset).map((i) => i.label).sort(), ['model/large', 'model/small']);
});

const BASE = `
  //- /configs/base/model.yaml
  model:
    lr: 0.001
    batch_size: 32
  //- /configs/base/run.yaml
  out: runs
`;

test('a new `batch_size: ` line offers the inherited 32 first, not the null it has while being typed', () => {
  const f = parseFixture(`
    //- /configs/exp.yaml
    defaults:
      - /base/model@_here_
      - _self_
    model:
      batch_size: $0
    ${BASE}
  `);
  const { path, offset } = cursorOf(f);
  const items = serviceFor(f).completions(path, offset);
  assert.equal(items[0]!.label, '32');
  assert.match(items[0]!.detail!, /^inherited value \(base\/model\.yaml:3/);
  assert.ok(!items.some((i) => i.label === 'null'), items.map((i) => i.label).join());
});

test('`foo: ${` does not offer `foo` itself', () => {
  const f = parseFixture(`
    //- /configs/exp.yaml
    defaults:
      - /base/model@_here_
      - _self_
    out_dir: runs
    foo: \${$0}
    ${BASE}
  `);
  const { path, offset } = cursorOf(f);
  const labels = serviceFor(f).completions(path, offset).map((i) => i.label);
  assert.ok(labels.includes('out_dir') && labels.includes('model'), labels.join());
  assert.ok(!labels.includes('foo'), labels.join());
});

test('the first `${` completion in a non-final config works when the line arrives in one edit', () => {
  const f = parseFixture(`
    //- /configs/exp/run.yaml
    # @package _global_
    defaults:
      - /model: small
      - _self_
    name: run1
    //- /configs/model/small.yaml
    width: 8
    depth: 2
  `);
  const s = serviceFor(f);
  const path = '/configs/model/small.yaml';
  const before = s.text(path)!;
  s.open(path, before, 1);
  const line = 'tag: ${';
  s.change(path, before + line + '\n', 2);
  const labels = s.completions(path, before.length + line.length).map((i) => i.label);
  assert.ok(labels.includes('name') && labels.includes('model'), labels.join());
});

test('hover in an option file says the final config it composed through, with the selecting override', () => {
  const s = disk(LHT);
  const example = `${LHT}/experiment/example.yaml`;
  const text = s.text(example)!;
  const h = s.hover(example, text.indexOf('    lr: 0.002') + 5)!;
  assert.match(h.contents, /composed through `train` with `experiment=example`, a final config that selects this file/);
});

test('an option several final configs select: the user picks which one hover composes through', () => {
  const s = disk(LHT);
  const mnist = `${LHT}/model/mnist.yaml`;
  const contexts = s.contexts(mnist);
  const names = contexts.map((c) => `${c.name} ${c.overrides.join(' ')}`.trim());
  assert.ok(names.includes('train') && names.includes('eval'), names.join(' | '));
  assert.equal(contexts.filter((c) => c.chosen).length, 1);
  const text = s.text(mnist)!;
  const at = text.indexOf('lr: 0.001') + 1;
  const first = s.hover(mnist, at)!;
  assert.match(first.contents, new RegExp(`composed through \`${contexts[0]!.name}\``));
  assert.match(first.contents, new RegExp(`${contexts.length - 1} other final configs select it`));
  const evalCtx = contexts.find((c) => c.name === 'eval' && !c.overrides.length)!;
  s.chooseContext(mnist, evalCtx.file);
  assert.match(s.hover(mnist, at)!.contents, /composed through `eval`,/);
  assert.equal(s.contexts(mnist).find((c) => c.chosen)!.file, evalCtx.file);
  s.chooseContext(mnist, undefined);
  assert.match(s.hover(mnist, at)!.contents, new RegExp(`composed through \`${contexts[0]!.name}\``));
});

test('`${hydra:runtime.output_dir}` hovers as set at run time, with the run dir a run would get', () => {
  const s = new LanguageService({ fs: nodeFileSystem, configDirs: [LHT], now: new Date(2026, 11, 5, 4, 5, 6), env: { PROJECT_ROOT: '/proj' } });
  const paths = `${LHT}/paths/default.yaml`;
  const text = s.text(paths)!;
  const h = s.hover(paths, text.indexOf('output_dir:') + 2)!;
  assert.doesNotMatch(h.contents, /resolves to `null`/);
  // Values read with `${oc.env:...}` stay out of hovers (README, Guarantees): PROJECT_ROOT shows by name.
  assert.match(h.contents, /set by Hydra when the run starts: the run's output directory; a run started now would get `<env:PROJECT_ROOT>\/logs\/\/eval\/runs\/2026-12-05_04-05-06` \(`hydra\.run\.dir`\)/);
  assert.doesNotMatch(h.contents, /\/proj/);
  assert.match(h.contents, /composed through `eval`, a final config that selects this file/);
  const cwd = s.hover(paths, text.indexOf('work_dir:') + 2)!;
  assert.match(cwd.contents, /`hydra\.runtime\.cwd` is set by Hydra when the run starts/);
});

test('no "missing `_self_`" on option files (debug/*.yaml); a root config being run still gets it', () => {
  const s = disk(LHT);
  for (const f of ['fdr', 'limit', 'overfit', 'profiler']) {
    const messages = s.diagnostics(`${LHT}/debug/${f}.yaml`).map((d) => d.message);
    assert.ok(!messages.some((m) => /_self_/.test(m)), `${f}: ${messages.join(' | ')}`);
  }
  const f = parseFixture(`
    //- /configs/train.yaml
    defaults:
      - model: small
    name: x
    //- /configs/model/small.yaml
    width: 8
  `);
  const d = serviceFor(f).diagnostics('/configs/train.yaml');
  assert.ok(d.some((x) => /missing `_self_`/.test(x.message)), d.map((x) => x.message).join());
});
