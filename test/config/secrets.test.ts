// The masking of values read through oc.env (runner/config/secrets.ts), which the runner and the language server
// share: what counts as a secret, what is kept exact, and the round trip of a masked launcher on sweep resume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compose, MemorySource } from '../../runner/config/index.js';
import { resolveTree } from '../../runner/config/interpolation/resolve.js';
import { toPlain } from '../../runner/config/nodes.js';
import { EnvSecrets, maskedEnv, unmaskEnv, watchedEnv } from '../../runner/config/secrets.js';

const ENV = { TOKEN: 'tok_abc123', TOKEN_LONG: 'tok_abc123_xyz', HOME: '/home/ana', FLAG: '1', BAIT_NOW: '2026-12-05T00:00:00Z', BAIT_KEY: 'user-secret', UNREAD: 'never-read' };

function resolveWith(yaml: string, env: Record<string, string | undefined>) {
  const c = compose({ source: new MemorySource({ 'c.yaml': yaml }), configName: 'c' });
  const r = resolveTree(c.config!, { env, now: new Date(0) });
  const { hydra: _, ...job } = toPlain(r.node!) as Record<string, unknown>;
  return job;
}

test('what the config reads through oc.env is a secret; what it does not read, short values and the runner\'s own variables are not', () => {
  const secrets = new EnvSecrets();
  resolveWith('a: ${oc.env:TOKEN}\nb: ${oc.env:TOKEN_LONG}\nc: ${oc.env:FLAG}\nd: ${oc.env:BAIT_NOW}\ne: ${oc.env:BAIT_KEY}\n', watchedEnv(ENV, secrets));
  assert.equal(secrets.mask('tok_abc123_xyz and tok_abc123, flag 1, never-read, 2026-12-05T00:00:00Z, user-secret'),
    '<env:TOKEN_LONG> and <env:TOKEN>, flag 1, never-read, 2026-12-05T00:00:00Z, <env:BAIT_KEY>');
  assert.deepEqual(secrets.maskValue({ 'tok_abc123': ['x tok_abc123'], n: 3, ok: null }), { '<env:TOKEN>': ['x <env:TOKEN>'], n: 3, ok: null });
});

test('a value that is part of a path the run must record stays exact', () => {
  const secrets = new EnvSecrets();
  resolveWith('dir: ${oc.env:HOME}/runs\nt: ${oc.env:TOKEN}\n', watchedEnv(ENV, secrets));
  secrets.allowWithin('/home/ana/runs/2026');
  assert.equal(secrets.mask('/home/ana/runs/2026 tok_abc123'), '/home/ana/runs/2026 <env:TOKEN>');
});

test('a config resolved with the masked environment shows <env:NAME>; unset variables keep their defaults; unmaskEnv reads them back', () => {
  const shown = resolveWith('t: ${oc.env:TOKEN}\nh: "Bearer ${oc.env:TOKEN}"\nd: ${oc.env:NOT_SET_ANYWHERE,dflt}\n', maskedEnv(ENV));
  assert.deepEqual(shown, { t: '<env:TOKEN>', h: 'Bearer <env:TOKEN>', d: 'dflt' });
  assert.deepEqual(unmaskEnv(shown, ENV), { t: 'tok_abc123', h: 'Bearer tok_abc123', d: 'dflt' });
  assert.deepEqual(unmaskEnv({ x: '<env:GONE>' }, ENV), { x: '<env:GONE>' }, 'an unset variable stays masked');
});
