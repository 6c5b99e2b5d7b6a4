// The extension-host test entry (the same `run()` contract as @vscode/test-electron): VS Code loads this file in
// the real extension host and calls run(); mocha runs the suite there, with the real vscode API.
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: 'spec' });
  // The suite is bundled into this file: expose mocha's tdd globals, then load it.
  mocha.suite.emit('pre-require', globalThis, 'suite.ts', mocha);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./suite.js');
  return new Promise((resolveP, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} extension-host tests failed`)) : resolveP()));
  });
}
