// Python `_target_`s resolved against the workspace's sources (tree-sitter, never running Python): module
// layouts, re-exports, signatures of classes, dataclasses and inherited `__init__`s, and the diagnostics,
// completions, hovers and definitions built on them. Inline trees for the resolution rules; the on-disk
// research-style repository (fixtures/pyrepo) for the features as a user meets them.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TARGET_DOCS as TARGETS } from '../../runner/instantiate/targets.js';
import { MemoryFileSystem, nodeFileSystem } from '../../language-server/service/file-system.js';
import { LanguageService } from '../../language-server/service/service.js';
import { parseFixture, textAt } from './fixture.js';
import { DIAGNOSTIC_CODES, parseSeverities } from '../../language-server/service/diagnostic-settings.js';
import { readFileSync } from 'node:fs';

import { PYREPO } from './python-fixture.js';

async function memoryService(source: string, extra: Partial<ConstructorParameters<typeof LanguageService>[0]> = {}) {
  const f = parseFixture(source);
  const s = new LanguageService({ fs: new MemoryFileSystem(f.files), configDirs: ['/ws/configs'], workspaceFolders: ['/ws'], targets: TARGETS, ...extra });
  s.onInternalError = (what, error) => {
    throw new Error(`internal error in ${what}: ${error instanceof Error ? error.stack : String(error)}`);
  };
  await s.python!.index.crawl();
  return { f, s };
}

/** `code@start-end` of every diagnostic, against the fixture's `^^^ code` marks. */
function codes(s: LanguageService, path: string) {
  return s.diagnostics(path).map((d) => `${d.code}@${d.range[0]}-${d.range[1]}`).sort();
}
function marked(f: ReturnType<typeof parseFixture>, path: string) {
  return f.marks.filter((m) => m.path === path).map((m) => `${m.label}@${m.range[0]}-${m.range[1]}`).sort();
}

describe('resolving dotted paths like Hydra\'s _locate', () => {
  const TREE = `
    //- /ws/src/lab/__init__.py
    from .models import ResNet as Net
    from .registry import *
    Alias = Net
    //- /ws/src/lab/models/__init__.py
    from .resnet import ResNet
    from . import heads
    //- /ws/src/lab/models/resnet.py
    import torch.nn as nn
    class Base:
        def __init__(self, num_classes: int, dropout=0.1):
            pass
    class ResNet(Base):
        @classmethod
        def from_depth(cls, depth: int, **kw):
            pass
    class Wrapped(nn.Module):
        pass
    //- /ws/src/lab/models/heads.py
    def head(size, /, scale=1.0, *, bias=True):
        pass
    //- /ws/src/lab/registry.py
    __all__ = ["Public"]
    class Public:
        pass
    class NotExported:
        pass
    //- /ws/configs/config.yaml
    a:
      _target_: lab.Net
      num_classes: 3
    b:
      _target_: lab.Alias
    #           ^^^^^^^^^ missing-target-param
      num_clases: 3
    # ^^^^^^^^^^ unknown-target-param
    c:
      _target_: lab.models.resnet.ResNet.from_depth
      depth: 3
      anything: 1
    d:
      _target_: lab.Public
    e:
      _target_: lab.NotExported
    #           ^^^^^^^^^^^^^^^ unknown-target
    f:
      _target_: lab.models.heads.head
      _args_: [3]
      bias: false
    g:
      _target_: lab.models.heads.head
    #           ^^^^^^^^^^^^^^^^^^^^^ missing-target-param
    h:
      _target_: lab.models.resnet.Wrapped
      whatever: 1
    i:
      _target_: torch.optim.Adam
      lr: 1
    j:
      _target_: lab.models
    #           ^^^^^^^^^^ target-not-callable
    k:
      _target_: lab.models.nothing.Here
    #           ^^^^^^^^^^^^^^^^^^^^^^^ unknown-target
    l:
      _target_: bait.models.NoSuch
    #           ^^^^^^^^^^^^^^^^^^ unknown-target
  `;

  test('re-exports, aliases, star imports with __all__, classmethods, positional-only and third-party bases', async () => {
    const { f, s } = await memoryService(TREE);
    assert.deepEqual(codes(s, '/ws/configs/config.yaml'), marked(f, '/ws/configs/config.yaml'));
  });

  test('the wrong segment of a missing name is offered a quick fix from the module\'s names', async () => {
    const { s } = await memoryService(TREE);
    const d = s.diagnostics('/ws/configs/config.yaml').find((x) => x.code === 'unknown-target' && x.message.includes('NotExported'))!;
    assert.ok(d.data?.options?.includes('Public'), JSON.stringify(d.data));
    const fixes = s.codeActions('/ws/configs/config.yaml', [d]);
    assert.ok(fixes.some((a) => a.edits[0]!.newText === 'Public'));
    const text = s.text('/ws/configs/config.yaml')!;
    assert.equal(text.slice(fixes[0]!.edits[0]!.range[0], fixes[0]!.edits[0]!.range[1]), 'NotExported');
  });

  test('a misspelt parameter gets a quick fix to the closest accepted name', async () => {
    const { s } = await memoryService(TREE);
    const d = s.diagnostics('/ws/configs/config.yaml').find((x) => x.code === 'unknown-target-param')!;
    const fixes = s.codeActions('/ws/configs/config.yaml', [d]);
    assert.equal(fixes[0]!.title, "Change to 'num_classes'");
    assert.equal(fixes[0]!.isPreferred, true);
  });
});

