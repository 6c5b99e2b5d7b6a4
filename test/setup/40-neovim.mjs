// Set-up for the LSP tier's second real client (test/lsp/neovim.test.ts): Debian's `neovim` (0.7 on Debian 12),
// driven headless. It is a quick no-op when nvim is already installed.
import { spawnSync } from 'node:child_process';

function has(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

if (!has('nvim')) {
  console.log('[setup neovim] installing Debian package neovim');
  // A failed install is not fatal here: the Neovim test itself fails under CI=true and skips loudly elsewhere.
  const ok = sh('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update'])
    && sh('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '--no-install-recommends', 'neovim']);
  if (!ok) console.error('[setup neovim] could not install neovim; the Neovim client test will skip (or fail under CI=true)');
}
