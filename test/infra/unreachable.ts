// An address that is really unreachable, without sending anything off this machine: a veth pair whose peer
// sits, down, in a network namespace of its own. Connecting to the peer's address times out or reports "no
// route", exactly like a host that is off. Before use we check that the kernel routes the address over our veth.
import { randomBytes } from 'node:crypto';
import { run } from './common.js';

export interface Unreachable {
  address: string;
  stop(): void;
}

export function makeUnreachable(): Unreachable | null {
  const id = randomBytes(2).toString('hex');
  const ns = `bait-unreach-${id}`;
  const a = `bu${id}a`;
  const b = `bu${id}b`;
  const octet = 16 + (parseInt(id, 16) % 200);
  const local = `10.213.${octet}.1`;
  const peer = `10.213.${octet}.2`;
  const steps = [
    ['ip', 'netns', 'add', ns],
    ['ip', 'link', 'add', a, 'type', 'veth', 'peer', 'name', b, 'netns', ns],
    ['ip', 'addr', 'add', `${local}/24`, 'dev', a],
    ['ip', 'link', 'set', a, 'up'],
  ];
  const stop = () => {
    run('ip', ['link', 'del', a]);
    run('ip', ['netns', 'del', ns]);
  };
  for (const s of steps) {
    if (run(s[0]!, s.slice(1)).code !== 0) { stop(); return null; }
  }
  if (!run('ip', ['route', 'get', peer]).stdout.includes(`dev ${a}`)) { stop(); return null; }
  return { address: peer, stop };
}
