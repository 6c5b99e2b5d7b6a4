// How ssh/rsync failures become one clear message with a code, and which host settings are refused outright.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyRemoteFailure } from '../../runner/remote/errors.js';
import { sshOptions } from '../../runner/remote/ssh.js';

test('ssh and rsync failures are classified with a fix in the message', () => {
  const cases: Array<[number, string, string, RegExp]> = [
    [255, 'ssh: connect to host 10.0.0.9 port 22: Connection timed out', 'unreachable', /cannot reach gpu1.*Check that the host is up/],
    [255, 'ssh: Could not resolve hostname gpu9: Name or service not known', 'unreachable', /cannot reach/],
    [255, 'ssh: connect to host 127.0.0.1 port 2: Connection refused', 'unreachable', /cannot reach/],
    [255, 'Host key verification failed.', 'host-key', /Verify the host's key out of band/],
    [255, '@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@', 'host-key', /unknown or has changed/],
    [255, 'bait@gpu1: Permission denied (publickey).', 'auth', /authentication was refused/],
    [11, 'rsync: [receiver] write failed on "/w/x": No space left on device (28)', 'disk-full', /remote disk is full/],
    [1, 'something else', 'command-failed', /failed \(exit 1\): something else/],
  ];
  for (const [code, stderr, want, msg] of cases) {
    const e = classifyRemoteFailure('gpu1', 'syncing', code, stderr);
    assert.equal(e.code, want, stderr);
    assert.match(e.message, msg);
    assert.equal(e.host, 'gpu1');
    assert.equal(e.name, 'UserError', 'printed by the CLI as a user error, without a stack trace');
  }
});

test('strict host-key checking cannot be switched off, and option-like hosts are refused', () => {
  const base = sshOptions({ host: 'gpu1', port: 2222, user: 'me', knownHostsFile: '/k h/known_hosts' });
  assert.ok(base.includes('StrictHostKeyChecking=yes') && base.includes('BatchMode=yes'));
  assert.ok(base.includes('UserKnownHostsFile=/k h/known_hosts'));
  for (const bad of ['StrictHostKeyChecking=no', 'StrictHostKeyChecking no', 'stricthostkeychecking=accept-new']) {
    assert.throws(() => sshOptions({ host: 'gpu1', options: [bad] }), /cannot be turned off/);
  }
  assert.throws(() => sshOptions({ host: '-oProxyCommand=touch /tmp/x' }), /not a valid host name/);
  assert.throws(() => sshOptions({ host: 'gpu1', user: '-lroot' }), /not a valid user name/);
  assert.throws(() => sshOptions({ host: 'gpu1\nProxyCommand x' }), /not a valid host name/);
});
