// Which app runs a config dir: the bait.apps setting, else a Python file's @hydra.main; the interpreter; and the
// `--app` arguments a run of that config dir gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appFor, parseHydraMains, pythonFor, withAppArgs, type HydraMain } from './detect.js';

const WS = '/ws';

test('@hydra.main: config_path resolved from the file, config_name and version_base read; calls without a path skipped', () => {
  const text = `import hydra\n\n@hydra.main(version_base="1.3", config_path="../configs", config_name="train")\ndef main(cfg): ...\n` +
    `@hydra.main(config_name='x')\ndef other(cfg): ...\n@hydra.main(\n    config_path='conf',\n    version_base='1.1',\n)\ndef third(cfg): ...\n`;
  assert.deepEqual(parseHydraMains('/ws/src/train.py', text), [
    { file: '/ws/src/train.py', configDir: '/ws/configs', configName: 'train', versionBase: '1.3' },
    { file: '/ws/src/train.py', configDir: '/ws/src/conf', configName: undefined, versionBase: '1.1' },
  ]);
});

test('the interpreter: the setting (relative to the workspace), else .venv, else python3', () => {
  assert.equal(pythonFor('/opt/py/bin/python', WS, () => false), '/opt/py/bin/python');
  assert.equal(pythonFor('env/bin/python', WS, () => false), '/ws/env/bin/python');
  assert.equal(pythonFor('python3.11', WS, () => false), 'python3.11');
  assert.equal(pythonFor(undefined, WS, (p) => p === '/ws/.venv/bin/python'), '/ws/.venv/bin/python');
  assert.equal(pythonFor(undefined, WS, () => false), 'python3');
});

test('the setting wins over detection; a leading python becomes the interpreter; unknown dirs run ours', () => {
  const mains: HydraMain[] = [{ file: '/ws/src/train.py', configDir: '/ws/configs', versionBase: '1.1' }];
  const opts = { settings: [{ configDir: 'conf', command: 'python -m pkg.train', resume: '+r={ckpt}' }], mains, python: '/ws/my env/bin/python', workspaceRoot: WS };
  assert.deepEqual(appFor('/ws/conf', opts), { command: "'/ws/my env/bin/python' -m pkg.train", resume: '+r={ckpt}', source: 'the setting bait.apps' });
  assert.deepEqual(appFor('/ws/configs/', opts), { command: "'/ws/my env/bin/python' src/train.py", versionBase: '1.1', source: 'src/train.py' });
  assert.equal(appFor('/ws/other', opts), undefined);
});

test('a run naming an app config dir gets --app (and the app version_base); other commands are left alone', () => {
  const lookup = (d: string) => (d === '/ws/configs' ? { command: 'python3 src/train.py', versionBase: '1.1' as const, source: 'x' } : undefined);
  assert.deepEqual(withAppArgs(['run', 'train', '--config-dir', '/ws/configs', 'a=1'], lookup),
    ['run', 'train', '--config-dir', '/ws/configs', 'a=1', '--app', 'python3 src/train.py', '--version-base', '1.1']);
  assert.deepEqual(withAppArgs(['run', 'train', '--config-dir', '/ws/conf'], lookup), ['run', 'train', '--config-dir', '/ws/conf']);
  assert.deepEqual(withAppArgs(['resume', '/ws/outputs/x'], lookup), ['resume', '/ws/outputs/x']);
  assert.deepEqual(withAppArgs(['run', 'train', '--config-dir', '/ws/configs', '--app', 'mine'], lookup), ['run', 'train', '--config-dir', '/ws/configs', '--app', 'mine']);
});
