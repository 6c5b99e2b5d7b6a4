// The fast YAML reader must build exactly what the full loader builds (nodes, types, every range) whenever it
// accepts a file, and defer everything else. Checked on the real BAIT configs, on the generated tree the
// language-server benchmark uses, and on thousands of deterministic mutations of them (comments at every
// indentation, indicators, quotes, flow sequences, truncations), which is where the two could drift apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadYaml, loadYamlFull, resolvePlainScalar } from '../../runner/config/yaml-load.js';
import { readSimpleYaml } from '../../runner/config/yaml-simple.js';
import { toPlain } from '../../runner/config/nodes.js';
import { writeLargeTree } from '../../bench/lsp-tree.js';

const BAIT = join(import.meta.dirname, '..', 'conformance', 'bait', 'configs');

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(f)) out.push(p);
  }
  return out;
}

/** An order-preserving dump that tells NaN, -0, numbers and strings apart. */
function dump(v: unknown): string {
  if (v instanceof Map) return `Map{${[...v].map(([k, x]) => `${dump(k)}=>${dump(x)}`).join(',')}}`;
  if (Array.isArray(v)) return `[${v.map(dump).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}:${dump(x)}`).join(',')}}`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0n' : `${v}n`;
  return JSON.stringify(v) ?? 'undefined';
}

/** Whether the fast reader accepted the text; throws when it accepted and disagrees with the full loader. */
function agrees(text: string): boolean {
  const fast = readSimpleYaml(text, 'f.yaml', resolvePlainScalar);
  if (fast === undefined) return false;
  const full = loadYamlFull(text, 'f.yaml');
  assert.equal(dump({ node: fast ?? undefined, errors: [] }), dump(full), `fast and full loaders differ on ${JSON.stringify(text)}`);
  return true;
}

const bait = yamlFiles(BAIT).map((p) => readFileSync(p, 'utf8'));
const tree = writeLargeTree();
const generated = [...tree.options.slice(0, 40), ...tree.experiments.slice(0, 40), 'base/base_0.yaml'].map((rel) =>
  readFileSync(join(tree.configDir, rel), 'utf8'),
);
rmSync(dirname(tree.configDir), { recursive: true, force: true });

test('the fast reader matches the full loader on every BAIT config and reads nearly all of them', () => {
  const accepted = bait.filter(agrees).length;
  assert.ok(accepted >= bait.length - 5, `only ${accepted} of ${bait.length} BAIT configs took the fast path`);
});

test('the fast reader reads every file of the generated benchmark tree, identically', () => {
  for (const text of generated) assert.ok(agrees(text), `deferred:\n${text}`);
});

test('loadYaml gives the full loader\'s errors for files the fast reader defers', () => {
  for (const text of ['a: 1\na: 2\n', 'a:\n  - x\n y: 1\n', '<<: 1\n', 'a: =\n', '~: 1\n', 'a: [1, 2\n', 'a: *nope\n', "a: 'x\n"]) {
    assert.equal(readSimpleYaml(text, 'f.yaml', resolvePlainScalar), undefined, text);
    assert.equal(dump(loadYaml(text, 'f.yaml')), dump(loadYamlFull(text, 'f.yaml')));
    assert.ok(loadYaml(text, 'f.yaml').errors.length > 0, `no error for ${JSON.stringify(text)}`);
  }
});

test('mutated configs: whenever the fast reader accepts, it matches the full loader', () => {
  const corpus = [...bait, ...generated];
  const snippets = [': ', '- ', '#', ' # c', "'", '"', '[', ']', '{', '}', ',', '&a ', '*a', '<<: ', '=', '---', '\t', '\r', '~', '???',
    '1e3', '0x1F', '-', '  ', ' ', 'a: ', '\n', 'x', ':', '- a: 1', '[1, -2, a b]', '{}', "'it''s'", '"q"', '"a\\nb"', 'é', '%', '...',
    '? ', '!', '|', '>', '@', '`', 'yes', 'null', '.inf', '1_000', '012', '1:20', '-.5', "['a', \"b\"]", "[ 'x' ,y ]", '[a, ]', '?x', '-x'];
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let accepted = 0;
  const runs = 4000;
  for (let i = 0; i < runs; i++) {
    const lines = corpus[rnd(corpus.length)]!.split('\n');
    for (let o = 1 + rnd(3); o > 0; o--) {
      const at = rnd(lines.length);
      const l = lines[at]!;
      const p = rnd(l.length + 1);
      switch (rnd(9)) {
        case 0: lines.splice(at, 1); break;
        case 1: lines.splice(at, 0, l); break;
        case 2: lines[at] = ' '.repeat(1 + rnd(2)) + l; break;
        case 3: lines[at] = l.replace(/^ {1,2}/, ''); break;
        case 4: lines[at] = l.slice(0, p) + snippets[rnd(snippets.length)] + l.slice(p); break;
        case 5: lines[at] = l.slice(0, p) + l.slice(p + 1 + rnd(3)); break;
        case 6: lines[at] = l + snippets[rnd(snippets.length)]; break;
        case 7: lines.splice(at, 0, ' '.repeat(rnd(7)) + '# c'); break;
        case 8: lines.splice(at, 0, ' '.repeat(rnd(3))); break;
      }
    }
    let text = lines.join('\n');
    if (rnd(10) === 0) text = text.slice(0, rnd(text.length + 1));
    if (agrees(text)) accepted++;
  }
  // Most mutations stay valid YAML in the subset, so the comparison is not vacuous.
  assert.ok(accepted > runs / 5, `only ${accepted} of ${runs} mutations took the fast path`);
});

test('double-quoted escapes read on the fast path equal the full parser; other escapes fall back', () => {
  const text = 'a: "x\\ny\\t\\"q\\" \\\\ \\/ ${b}"\nb: "plain"\nc: "\\u00e9"\n';
  const fast = readSimpleYaml(text, 'f.yaml', resolvePlainScalar);
  assert.equal(fast, undefined, '\\u escapes are left to the full parser');
  const t2 = 'a: "x\\ny\\t\\"q\\" \\\\ \\/ ${b}"\nb: "plain"\n';
  const f2 = readSimpleYaml(t2, 'f.yaml', resolvePlainScalar);
  assert.ok(f2, 'the common escapes take the fast path');
  assert.deepEqual(toPlain(f2!), toPlain(loadYamlFull(t2, 'f.yaml').node!));
  assert.deepEqual(toPlain(f2!), { a: 'x\ny\t"q" \\ / ${b}', b: 'plain' });
});