describe('signatures', () => {
  test('dataclass and attrs fields, inherited __init__, decorators that hide the signature', async () => {
    const { f, s } = await memoryService(`
      //- /ws/models/cfg.py
      from dataclasses import dataclass, field, KW_ONLY
      from typing import ClassVar
      import attr
      import functools
      @dataclass
      class Base:
          size: int
          registry: ClassVar[dict] = {}
          cache: dict = field(default_factory=dict, init=False)
      @dataclass
      class Child(Base):
          rate: float = 0.1
          _: KW_ONLY
          name: str = "x"
      class Plain(Child):
          """No __init__ of its own: Child's generated one."""
      @attr.s
      class Attrs:
          _private = attr.ib(default=1)
      def deco(fn):
          return fn
      @deco
      def hidden(a):
          pass
      @functools.lru_cache
      def cached(a):
          pass
      //- /ws/configs/config.yaml
      a:
        _target_: models.cfg.Plain
        size: 1
        rate: 0.5
        name: y
        cache: {}
      # ^^^^^ unknown-target-param
      b:
        _target_: models.cfg.Attrs
        private: 2
      c:
        _target_: models.cfg.hidden
        not_checked: 1
      d:
        _target_: models.cfg.cached
      #           ^^^^^^^^^^^^^^^^^ missing-target-param
      e:
        _target_: models.cfg.Child
      #           ^^^^^^^^^^^^^^^^ missing-target-param
        _partial_: false
      f:
        _target_: models.cfg.Child
        _partial_: true
    `);
    assert.deepEqual(codes(s, '/ws/configs/config.yaml'), marked(f, '/ws/configs/config.yaml'));
    const sig = s.python!.signature('models.cfg.Plain')!;
    assert.deepEqual(sig.params.map((p) => `${p.kind}:${p.name}`), ['positional:size', 'positional:rate', 'keyword-only:name']);
  });

  test('a required parameter the app passes to instantiate in code is not the config\'s to set', async () => {
    const tree = (call: string) => `
      //- /ws/train.py
      from hydra.utils import instantiate
      def main(cfg):
          net = object()
          ${call}
      //- /ws/lab/model.py
      class Model:
          def __init__(self, net, lr: float = 0.1): pass
      //- /ws/configs/config.yaml
      model:
        _target_: lab.model.Model
        lr: 0.2
    `;
    const flagged = async (call: string) => (await memoryService(tree(call))).s.diagnostics('/ws/configs/config.yaml').map((d) => d.code);
    assert.deepEqual(await flagged('model = instantiate(cfg.model)'), ['missing-target-param']);
    assert.deepEqual(await flagged('model = instantiate(cfg.model, net=net)'), []);
    assert.deepEqual(await flagged('model = instantiate(cfg.model, net)'), []);
    // Before the crawl has read the workspace, what code passes is unknown: nothing is claimed.
    const f = parseFixture(tree('model = instantiate(cfg.model)'));
    const early = new LanguageService({ fs: new MemoryFileSystem(f.files), configDirs: ['/ws/configs'], workspaceFolders: ['/ws'] });
    await early.python!.index.ready();
    assert.deepEqual(early.diagnostics('/ws/configs/config.yaml'), []);
  });

  test('a file with syntax errors still gives the definitions around the error', async () => {
    const { s } = await memoryService(`
      //- /ws/pkg/broken.py
      class Before:
          def __init__(self, a: int = 1): pass
      def unfinished(x:
          pass
      class After:
          def __init__(self, size: int = 3): pass
      //- /ws/configs/config.yaml
      x: 1
    `);
    assert.equal(s.python!.lookup('pkg.broken.Before').kind, 'found');
    assert.equal(s.python!.lookup('pkg.broken.After').kind, 'found');
    assert.deepEqual(s.python!.signature('pkg.broken.After')?.params.map((p) => p.name), ['size']);
  });

  test('a module too large to parse is read by lines: names resolve, nothing about parameters is claimed', async () => {
    const big = 'X = 1\n'.repeat(200_000) + 'class Huge:\n    def __init__(self, a): pass\n';
    const s = new LanguageService({ fs: new MemoryFileSystem({ '/ws/gen/big.py': big, '/ws/configs/c.yaml': 'm:\n  _target_: gen.big.Huge\n  z: 1\n' }), configDirs: ['/ws/configs'], workspaceFolders: ['/ws'] });
    await s.python!.index.ready();
    assert.equal(s.python!.lookup('gen.big.Huge').kind, 'found');
    assert.equal(s.python!.signature('gen.big.Huge'), undefined);
    assert.equal(s.python!.lookup('gen.big.Nope').kind, 'unknown');
    assert.deepEqual(s.diagnostics('/ws/configs/c.yaml'), []);
  });
});

