// Checkpoint bytes fuzzed: a manifest or tensors.bin cut, flipped, spliced or replaced is either reported as a
// problem (with a reason) or, when it still verifies, reads back whole. Nothing throws anything but the
// store's own CheckpointError, and choosing a checkpoint to resume from never throws.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CheckpointError, checkpointProblem, chooseCheckpoint, readCheckpoint, writeCheckpoint } from '../../runner/checkpoint/store.js';
import { seededRandom } from '../../runner/config/overrides/sweep.js';
import { fuzzSeed, withSeed } from '../infra/fuzz.js';

const CASES = Number(process.env.FUZZ_CHECKPOINTS ?? 1000);
const SEED = fuzzSeed(20261205);
const dir = mkdtempSync(join(tmpdir(), 'bait-ckpt-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const meta = {
  created: 'now', tfjs_version: 'x', backend: 'cpu', progress: { epoch: 1, batch_in_epoch: 3, global_step: 7 },
  rng: { seed: 1, step: 7 }, optimizer: { class: 'Adam', config: { learningRate: 0.001 }, iterations: 7 }, callbacks: { 'ModelCheckpoint#0': { best_k: {} } },
  metrics: { loss: 0.5 }, validation_count: 1, config: { model: { lr: 0.001 } },
};
const tensors = [
  { name: 'w', group: 'model', dtype: 'float32' as const, shape: [3, 4], values: Float32Array.from({ length: 12 }, (_, i) => i / 7) },
  { name: 'w/m', group: 'optimizer', dtype: 'float32' as const, shape: [3, 4], values: new Float32Array(12).fill(0.25) },
  { name: 'accBeta1', group: 'optimizer_state', dtype: 'float32' as const, shape: [], values: Float32Array.of(0.9) },
];
const JSON_SNIPPETS = ['null', '"', '{', '}', '[', ']', ',', '-1', '1e999', 'NaN', '"x"', '0', '99999999', '{"a":1}', '[]', 'true'];

function mutate(bytes: Buffer, r: () => number, json: boolean): Buffer {
  const at = Math.floor(r() * (bytes.length + 1));
  switch (Math.floor(r() * 5)) {
    case 0: return bytes.subarray(0, at); // cut
    case 1: { // flip a bit
      const b = Buffer.from(bytes);
      if (b.length) b[Math.min(at, b.length - 1)]! ^= 1 << Math.floor(r() * 8);
      return b;
    }
    case 2: return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + Math.floor(r() * 16))]); // delete
    case 3: { // insert
      const ins = json ? Buffer.from(JSON_SNIPPETS[Math.floor(r() * JSON_SNIPPETS.length)]!) : Buffer.from([Math.floor(r() * 256)]);
      return Buffer.concat([bytes.subarray(0, at), ins, bytes.subarray(at)]);
    }
    default: { // a field replaced by another value of the wrong kind
      if (!json) return Buffer.alloc(Math.floor(r() * 64));
      const m = JSON.parse(bytes.toString('utf8'));
      const keys = Object.keys(m);
      m[keys[Math.floor(r() * keys.length)]!] = JSON.parse(JSON_SNIPPETS.filter((s) => { try { JSON.parse(s); return true; } catch { return false; } })[Math.floor(r() * 10)]!);
      return Buffer.from(JSON.stringify(m));
    }
  }
}

test(`${CASES} mutated checkpoints: a reason or a whole read, never a crash (seed ${SEED})`, () => withSeed(SEED, 'test/runner/checkpoint-fuzz.test.ts', () => {
  writeCheckpoint(dir, 'pristine', meta, tensors);
  const mf = readFileSync(join(dir, 'pristine', 'manifest.json'));
  const bin = readFileSync(join(dir, 'pristine', 'tensors.bin'));
  const r = seededRandom(SEED);
  let reported = 0;
  for (let i = 0; i < CASES; i++) {
    const name = `c${i % 4}`;
    // A fresh copy of the pristine files (plain writes: writeCheckpoint's fsyncs would dominate the run time).
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'manifest.json'), mf);
    writeFileSync(join(dir, name, 'tensors.bin'), bin);
    const target = r() < 0.5 ? 'manifest.json' : 'tensors.bin';
    let bytes: Buffer = target === 'manifest.json' ? mf : bin;
    try {
      for (let k = 1 + Math.floor(r() * 3); k > 0; k--) bytes = mutate(bytes, r, target === 'manifest.json');
    } catch {
      continue; // the JSON was already broken by an earlier edit of this case: nothing to replace
    }
    writeFileSync(join(dir, name, target), bytes);
    const where = `case ${i} (${target}): ${bytes.subarray(0, 200).toString('utf8')}`;
    let problem: string | undefined;
    try {
      problem = checkpointProblem(join(dir, name), { verify: true });
      const choice = chooseCheckpoint(dir, name, true);
      assert.ok(choice.path, 'the pristine checkpoint is always there to fall back to');
      if (problem) assert.deepEqual(choice.broken.map((b) => b.name).slice(0, 1), [name], where);
    } catch (e) {
      assert.fail(`${where}\nthrew ${(e as Error).stack}`);
    }
    try {
      const c = readCheckpoint(join(dir, name));
      assert.equal(problem, undefined, `${where}: read although '${problem}'`);
      assert.deepEqual(c.tensors.map((t) => t.values.length), [12, 12, 1], where);
    } catch (e) {
      assert.ok(e instanceof CheckpointError, `${where}\nthrew ${(e as Error).stack}`);
      assert.ok(problem, `${where}: verified, but reading failed with ${(e as Error).message}`);
      reported++;
    }
  }
  assert.ok(reported > CASES / 2, `most mutations are caught (${reported} of ${CASES})`);
}));
