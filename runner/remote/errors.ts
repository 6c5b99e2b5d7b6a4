// Failures of remote hosts as data: a closed set of codes, the host, and a message that says how to fix it.
// The launchers turn these into one clear line for the user; no stack trace reaches them.

export type RemoteErrorCode =
  | 'unreachable' // DNS, refused, timed out, no route
  | 'host-key' // unknown or changed host key (StrictHostKeyChecking=yes)
  | 'auth' // the key or agent was refused
  | 'no-node' // the host has no usable `node`
  | 'disk-full' // no space left in the remote work dir
  | 'command-failed'; // anything else a remote command reported

export class RemoteError extends Error {
  constructor(
    readonly code: RemoteErrorCode,
    readonly host: string,
    message: string,
    readonly detail = '',
  ) {
    super(message);
    // 'UserError': the CLI prints the message (which says how to fix it) without a stack trace, exit code 1.
    this.name = 'UserError';
  }
}

/** Reads ssh's and rsync's stderr for the usual causes and says what to do about each. */
export function classifyRemoteFailure(host: string, what: string, code: number, stderr: string): RemoteError {
  const err = stderr.trim();
  const last = err.split('\n').filter(Boolean).slice(-3).join(' | ');
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed|No (ED25519|RSA|ECDSA)? ?host key is known|host key for .* has changed/i.test(err)) {
    return new RemoteError('host-key', host, `${what} on ${host}: the host key is unknown or has changed, so BAIT refuses to connect. `
      + `Verify the host's key out of band and add it to your known_hosts file (e.g. connect once with \`ssh ${host}\` and check the fingerprint).`, last);
  }
  if (/Permission denied|Too many authentication failures/i.test(err)) {
    return new RemoteError('auth', host, `${what} on ${host}: authentication was refused. Check the user name and that your key (or agent) is accepted: \`ssh ${host} true\` must work without a password.`, last);
  }
  if (/Could not resolve hostname|Connection refused|Connection timed out|No route to host|Network is unreachable|Operation timed out|Connection closed by remote host|Connection reset|kex_exchange_identification/i.test(err) || (code === 255 && !err)) {
    return new RemoteError('unreachable', host, `${what}: cannot reach ${host} (${last || `ssh exit ${code}`}). Check that the host is up, the address and port are right, and that \`ssh ${host} true\` works from this machine.`, last);
  }
  if (/No space left on device|Disk quota exceeded/i.test(err)) {
    return new RemoteError('disk-full', host, `${what} on ${host}: the remote disk is full (${last}). Free space in the host's work directory or point the host's workDir at a larger disk; local files were not changed.`, last);
  }
  return new RemoteError('command-failed', host, `${what} on ${host} failed (exit ${code}): ${last || 'no error output'}`, last);
}