describe('bait.pythonPath: installed packages are checked only when their sources are found', () => {
  const VENV = `
    //- /venv/pyvenv.cfg
    home = /usr/bin
    include-system-site-packages = false
    //- /venv/bin/python
    //- /venv/lib/python3.11/site-packages/lightning/__init__.py
    from .trainer import Trainer
    //- /venv/lib/python3.11/site-packages/lightning/trainer.py
    class Trainer:
        def __init__(self, max_epochs: int = 1, **kwargs): pass
    //- /ws/configs/config.yaml
    t:
      _target_: lightning.Trainer
      max_epochs: 3
      anything: 1
    u:
      _target_: lightning.Trainr
    #           ^^^^^^^^^^^^^^^^ unknown-target
    v:
      _target_: torch.optim.Adam
  `;
  test('with the interpreter given', async () => {
    const { f, s } = await memoryService(VENV, { pythonPath: '/venv/bin/python' });
    assert.deepEqual(codes(s, '/ws/configs/config.yaml'), marked(f, '/ws/configs/config.yaml'));
    const def = s.definition('/ws/configs/config.yaml', s.text('/ws/configs/config.yaml')!.indexOf('Trainer'));
    assert.equal(def[0]?.path, '/venv/lib/python3.11/site-packages/lightning/trainer.py');
  });
  test('without it, third-party targets are not warned about', async () => {
    const { s } = await memoryService(VENV);
    assert.deepEqual(codes(s, '/ws/configs/config.yaml'), []);
  });
});

