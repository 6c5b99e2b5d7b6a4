// Exact resume on the wasm backend (the embedded default): kill -9 mid-run, and SIGTERM mid-epoch with a torn
// metrics line; both resumed runs end with the same bits as an uninterrupted run.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { makeWorkspace } from './helpers.js';
import { TRANSFORMER, killNineAndResume, referenceRun, sigtermTornLineAndResume } from './resume_scenarios.js';

const ws = makeWorkspace();
after(() => rmSync(ws, { recursive: true, force: true }));

test('wasm: kill -9, and SIGTERM with a torn metrics line, then resume equal the uninterrupted run', async () => {
  const reference = await referenceRun(ws, 'wasm');
  // The tiny mean-pool model trains through the fused step on wasm (train/fused_meanpool.ts): resume covers it.
  assert.match(readFileSync(join(reference, 'log.txt'), 'utf8'), /kernels: .*fused mean-pool step/);
  await Promise.all([killNineAndResume(ws, 'wasm', reference), sigtermTornLineAndResume(ws, 'wasm', reference)]);
});

test('wasm: the transformer through its fused step, killed with kill -9 and resumed, equals the uninterrupted run', async () => {
  const reference = await referenceRun(ws, 'wasm', TRANSFORMER);
  assert.match(readFileSync(join(reference, 'log.txt'), 'utf8'), /kernels: .*fused transformer step/);
  await killNineAndResume(ws, 'wasm', reference, TRANSFORMER);
});
