/**
 * Issue 20, finding 9: what an attacker who spends nothing makes a node spend. From 127.0.0.1
 * (not a contact's address), sequential handshakes that make bob do his DH work and get no
 * proof for it: an invalid share (after bob made his key pair), a handshake abandoned after
 * bob's dh (lock-step), and one abandoned after a fast-order hello. For each group: node CPU
 * and attacker CPU per attempt, their ratio, and how many attempts bob did his DH for before
 * the budgets refused the address. Bounded: ATTEMPTS per case, 127.0.0.1 only.
 *
 *   npm run build && tsx bench/attack-cost.ts
 */
import { connect, type Socket } from 'node:net';
import type { AttackTargetApi } from './attack-target.js';
import { type Child, killAll, startChild } from './children.js';
import { GROUPS, LOCALHOST, RECEIVER } from './config.js';
import { loadProtocol } from './parley.js';

const ATTEMPTS = 200;
const protocol = await loadProtocol();

/** A share the group rejects only after the responder made its key pair. */
const INVALID: Record<string, string> = {
  'cpace-ristretto255': '00'.repeat(32), // the identity
  modp14: '1'.padStart(512, '0'),
  x25519: '00'.repeat(32), // all-zero shared secret
};

type Kind = 'invalid share' | 'abandoned after dh' | 'abandoned after fast hello';
const KINDS: readonly Kind[] = [
  'invalid share',
  'abandoned after dh',
  'abandoned after fast hello',
];

/** A line reader over one socket: the next line, or undefined once it ends. */
const lines = (socket: Socket) => {
  let buffer = '';
  const queue: string[] = [];
  const waiters: ((line: string | undefined) => void)[] = [];
  let ended = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else queue.push(line);
    }
  });
  const end = () => {
    ended = true;
    for (const w of waiters.splice(0)) w(undefined);
  };
  socket.on('close', end);
  socket.on('error', end);
  return (): Promise<string | undefined> =>
    queue.length > 0
      ? Promise.resolve(queue.shift())
      : ended
        ? Promise.resolve(undefined)
        : new Promise((resolve) => waiters.push(resolve));
};

const hex = (bytes: number) => Buffer.alloc(bytes, 0x5a).toString('hex');

/** One attempt; whether bob answered with his dh (he did the work). */
const attempt = async (port: number, group: string, kind: Kind, validPublic: string) => {
  const socket = connect({ host: LOCALHOST, port });
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const next = lines(socket);
  const write = (frame: object) => socket.write(`${JSON.stringify(frame)}\n`);
  const fast = kind === 'abandoned after fast hello';
  write({
    type: 'hello',
    version: 1,
    from: 'mallory',
    to: RECEIVER,
    nonce: hex(16),
    ...(fast ? { group } : {}),
  });
  let worked = false;
  const hello = await next();
  if (hello !== undefined && JSON.parse(hello).type === 'hello') {
    if (fast) {
      // A responder that does not take the offer (an older one) answers hello alone.
      const taken = JSON.parse(hello).group === group;
      worked = taken && JSON.parse((await next()) ?? '{}').type === 'dh';
    } else {
      write({ type: 'dh', group, public: kind === 'invalid share' ? INVALID[group] : validPublic });
      const answer = JSON.parse((await next()) ?? '{}');
      worked = answer.type === 'dh' || answer.code === 'bad_public_key';
    }
  }
  socket.destroy();
  await new Promise((resolve) => socket.once('close', resolve));
  return worked;
};

const row = async (target: Child<AttackTargetApi>, group: string, kind: Kind) => {
  const { port } = await target.call('start', { group } as never);
  // Any valid share will do: the attacker makes one, once.
  const binding = {
    secret: 'x',
    initiator: 'mallory',
    responder: RECEIVER,
    initiatorNonce: hex(16),
    responderNonce: hex(16),
  };
  const validPublic = protocol.createKeyPair(group as never, binding).publicHex;
  const nodeBefore = await target.cpu();
  const mineBefore = process.cpuUsage();
  let worked = 0;
  for (let i = 0; i < ATTEMPTS; i++) if (await attempt(port, group, kind, validPublic)) worked += 1;
  const mine = process.cpuUsage(mineBefore);
  const node = (await target.cpu()) - nodeBefore;
  const attacker = mine.user + mine.system;
  return {
    group,
    kind,
    attempts: ATTEMPTS,
    dhWorkDone: worked,
    nodeUsPerAttempt: Math.round(node / ATTEMPTS),
    attackerUsPerAttempt: Math.round(attacker / ATTEMPTS),
    ratio: Number((node / attacker).toFixed(2)),
    seen: await target.call('seen'),
  };
};

const main = async () => {
  const rows = [];
  for (const group of GROUPS) {
    for (const kind of KINDS) {
      const target = startChild<AttackTargetApi>('attack-target', 'attack-target.ts');
      try {
        rows.push(await row(target, group, kind));
      } finally {
        await target.stop();
      }
    }
  }
  for (const r of rows) {
    console.log(
      `${r.group.padEnd(19)} ${r.kind.padEnd(27)} DH work ${String(r.dhWorkDone).padStart(3)}/${r.attempts}` +
        `  node ${String(r.nodeUsPerAttempt).padStart(5)} µs  attacker ${String(r.attackerUsPerAttempt).padStart(4)} µs  ratio ${r.ratio}`,
    );
  }
};

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(killAll);