describe('the research-style fixture repository on disk', () => {
  const service = async () => {
    const s = new LanguageService({ fs: nodeFileSystem, workspaceFolders: [PYREPO], targets: TARGETS });
    s.onInternalError = (what, error) => {
      throw new Error(`internal error in ${what}: ${error instanceof Error ? error.stack : String(error)}`);
    };
    await s.python!.index.crawl();
    return s;
  };
  const cfg = (p: string) => join(PYREPO, 'configs', p);
  const at = (s: LanguageService, p: string, needle: string, delta = 0) => s.text(cfg(p))!.indexOf(needle) + delta;

  test('train.yaml composes with no diagnostics; mistakes.yaml has exactly the four that Hydra would hit', async () => {
    const s = await service();
    for (const f of s.allFiles().filter((p) => !p.endsWith('mistakes.yaml'))) assert.deepEqual(s.diagnostics(f), [], f);
    const d = s.diagnostics(cfg('mistakes.yaml'));
    const text = s.text(cfg('mistakes.yaml'))!;
    assert.deepEqual(d.map((x) => [x.code, text.slice(x.range[0], x.range[1])]), [
      ['unknown-target-param', 'depht'],
      ['missing-target-param', 'lab.models.heads.LinearHead'],
      ['unknown-target', 'lab.models.resnet.ResNot'],
      ['missing-target-param', 'lab.callbacks.EarlyStop'],
    ]);
    assert.match(d[1]!.message, /`out_features`/);
    assert.match(d[3]!.message, /`monitor`/);
  });

  test('definition: a _target_ value opens the class; a parameter key opens its __init__ argument', async () => {
    const s = await service();
    const [cls] = s.definition(cfg('model/resnet.yaml'), at(s, 'model/resnet.yaml', 'ResNet'));
    assert.equal(cls!.path, join(PYREPO, 'src/lab/models/resnet.py'));
    assert.equal(textAt({ files: { [cls!.path]: s.text(cls!.path)! }, marks: [] }, cls!), 'ResNet');
    const [param] = s.definition(cfg('model/resnet.yaml'), at(s, 'model/resnet.yaml', 'depth', 2));
    assert.equal(param!.path, join(PYREPO, 'src/lab/models/resnet.py'));
    assert.equal(s.text(param!.path)!.slice(param!.range[0], param!.range[1]), 'depth');
    // An inherited __init__: WideResNet's `width` is ResNet's parameter.
    const [wide] = s.definition(cfg('model/wide.yaml'), at(s, 'model/wide.yaml', 'width', 1));
    assert.equal(wide!.path, join(PYREPO, 'src/lab/models/resnet.py'));
    // A BAIT-style deep path in a package at the repository root.
    const [deep] = s.definition(cfg('encoder/formula_net.yaml'), at(s, 'encoder/formula_net.yaml', 'FormulaNetEdges'));
    assert.equal(deep!.path, join(PYREPO, 'models/embedding_models/gnn/formula_net.py'));
  });

  test('completion: _target_ paths level by level, and a target\'s parameters with default, annotation and docstring line', async () => {
    const s = await service();
    const file = cfg('model/mlp.yaml');
    s.open(file, '_target_: lab.models.\n', 1);
    const paths = s.completions(file, '_target_: lab.models.'.length).map((i) => i.label);
    for (const p of ['lab.models.ResNet', 'lab.models.MLP', 'lab.models.resnet', 'lab.models.base']) assert.ok(paths.includes(p), `${p} in ${paths}`);
    s.change(file, '_target_: lab.models.resnet.ResNet\n\n', 2);
    const items = s.completions(file, '_target_: lab.models.resnet.ResNet\n'.length);
    const depth = items.find((i) => i.label === 'depth')!;
    assert.equal(depth.detail, 'int = 18');
    assert.match(depth.documentation!, /Number of layers: 18, 34 or 50\./);
    const dropout = items.find((i) => i.label === 'dropout')!;
    assert.match(dropout.documentation!, /Parameter of `lab\.models\.resnet\.ResNet`/);
    s.change(file, '_target_: lab.models.base.BaseModel\n\n', 3);
    const base = s.completions(file, '_target_: lab.models.base.BaseModel\n'.length);
    assert.match(base.find((i) => i.label === 'num_classes')!.documentation!, /Number of output classes\./);
    assert.equal(base.find((i) => i.label === 'num_classes')!.detail, 'int');
  });

  test('hover: signature, where it is defined, docstring', async () => {
    const s = await service();
    const h = s.hover(cfg('model/mlp.yaml'), at(s, 'model/mlp.yaml', 'MLP'))!;
    assert.match(h.contents, /class lab\.models\.mlp\.MLP\(in_features: int, hidden: List\[int\] = list\(\), activation: str = "relu"\)/);
    assert.match(h.contents, /An MLP whose sizes come from MLPConfig's fields\./);
  });

  test('version_base comes from the entry point that composes the config dir', async () => {
    const s = await service();
    await s.python!.index.crawl();
    assert.deepEqual(s.versionBases.get(join(PYREPO, 'configs')), { versionBase: '1.1', from: join(PYREPO, 'train.py') });
    assert.equal(s.workspace.projectOf(cfg('train.yaml'))!.repository.options.versionBase, '1.1');
  });
});

describe('version_base and diagnostic settings', () => {
  const TREE = (main: string) => `
    //- /ws/app/run.py
    import hydra
    ${main}
    def main(cfg): pass
    //- /ws/configs/config.yaml
    defaults:
      - db: a
    x: 1
    //- /ws/configs/db/a.yaml
    y: 1
  `;
  const vb = async (main: string, setting: '1.1' | null = null) => {
    const { s } = await memoryService(TREE(main), { versionBase: setting });
    await s.python!.index.crawl();
    return s.versionBases.get('/ws/configs');
  };

  test('Hydra\'s rules: absent is 1.1, None is the installed Hydra\'s (1.3), strings by number; a dir it does not compose keeps the setting', async () => {
    assert.equal((await vb('@hydra.main(config_path="../configs", config_name="config")'))?.versionBase, '1.1');
    assert.equal((await vb('@hydra.main(version_base=None, config_path="../configs")'))?.versionBase, null);
    assert.equal((await vb('@hydra.main(version_base="1.1", config_path="../configs")'))?.versionBase, '1.1');
    assert.equal((await vb('@hydra.main(version_base="1.2", config_path="../configs")', '1.1'))?.versionBase, null);
    assert.deepEqual(await vb('@hydra.main(version_base="1.3", config_path="other")', '1.1'), { versionBase: '1.1', from: 'setting' });
    assert.equal((await vb('with initialize(version_base="1.1", config_path="../configs"):\n        pass'))?.versionBase, '1.1');
  });

  test('bait.diagnostics.<code> changes a severity or hides the diagnostic', async () => {
    const { s } = await memoryService(TREE('x = 1'));
    assert.deepEqual(s.diagnostics('/ws/configs/config.yaml').map((d) => [d.code, d.severity]), [['missing-self', 'warning']]);
    s.severities = new Map([['missing-self', 'hint']]);
    assert.deepEqual(s.diagnostics('/ws/configs/config.yaml').map((d) => [d.code, d.severity]), [['missing-self', 'hint']]);
    s.severities = new Map([['missing-self', 'off']]);
    assert.deepEqual(s.diagnostics('/ws/configs/config.yaml'), []);
  });

  test('the documented codes are the ones package.json contributes, each with the five values', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
    const props = pkg.contributes.configuration.properties as Record<string, { enum?: string[] }>;
    const contributed = Object.keys(props).filter((k) => k.startsWith('bait.diagnostics.')).map((k) => k.slice('bait.diagnostics.'.length));
    assert.deepEqual(contributed.sort(), [...DIAGNOSTIC_CODES].sort());
    for (const c of contributed) assert.deepEqual(props[`bait.diagnostics.${c}`]!.enum, ['off', 'hint', 'information', 'warning', 'error']);
    assert.deepEqual([...parseSeverities({ 'unknown-target': 'error', bad: 'loud', n: 3 })], [['unknown-target', 'error']]);
  });
});

