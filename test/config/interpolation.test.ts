// Interpolation and resolvers against Hydra's own results, plus the behaviour OmegaConf defines case by case.
// Conformance: each compose case's expected YAML is loaded into a node tree, resolved, and printed; the text
// must equal what Hydra printed with `--resolve` (or the first error must be the one Hydra raised, at the
// same key).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toYaml } from '../../runner/config/emit.js';
import type { ErrorCode } from '../../runner/config/errors.js';
import { resolveTree, type ResolveContext } from '../../runner/config/interpolation/resolve.js';
import type { DictNode } from '../../runner/config/nodes.js';
import { composeCasesWithOutput, loadYamlTree } from './yaml-node-fixture.js';

const ERROR_CODES: Record<string, ErrorCode> = {
  InterpolationKeyError: 'interpolation-key',
  InterpolationToMissingValueError: 'interpolation-missing',
  InterpolationResolutionError: 'interpolation-resolver',
  GrammarParseError: 'interpolation-syntax',
};

function contextOf(c: { env?: Record<string, string | null>; fixed_now?: string }): ResolveContext {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(c.env ?? {})) env[k] = v ?? undefined;
  return { env, now: c.fixed_now ? new Date(c.fixed_now) : new Date(2024, 0, 2, 3, 4, 5) };
}

describe('resolveTree reproduces Hydra --resolve for every conformance case', () => {
  const cases = composeCasesWithOutput();
  test('the corpus is there', () => assert.ok(cases.length > 150));
  for (const c of cases) {
    test(c.name, () => {
      const tree = loadYamlTree(c.expected_yaml) as DictNode;
      const r = resolveTree(tree, contextOf(c));
      if (c.expected_resolve_error) {
        const want = ERROR_CODES[c.expected_resolve_error.type];
        assert.ok(want, `unknown error type ${c.expected_resolve_error.type}`);
        assert.ok(r.errors.length > 0, 'expected a resolution error');
        assert.equal(r.errors[0]!.code, want, r.errors[0]!.message);
        const fullKey = /full_key: (\S+)/.exec(c.expected_resolve_error.message)?.[1];
        assert.equal(r.errors[0]!.data?.key, fullKey);
      } else {
        assert.deepEqual(r.errors, []);
        assert.equal(toYaml(r.node!), c.expected_resolved_yaml);
      }
    });
  }
});
