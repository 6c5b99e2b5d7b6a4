// Hydra's instantiate semantics over plain configs: registry names and Lightning aliases, _args_, _partial_,
// _recursive_, _convert_, and the calling convention for workspace classes and functions.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { instantiate, prepareTargets } from '../../runner/instantiate/instantiate.js';
import { lookupTarget } from '../../runner/instantiate/registry.js';
import { UserError } from '../../runner/run/errors.js';
import { EarlyStopping } from '../../runner/train/callbacks/early_stopping.js';
import { LearningRateMonitor } from '../../runner/train/callbacks/lr_monitor.js';
import { ModelCheckpoint } from '../../runner/train/callbacks/model_checkpoint.js';

const ws = mkdtempSync(join(tmpdir(), 'bait-inst-'));
after(() => rmSync(ws, { recursive: true, force: true }));
mkdirSync(join(ws, 'lib'));
writeFileSync(join(ws, 'lib', 'things.ts'), `
  export class Point { constructor(public x: number, public y: number, public opts?: Record<string, unknown>) {} }
  export function make(opts: Record<string, unknown>) { return { made: opts }; }
  export const nested = { Deep: class { constructor(public opts: unknown) {} } };
  export function add(a: number, b: number) { return a + b; }
`);

async function build(cfg: Record<string, unknown>): Promise<unknown> {
  const ctx = await prepareTargets(cfg as never, ws);
  return instantiate(cfg as never, ctx);
}

test("Lightning's callback names are aliases of ours", async () => {
  const cbs = (await build({ cbs: [
    { _target_: 'lightning.pytorch.callbacks.ModelCheckpoint', monitor: 'acc', mode: 'max', save_top_k: 3 },
    { _target_: 'pytorch_lightning.callbacks.EarlyStopping', monitor: 'acc', patience: 2 },
    { _target_: 'lightning.pytorch.callbacks.LearningRateMonitor', logging_interval: 'step' },
  ] }) as { cbs: unknown[] }).cbs;
  assert.ok(cbs[0] instanceof ModelCheckpoint && cbs[0].saveTopK === 3 && cbs[0].mode === 'max');
  assert.ok(cbs[1] instanceof EarlyStopping && cbs[1].patience === 2);
  assert.ok(cbs[2] instanceof LearningRateMonitor);
  assert.equal(lookupTarget('models.embedding_models.transformer.transformer_encoder_model.TransformerWrapper')?.name, 'bait.models.TransformerEncoder');
});

test('workspace targets: _args_ then keyword object; functions; exports nested in objects', async () => {
  const p = (await build({ _target_: 'lib.things.Point', _args_: [1, 2] })) as { x: number; y: number; opts?: unknown };
  assert.deepEqual([p.x, p.y, p.opts], [1, 2, undefined]);
  const q = (await build({ _target_: 'lib.things.Point', _args_: [1, 2], label: 'a' })) as { opts: unknown };
  assert.deepEqual(q.opts, { label: 'a' });
  assert.deepEqual(await build({ _target_: 'lib.things.make', a: 1 }), { made: { a: 1 } });
  assert.equal(await build({ _target_: 'lib.things.add', _args_: [2, 3] }), 5);
  const deep = (await build({ _target_: 'lib.things.nested.Deep', k: [1] })) as { opts: unknown };
  assert.deepEqual(deep.opts, { k: [1] });
});

test('_recursive_: nested targets are built first unless turned off', async () => {
  const on = (await build({ _target_: 'lib.things.make', inner: { _target_: 'lib.things.add', _args_: [1, 1] } })) as { made: { inner: unknown } };
  assert.equal(on.made.inner, 2);
  const off = (await build({ _target_: 'lib.things.make', _recursive_: false, inner: { _target_: 'lib.things.add', _args_: [1, 1] } })) as { made: { inner: unknown } };
  assert.deepEqual(off.made.inner, { _target_: 'lib.things.add', _args_: [1, 1] });
});

test('_partial_ returns a builder that takes more keyword arguments later', async () => {
  const f = (await build({ _target_: 'lib.things.make', _partial_: true, a: 1 })) as (more?: object) => unknown;
  assert.equal(typeof f, 'function');
  assert.deepEqual(f({ b: 2 }), { made: { a: 1, b: 2 } });
  assert.deepEqual(f({ a: 3 }), { made: { a: 3 } });
});

test('_convert_ and the special keys are checked', async () => {
  assert.deepEqual(await build({ _target_: 'lib.things.make', _convert_: 'all', a: { b: 1 } }), { made: { a: { b: 1 } } });
  for (const [cfg, key] of [
    [{ _target_: 'lib.things.make', _convert_: 'everything' }, '_convert_'],
    [{ _target_: 'lib.things.make', _args_: 3 }, '_args_'],
    [{ _target_: 'lib.things.make', _partial_: 'yes' }, '_partial_'],
    [{ _target_: 'bait.callbacks.EarlyStopping', _args_: ['acc'] }, '_args_'],
  ] as const) {
    await assert.rejects(build(cfg as never), (e: unknown) => e instanceof UserError && e.key === key, JSON.stringify(cfg));
  }
});
