// Host aliases from an OpenSSH client config (~/.ssh/config), offered as run hosts so users' aliases, jump hosts
// and keys work through the system ssh.

/** Every name of every `Host` line that is a plain alias (patterns with *, ? or ! are not hosts one can pick). */
export function sshConfigHosts(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*Host\s+(.+)$/i.exec(line.replace(/#.*$/, ''));
    if (!m) continue;
    for (const h of m[1].trim().split(/\s+/)) if (h && !/[*?!]/.test(h) && !out.includes(h)) out.push(h);
  }
  return out;
}
