// The language client: starts dist/server.js over IPC for YAML files under the config dirs, and wraps the
// server's typed custom requests (declared once in language-server/protocol.ts).
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  ChooseConfigContextMethod, ConfigContextsMethod, type ChooseConfigContextParams, type ConfigContextsParams, type ConfigContextsResult,
  ComposedConfigMethod, RunnableConfigsMethod, SweepJobCountMethod, ValidateOverridesMethod,
  type ComposedConfigParams, type ComposedConfigResult, type RunnableConfigsParams, type RunnableConfigsResult,
  type SweepJobCountParams, type SweepJobCountResult, type ValidateOverridesParams, type ValidateOverridesResult,
} from '../language-server/protocol.js';
import { settings } from './settings.js';

export function configGlob(): string {
  const names = settings.configDirNames().filter((d) => !d.startsWith('/'));
  return `**/{${names.join(',')}}/**/*.{yaml,yml}`;
}

export class BaitClient implements vscode.Disposable {
  client: LanguageClient | undefined;

  async start(context: vscode.ExtensionContext): Promise<void> {
    const module = context.asAbsolutePath('dist/server.js');
    if (!existsSync(module)) {
      void vscode.window.showWarningMessage(`BAIT: the language server bundle is missing (${module}); run the build.`);
      return;
    }
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'yaml', pattern: configGlob() }],
      initializationOptions: {
        configDirs: settings.configDirs(), versionBase: settings.versionBase(), diagnostics: settings.diagnostics(),
        ...(settings.pythonPath() ? { pythonPath: settings.pythonPath() } : {}),
      },
      // Python sources feed `_target_` checks; the `bait` section carries `bait.diagnostics` changes.
      synchronize: {
        fileEvents: [vscode.workspace.createFileSystemWatcher(configGlob()), vscode.workspace.createFileSystemWatcher('**/*.{py,pyi}')],
        configurationSection: 'bait',
      },
      outputChannelName: 'BAIT Language Server',
    };
    // The id 'bait' makes the client read the `bait.trace.server` setting.
    this.client = new LanguageClient('bait', 'BAIT Language Server', serverOptions, clientOptions);
    await this.client.start();
  }

  private async request<R>(method: string, params: unknown): Promise<R | undefined> {
    if (!this.client || !this.client.isRunning()) return undefined;
    return this.client.sendRequest<R>(method, params);
  }

  composedConfig(p: ComposedConfigParams): Promise<ComposedConfigResult | undefined> {
    return this.request(ComposedConfigMethod, p);
  }

  runnableConfigs(p: RunnableConfigsParams = {}): Promise<RunnableConfigsResult | undefined> {
    return this.request(RunnableConfigsMethod, p);
  }

  validateOverrides(p: ValidateOverridesParams): Promise<ValidateOverridesResult | undefined> {
    return this.request(ValidateOverridesMethod, p);
  }

  sweepJobCount(p: SweepJobCountParams): Promise<SweepJobCountResult | undefined> {
    return this.request(SweepJobCountMethod, p);
  }

  configContexts(p: ConfigContextsParams): Promise<ConfigContextsResult | undefined> {
    return this.request(ConfigContextsMethod, p);
  }

  async chooseConfigContext(p: ChooseConfigContextParams): Promise<void> {
    await this.request(ChooseConfigContextMethod, p);
  }

  async dispose(): Promise<void> {
    await this.client?.stop();
  }
}