describe('robustness', () => {
  test('a symlink loop ends the crawl; every real file is indexed once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bait-py-loop-'));
    mkdirSync(join(dir, 'pkg/sub'), { recursive: true });
    writeFileSync(join(dir, 'pkg/__init__.py'), '');
    writeFileSync(join(dir, 'pkg/sub/mod.py'), 'class A:\n    pass\n');
    symlinkSync(join(dir, 'pkg'), join(dir, 'pkg/sub/back'));
    symlinkSync(dir, join(dir, 'pkg/root'));
    const s = new LanguageService({ fs: nodeFileSystem, workspaceFolders: [dir] });
    await s.python!.index.crawl();
    assert.deepEqual([...s.python!.index.files].map((f) => f.slice(dir.length)).sort(), ['/pkg/__init__.py', '/pkg/sub/mod.py']);
    assert.equal(s.python!.lookup('pkg.sub.mod.A').kind, 'found');
  });

  test('completion before the first dot: classes and functions by name, case-insensitive, following .py edits', async () => {
    const files: Record<string, string> = { '/ws/configs/c.yaml': '_target_: x\n' };
    for (let i = 0; i < 300; i++) files[`/ws/pkg${i % 3}/mod${i}.py`] = `class Encoder${i}:\n    pass\n\ndef encode${i}(x): pass\n\nclass _Hidden${i}: pass\n`;
    files['/ws/pkg1/__init__.py'] = '';
    const fs = new MemoryFileSystem(files);
    const s = new LanguageService({ fs, configDirs: ['/ws/configs'], workspaceFolders: ['/ws'] });
    assert.deepEqual(s.python!.complete('Enc'), [], 'nothing by name before the crawl has read every file');
    await s.python!.index.crawl();
    const byName = (prefix: string) => s.python!.complete(prefix).filter((i) => i.kind !== 'module').map((i) => i.label);
    const labels = (name: string, ns: number[]) => ns.map((n) => `pkg${n % 3}.mod${n}.${name}${n}`);
    const tens = (n: number) => [n, ...Array.from({ length: 10 }, (_, i) => n * 10 + i)];
    assert.deepEqual(byName('encoder29'), labels('Encoder', tens(29)));
    assert.deepEqual(byName('ENCODE7'), labels('encode', tens(7)));
    assert.deepEqual(byName('_hidden'), [], 'private names are not offered');
    assert.equal(byName('e').length, 200, 'at most 200 by name');
    // A file renames its class: the old name leaves the index, the new one is found.
    fs.files.set('/ws/pkg0/mod3.py', 'class Decoder3:\n    pass\n');
    s.diskChanged('/ws/pkg0/mod3.py', 'changed');
    assert.deepEqual(byName('encoder3'), labels('Encoder', tens(3).slice(1)));
    assert.deepEqual(byName('decoder'), ['pkg0.mod3.Decoder3']);
    fs.files.delete('/ws/pkg0/mod3.py');
    s.diskChanged('/ws/pkg0/mod3.py', 'deleted');
    assert.deepEqual(byName('decoder'), []);
    fs.files.set('/ws/pkg0/new.py', 'def decode(x): pass\n');
    s.diskChanged('/ws/pkg0/new.py', 'created');
    assert.deepEqual(byName('dec'), ['pkg0.new.decode']);
  });

  test('answers come before the crawl ends', async () => {
    const files: Record<string, string> = { '/ws/configs/c.yaml': 'm:\n  _target_: pkg0.mod0.C0\n' };
    for (let i = 0; i < 400; i++) files[`/ws/pkg${i % 20}/mod${i}.py`] = `class C${i}:\n    def __init__(self, a${i}: int = 1): pass\n`;
    const s = new LanguageService({ fs: new MemoryFileSystem(files), configDirs: ['/ws/configs'], workspaceFolders: ['/ws'] });
    await s.python!.index.ready();
    const crawl = s.python!.index.crawl();
    assert.equal(s.python!.index.crawled, false);
    assert.deepEqual(s.python!.signature('pkg0.mod0.C0')?.params.map((p) => p.name), ['a0']);
    await crawl;
    assert.equal(s.python!.index.files.size, 400);
  });
});
