import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sshConfigHosts } from './ssh-config.js';

test('plain Host aliases are offered; patterns, comments and Match blocks are not', () => {
  const text = ['# my hosts', 'Host gpu1 gpu2', '  HostName 10.0.0.5', 'Host *.internal !bastion', 'host login # the login node',
    'Match host foo', 'Host gpu1', '  Hostname x'].join('\n');
  assert.deepEqual(sshConfigHosts(text), ['gpu1', 'gpu2', 'login']);
});
