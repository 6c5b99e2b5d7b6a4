// Set-up for the tiers that meet real Python tools (hydra-core, lightning, wandb, tensorboard): a venv in the
// git-ignored .cache/venv made on Debian's /usr/bin/python3 with --system-site-packages, so Debian's
// python3-torch (1.13, CPU, small) serves torch instead of PyPI's multi-GB CUDA wheel. Pins are versions that
// support torch 1.13 and were installed on these machines. Idempotent: a stamp file records the pin list, and
// when it matches nothing runs; a new pin installs over the venv. Tests find the interpreter through test/infra/python.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '../..');
const venv = join(root, '.cache/venv');
const stamp = join(venv, '.bait-pins');
export const PINS = [
  'hydra-core==1.3.2',
  'omegaconf==2.3.0',
  'wandb==0.19.11',
  'tensorboard==2.18.0',
  'lightning-utilities==0.11.9',
  'fsspec==2024.12.0',
  'tqdm==4.67.1',
];
// Debian's torch calls itself 1.13.0a0, a pre-release that pip's resolver will not count as >=1.13, so pip would
// pull PyPI's torch (5 GB with CUDA) for lightning. These go in with --no-deps; their deps are in PINS above.
const NO_DEPS = ['lightning==2.1.4', 'torchmetrics==1.4.3'];
const APT = { '/usr/bin/python3': 'python3', '/usr/lib/python3/dist-packages/torch/__init__.py': 'python3-torch' };

const DEBIAN_TORCH_HOOK = `import importlib.machinery, sys


class _DebianTorchVersion:
    def find_spec(self, name, path=None, target=None):
        if name != 'torch':
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            if str(module.__version__).startswith('1.13.0a0'):
                from torch.torch_version import TorchVersion
                module.__version__ = module.version.__version__ = TorchVersion('1.13.1')
                # torch 1.13 predates Python 3.11: its torch.distributed._shard fails to import there (a dataclass
                # with a mutable default), and Lightning imports it whenever distributed is available. The tests
                # train in one process, so distributed is reported unavailable.
                module.distributed.is_available = lambda: False

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _DebianTorchVersion())
`;

const pinText = [...PINS, ...NO_DEPS, DEBIAN_TORCH_HOOK].join('\n');
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === pinText) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const sh = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', env, ...opts });

const missing = [...new Set(Object.entries(APT).filter(([f]) => !existsSync(f)).map(([, p]) => p))];
// `python3 -m venv` needs ensurepip, which Debian ships in python3.11-venv.
if (spawnSync('/usr/bin/python3', ['-c', 'import ensurepip']).status !== 0) missing.push('python3-venv');
if (missing.length) {
  if (!isRoot) {
    console.warn(`[setup python] not root: cannot install ${missing.join(', ')}; Python tiers will skip.`);
    process.exit(0);
  }
  console.log(`[setup python] installing ${missing.join(', ')} (Debian packages) ...`);
  const apt = (args) => sh('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args]);
  let r = apt(['install', '-y', '--no-install-recommends', ...missing]);
  if (r.status !== 0) { apt(['update']); r = apt(['install', '-y', '--no-install-recommends', ...missing]); }
  if (r.status !== 0) { console.warn('[setup python] apt-get install failed; Python tiers will skip (fail under CI=true).'); process.exit(0); }
}

console.log(`[setup python] making .cache/venv with ${[...PINS, ...NO_DEPS].join(', ')} (a minute or two) ...`);
// Additive: a changed pin list installs over the existing venv (other tiers may be using it right now).
let r = existsSync(join(venv, 'bin/python')) ? { status: 0 } : sh('/usr/bin/python3', ['-m', 'venv', '--system-site-packages', venv]);
const pip = join(venv, 'bin/pip');
const pipArgs = ['install', '--disable-pip-version-check', '--no-input', '-q'];
if (r.status === 0) r = sh(pip, [...pipArgs, ...PINS]);
if (r.status === 0) r = sh(pip, [...pipArgs, '--no-deps', ...NO_DEPS]);
// Debian builds torch without version metadata, so it reports 1.13.0a0 although it is 1.13.1, and Lightning's
// `torch >= 1.13` checks then take pre-1.13 code paths that fail on import. A .pth hook in this venv only (never in
// the product) gives the imported module the version Debian packaged, and turns off torch.distributed, whose
// sharded-tensor module does not import on Python 3.11.
if (r.status === 0) {
  const site = spawnSync(join(venv, 'bin/python'), ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).stdout.trim();
  writeFileSync(join(site, '_bait_debian_torch.py'), DEBIAN_TORCH_HOOK);
  writeFileSync(join(site, '_bait_debian_torch.pth'), 'import _bait_debian_torch\n');
}
// The import check catches a resolver surprise (a second torch) before any tier depends on it.
if (r.status === 0) {
  r = sh(join(venv, 'bin/python'), ['-c',
    "import torch, lightning, hydra, wandb, tensorboard, torchmetrics; assert torch.__file__.startswith('/usr/lib/'), torch.__file__"]);
}
if (r.status !== 0) {
  console.warn('[setup python] pip install failed; Python tiers will skip (fail under CI=true).');
  process.exit(0);
}
writeFileSync(stamp, pinText);
