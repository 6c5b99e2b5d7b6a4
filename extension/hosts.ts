// Hosts a run can go to: `local`, the SSH hosts from the settings and the Host entries of ~/.ssh/config (so users'
// aliases, jump hosts and keys work through the system ssh). The current host is kept per workspace and shown in
// a status-bar item that switches it.
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { settings, type SshHostSetting } from './settings.js';
import { sshConfigHosts } from './ssh-config.js';

export interface Host {
  name: string;
  detail: string;
  ssh?: SshHostSetting;
}

export class HostRegistry implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly key = 'bait.currentHost';

  constructor(private readonly state: vscode.Memento) {
    this.item = vscode.window.createStatusBarItem('bait.host', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'BAIT host';
    this.item.command = 'bait.selectHost';
    this.refresh();
    this.item.show();
  }

  all(): Host[] {
    const hosts: Host[] = [{ name: 'local', detail: 'this machine' }];
    for (const h of settings.sshHosts()) {
      const name = h.name ?? h.host;
      hosts.push({ name, detail: `ssh ${h.user ? `${h.user}@` : ''}${h.host}${h.port ? `:${h.port}` : ''}` +
        (h.gpus !== undefined ? ` · gpus ${Array.isArray(h.gpus) ? h.gpus.join(',') : h.gpus}` : ''), ssh: h });
    }
    let sshConfig = '';
    try {
      sshConfig = readFileSync(join(homedir(), '.ssh', 'config'), 'utf8');
    } catch { /* no ssh config: only the settings' hosts */ }
    for (const alias of sshConfigHosts(sshConfig)) {
      if (!hosts.some((h) => h.name === alias)) {
        hosts.push({ name: alias, detail: 'from ~/.ssh/config', ssh: { name: alias, host: alias, work_dir: '~/.bait' } });
      }
    }
    return hosts;
  }

  current(): Host {
    const name = this.state.get<string>(this.key, 'local');
    return this.all().find((h) => h.name === name) ?? this.all()[0];
  }

  async select(name: string): Promise<void> {
    await this.state.update(this.key, name);
    this.refresh();
  }

  refresh(): void {
    const h = this.current();
    this.item.text = `$(server) ${h.name}`;
    this.item.tooltip = `BAIT runs go to: ${h.name} (${h.detail}). Click to switch.`;
  }

  dispose(): void {
    this.item.dispose();
  }
}
