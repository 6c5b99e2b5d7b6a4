// The Python `_target_` diagnostics judged by real Hydra 1.3.2: every `_target_` node of the fixture
// repository's primary configs is instantiated by `hydra.utils.instantiate` in the venv (the repository's
// `src/` and root on PYTHONPATH, as an installed package and the script's folder would be), and a node gets a
// diagnostic from the server exactly when Hydra fails on it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ConfigNode } from '../../runner/config/nodes.js';
import { TARGET_DOCS as TARGETS } from '../../runner/instantiate/targets.js';
import { nodeFileSystem } from '../../language-server/service/file-system.js';
import { LanguageService } from '../../language-server/service/service.js';
import { python, venvPython } from '../infra/python.js';
import { PYREPO } from './python-fixture.js';

const INSTANTIATE_ALL = `
import json, os, sys
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate
from omegaconf import DictConfig, ListConfig
out = {}
with initialize_config_dir(config_dir=sys.argv[1], version_base=None):
    for name in sys.argv[2:]:
        cfg = compose(name)
        def walk(node, path):
            if isinstance(node, DictConfig):
                if "_target_" in node:
                    try:
                        instantiate(node, _recursive_=False)
                        out[name + ":" + path] = "ok"
                    except Exception as e:
                        out[name + ":" + path] = type(e).__name__
                for k in node:
                    walk(node[k], path + "." + k if path else k)
            elif isinstance(node, ListConfig):
                for i, v in enumerate(node):
                    walk(v, path + "." + str(i))
        walk(cfg, "")
print(json.dumps(out))
`;

const CONFIGS = ['train', 'mistakes'];

test('a _target_ node is flagged exactly when real Hydra fails to instantiate it', { skip: venvPython('python target tier') === null, timeout: 300_000 }, async () => {
  const configDir = join(PYREPO, 'configs');
  const hydra = JSON.parse(python(INSTANTIATE_ALL, [configDir, ...CONFIGS], { PYTHONPATH: `${join(PYREPO, 'src')}:${PYREPO}` }, 240_000)) as Record<string, string>;
  assert.ok(Object.keys(hydra).length >= 10, JSON.stringify(hydra));

  const s = new LanguageService({ fs: nodeFileSystem, workspaceFolders: [PYREPO], targets: TARGETS });
  await s.python!.index.crawl();
  const project = s.workspace.projectOf(join(configDir, 'train.yaml'))!;
  const ours: Record<string, string> = {};
  for (const name of CONFIGS) {
    const config = project.composition(`${name}.yaml`).result.config!;
    const walk = (node: ConfigNode, path: string) => {
      if (node.kind === 'list') node.items.forEach((n, i) => walk(n, `${path}.${i}`));
      if (node.kind !== 'dict') return;
      if (node.entries.has('_target_')) {
        // The node's own ranges (its target's value and its keys), in the files that wrote them.
        const spans: { file: string; range: readonly [number, number] }[] = [];
        for (const e of node.entries.values()) {
          for (const o of [e.keyOrigin, e.node.origin]) {
            if (o?.kind === 'file') spans.push({ file: o.file, range: o.keyRange && o === e.keyOrigin ? o.keyRange : o.valueRange });
          }
        }
        const flagged = spans.some((sp) => s.diagnostics(project.absolute(sp.file))
          .some((d) => ['unknown-target', 'unknown-target-param', 'missing-target-param', 'target-not-callable'].includes(d.code)
            && d.range[0] < sp.range[1] && sp.range[0] < d.range[1]));
        ours[`${name}:${path}`] = flagged ? 'flagged' : 'ok';
      }
      for (const [k, e] of node.entries) if (!(path === '' && k === 'hydra')) walk(e.node, path ? `${path}.${k}` : k);
    };
    walk(config, '');
  }
  const verdict = (v: string) => (v === 'ok' ? 'ok' : 'fails');
  assert.deepEqual(
    Object.fromEntries(Object.entries(ours).map(([k, v]) => [k, v === 'ok' ? 'ok' : 'fails'])),
    Object.fromEntries(Object.entries(hydra).map(([k, v]) => [k, verdict(v)])),
  );
  // The repository exercises both sides.
  assert.ok(Object.values(hydra).filter((v) => v === 'ok').length >= 6);
  assert.ok(Object.values(hydra).filter((v) => v !== 'ok').length >= 4);
});
