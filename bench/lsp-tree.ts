// A generated config tree shaped like BAIT's, at scale, for the language-server benchmark: 10 config groups of
// 90 options, 10 shared base files, and 1,090 final experiment configs (`# @package _global_`) that each pull a
// base and five group options, override keys and interpolate. 2,000 files in all.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GROUPS = 10;
export const OPTIONS = 90;
export const BASES = 10;
export const EXPERIMENTS = 2000 - GROUPS * OPTIONS - BASES;

function groupFile(g: number, o: number): string {
  const lines = [`g${g}_cfg:`, `  _target_: models.group${g}.Option${o}`];
  for (let k = 0; k < 12; k++) lines.push(`  key_${k}: ${k % 3 === 0 ? `value_${o}_${k}` : k % 3 === 1 ? k * o : `\${exp_config.name}`}`);
  lines.push('  nested:', `    depth: ${o}`, '    items: [1, 2, 3]');
  return lines.join('\n') + '\n';
}

function baseFile(b: number): string {
  return [
    'exp_config:', '  name: ???', `  experiment: base_${b}`, '  directory: runs/${.experiment}/${.name}',
    'trainer:', '  max_epochs: 10', '  accelerator: auto', '  callbacks:', '    - _target_: lightning.pytorch.callbacks.ModelCheckpoint',
    '      dirpath: ${exp_config.directory}/checkpoints', 'logging_config:', `  project: project_${b}`, '  offline: false',
  ].join('\n') + '\n';
}

function experimentFile(e: number): string {
  const lines = ['# @package _global_', 'defaults:', `  - /base/base_${e % BASES}@_here_`];
  for (let i = 0; i < 5; i++) {
    const g = (e + i * 3) % GROUPS;
    // Every option is used by some experiment, as in BAIT where each file belongs to a runnable config.
    lines.push(`  - /g${g}: o${(Math.floor(e / GROUPS) + 23 * i) % OPTIONS}`);
  }
  lines.push('  - _self_', '', 'exp_config:', `  name: exp_${e}`, 'trainer:', `  max_epochs: ${5 + (e % 20)}`);
  lines.push(`g${e % GROUPS}:`, `  g${e % GROUPS}_cfg:`, `    key_0: override_${e}`);
  return lines.join('\n') + '\n';
}

function sweepFile(i: number): string {
  return ['method: grid', 'command:', `  - --config-name=experiment/exp_${i}`, 'parameters:', `  g${i % GROUPS}.g${i % GROUPS}_cfg.key_1:`,
    '    values: [1, 2, 3]', '  trainer.max_epochs:', '    values: [5, 10]'].join('\n') + '\n';
}

/**
 * Writes the tree to a fresh temp folder and returns its config dir. `sweeps` W&B sweep files go under
 * `sweeps/` (issue 16's tree: 2,000 configs and 30 sweep specs, 2,030 files).
 */
export function writeLargeTree(sweeps = 0): { configDir: string; experiments: string[]; options: string[] } {
  const configDir = join(mkdtempSync(join(tmpdir(), 'bait-lsp-bench-')), 'configs');
  const experiments: string[] = [];
  const options: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    mkdirSync(join(configDir, `g${g}`), { recursive: true });
    for (let o = 0; o < OPTIONS; o++) {
      writeFileSync(join(configDir, `g${g}`, `o${o}.yaml`), groupFile(g, o));
      options.push(`g${g}/o${o}.yaml`);
    }
  }
  mkdirSync(join(configDir, 'base'), { recursive: true });
  for (let b = 0; b < BASES; b++) writeFileSync(join(configDir, 'base', `base_${b}.yaml`), baseFile(b));
  mkdirSync(join(configDir, 'experiment'), { recursive: true });
  for (let e = 0; e < EXPERIMENTS; e++) {
    writeFileSync(join(configDir, 'experiment', `exp_${e}.yaml`), experimentFile(e));
    experiments.push(`experiment/exp_${e}.yaml`);
  }
  if (sweeps) mkdirSync(join(configDir, 'sweeps'), { recursive: true });
  for (let i = 0; i < sweeps; i++) writeFileSync(join(configDir, 'sweeps', `sweep_${i}.yaml`), sweepFile(i));
  return { configDir, experiments, options };
}

/**
 * One final config of about `bytes` bytes (issue 16's 5 MB file): sections of plain keys, nested mappings,
 * lists, and interpolations to keys of earlier sections and of its own (what the reference and cycle checks walk).
 */
export function bigConfigText(bytes: number): string {
  const lines = ['# @package _global_', 'defaults:', '  - _self_', '', 'exp_config:', '  name: big', '  directory: runs/${.name}'];
  let size = lines.join('\n').length;
  for (let i = 0; size < bytes; i++) {
    const section = [
      `section_${i}:`,
      `  name: part_${i}`,
      `  lr: ${(i % 97) / 1000}`,
      `  path: \${exp_config.directory}/section_${i}`,
      `  previous: \${section_${Math.max(0, i - 1)}.name}`,
      `  own: \${.name}-\${.lr}`,
      '  nested:',
      `    depth: ${i % 7}`,
      `    label: "section ${i} of the big config"`,
      `    items: [${i}, ${i + 1}, ${i + 2}]`,
    ];
    size += section.join('\n').length + 1;
    lines.push(...section);
  }
  return lines.join('\n') + '\n';
}
