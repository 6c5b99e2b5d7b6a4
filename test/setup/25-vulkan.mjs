// Set-up for the webgpu tier (issue 9): a software Vulkan driver, so the WebGPU backend runs for real on a
// machine without a GPU. Debian 12's own lavapipe (Mesa 22.3) is rejected by Dawn (it lacks the dynamic-indexing
// features Dawn requires); Mesa 25 from bookworm-backports works (notes/tfjs.md). The backports entry reuses the
// mirror the machine's own Debian source names. Idempotent: nothing runs when lavapipe's ICD from Mesa >= 25 is
// there. Tests pass BAIT_ALLOW_SOFTWARE_GPU=1, since the runner refuses software adapters otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ICD = '/usr/share/vulkan/icd.d/lvp_icd.json';
const LOADER = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1'];

function mesaVersion() {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'mesa-vulkan-drivers'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

const ready = existsSync(ICD) && LOADER.some(existsSync) && Number(mesaVersion().split('.')[0]) >= 25;
if (!ready) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.warn('[setup vulkan] not root: cannot install Mesa\'s lavapipe from bookworm-backports; webgpu tests will skip.');
    process.exit(0);
  }
  const sourcesDir = '/etc/apt/sources.list.d';
  const target = join(sourcesDir, 'bait-backports.sources');
  if (!existsSync(target)) {
    // The URI of the machine's own bookworm entry (deb822 .sources files, or the classic sources.list).
    let uri;
    for (const f of readdirSync(sourcesDir).filter((f) => f.endsWith('.sources'))) {
      for (const stanza of readFileSync(join(sourcesDir, f), 'utf8').split(/\n\s*\n/)) {
        const suites = /^Suites:\s*(.*)$/m.exec(stanza)?.[1]?.split(/\s+/) ?? [];
        const u = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
        if (u && suites.includes('bookworm') && !uri) uri = u;
      }
    }
    if (!uri && existsSync('/etc/apt/sources.list')) {
      uri = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(readFileSync('/etc/apt/sources.list', 'utf8'))?.[1];
    }
    if (!uri) {
      console.warn('[setup vulkan] no bookworm apt source found to derive a backports entry from; webgpu tests will skip (fail under CI=true).');
      process.exit(0);
    }
    writeFileSync(target, `Types: deb\nURIs: ${uri}\nSuites: bookworm-backports\nComponents: main\n` +
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n');
  }
  console.log('[setup vulkan] installing Mesa\'s lavapipe and the Vulkan loader from bookworm-backports ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], { stdio: 'inherit', env });
  apt(['update']);
  const r = apt(['install', '-y', '--no-install-recommends', '-t', 'bookworm-backports', 'mesa-vulkan-drivers', 'libvulkan1']);
  if (r.status !== 0) console.warn('[setup vulkan] apt-get install failed; webgpu tests will skip (fail under CI=true).');
}
