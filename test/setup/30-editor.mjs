// Set-up for the editor tier (test/e2e, test/webview, bench/webview.ts): Debian chromium for Playwright, and
// code-server 4.100.3 (VS Code 1.100.3 on Node 20) in the git-ignored folder .cache/code-server. It is a quick
// no-op when everything is already there. The install needs four work-arounds, each for a failure measured on
// these machines (see the team note editor-e2e.md): root postinstalls, kerberos compiled from source, ripgrep's
// download replaced by Debian's rg, and node-pty's `npx node-gyp` prompt.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '../..');
const CODE_SERVER_VERSION = '4.100.3';
// These two names come from lib/vscode/node_modules/@vscode/ripgrep of code-server 4.100.3; re-read them there
// when the code-server version changes.
const RIPGREP_CACHE = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

const csDir = join(root, '.cache/code-server');
const csPkg = join(csDir, 'node_modules/code-server/package.json');

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

function has(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

function debInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function codeServerReady() {
  if (!existsSync(csPkg)) return false;
  try {
    return JSON.parse(readFileSync(csPkg, 'utf8')).version === CODE_SERVER_VERSION
      && existsSync(join(csDir, 'node_modules/code-server/out/node/entry.js'));
  } catch {
    return false;
  }
}

try {
  const debs = ['chromium', 'libkrb5-dev', 'ripgrep'];
  const missing = debs.filter((p) => !debInstalled(p));
  if (missing.length) {
    console.log(`[setup editor] installing Debian packages: ${missing.join(' ')}`);
    sh('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update']);
    sh('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '--no-install-recommends', ...missing],
      { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  if (!codeServerReady()) {
    console.log(`[setup editor] installing code-server ${CODE_SERVER_VERSION} into .cache/code-server (about a minute)`);
    mkdirSync(csDir, { recursive: true });
    const pkgJson = join(csDir, 'package.json');
    // Its own package.json keeps npm from walking up to the project's manifest.
    if (!existsSync(pkgJson)) writeFileSync(pkgJson, JSON.stringify({ name: 'bait-editor-tier', private: true }, null, 2));
    const tmp = join(root, '.cache/tmp');
    mkdirSync(join(tmp, RIPGREP_CACHE), { recursive: true });
    sh('tar', ['czf', join(tmp, RIPGREP_CACHE, RIPGREP_ASSET), '-C', '/usr/bin', 'rg']);
    sh('npm', ['install', '--no-audit', '--no-fund', '--save-exact', `code-server@${CODE_SERVER_VERSION}`], {
      cwd: csDir,
      env: { ...process.env, TMPDIR: tmp, npm_config_unsafe_perm: 'true', npm_config_yes: 'true' },
    });
    if (!codeServerReady()) throw new Error('code-server is still missing after npm install');
  }
} catch (e) {
  // A missing editor must not stop the other tiers: the editor tests themselves fail under CI=true and skip loudly
  // elsewhere when code-server or chromium is absent.
  console.error(`[setup editor] could not install the editor tier: ${e instanceof Error ? e.message : e}`);
}
