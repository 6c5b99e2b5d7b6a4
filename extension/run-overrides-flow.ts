// "Run with Overrides…": one input box for Hydra overrides (`trainer.max_steps=50 +trainer.seed=3`), checked as the
// user types by the language server's override validation, the same check the sweep dialog uses. A value list
// (`a,b`) makes several jobs: a run refuses it and points to Sweep…. The last overrides typed for a config are
// offered again next time.
import * as vscode from 'vscode';
import type { ConfigRef } from '../language-server/protocol.js';
import type { BaitClient } from './client.js';
import { splitOverrideText } from './override-text.js';
import { validateOverrideList } from './sweep-flow.js';

/** Why these overrides cannot start one run, or undefined when they can (jobs null: no server to ask). */
export async function checkRunOverrides(client: BaitClient, config: ConfigRef, base: string[], text: string):
    Promise<{ overrides: string[]; error?: string; jobs: number | null }> {
  const split = splitOverrideText(text.trim());
  if (split.error) return { overrides: split.overrides, error: split.error, jobs: null };
  const r = await validateOverrideList(client, config, [...base, ...split.overrides]);
  if (r.error) return { overrides: split.overrides, error: r.error, jobs: r.jobs };
  if (r.jobs !== null && r.jobs > 1) {
    return { overrides: split.overrides, jobs: r.jobs,
      error: `these overrides make ${r.jobs} jobs (a value list or sweep function); a run takes one value per key. Use Sweep… for several.` };
  }
  return { overrides: split.overrides, jobs: r.jobs };
}

export async function askRunOverrides(client: BaitClient, memory: vscode.Memento, config: ConfigRef, base: string[],
  initial?: string[]): Promise<string[] | undefined> {
  const key = `bait.lastOverrides:${config.configDir}:${config.configName}`;
  const value = initial?.join(' ') ?? memory.get<string>(key) ?? '';
  let accepted: string[] = [];
  const text = await vscode.window.showInputBox({
    title: `Run ${config.configName} with overrides`,
    prompt: 'Hydra overrides, separated by spaces: key=value · +new.key=value · ~key · group=option',
    placeHolder: 'trainer.max_epochs=5 data_config.batch_size=32',
    value,
    valueSelection: [0, value.length],
    ignoreFocusOut: true,
    validateInput: async (v) => {
      const r = await checkRunOverrides(client, config, base, v);
      if (r.error) return r.error;
      accepted = r.overrides;
      const n = r.overrides.length;
      return { message: n ? `${n} override${n === 1 ? '' : 's'}: composes` : 'no overrides: the config as it is',
        severity: vscode.InputBoxValidationSeverity.Info };
    },
  });
  if (text === undefined) return undefined;
  // validateInput may not have run on the final text (Enter right after a paste): check once more.
  const r = await checkRunOverrides(client, config, base, text);
  if (r.error) {
    void vscode.window.showErrorMessage(`BAIT: ${r.error}`);
    return undefined;
  }
  accepted = r.overrides;
  await memory.update(key, text.trim());
  return accepted;
}
