/**
 * `npx tsx bench/one-process.ts [--group G] [--concurrency N] [--rounds R]`: CPU per delivery,
 * user and system apart, with both parley nodes in one process (a sender and a receiver from
 * `dist/`, one connection per message on 127.0.0.1), next to plain TCP's four round trips with
 * parley's line sizes in one process too. One process is one `process.cpuUsage()` that counts
 * both sides, with no IPC and no second process to wake: the split between user time (our
 * code, V8, OpenSSL) and system time (the kernel's TCP) is what `--peers` cannot show.
 * Each round weighs plain TCP, parley, and parley's protocol alone in memory (both actors, no
 * socket: `bench/floor-delivery.ts`) in turn, so the floor — plain TCP plus the protocol alone —
 * and what parley spends above it come from the same process and minutes; each figure is the
 * median of the rounds.
 */
import * as net from 'node:net';
import { parseArgs } from 'node:util';
import { firstValueFrom } from 'rxjs';
import type { Group } from '../src/index.js';
import { LOCALHOST, RECEIVER, SECRET, SENDER, TEXT, TEXT_BYTES } from './config.js';
import { deliverFor } from './floor-delivery.js';
import { countNewlines, exchangeLines } from './frames.js';
import { loadParley } from './parley.js';
import { median } from './stats.js';

const { values } = parseArgs({
  options: {
    group: { type: 'string', default: 'x25519' },
    concurrency: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '5' },
    deliveries: { type: 'string', default: '3000' },
  },
});
const group = values.group as Group;
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const perRound = Number(values.deliveries);

interface Cpu {
  readonly user: number;
  readonly system: number;
}

/** `count` deliveries by `concurrency` closed loops; CPU µs per delivery, user and system. */
const measure = async (deliver: () => Promise<void>, count: number): Promise<Cpu> => {
  let left = count;
  const loop = async () => {
    while (left > 0) {
      left -= 1;
      await deliver();
    }
  };
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, loop));
  const used = process.cpuUsage(before);
  return { user: used.user / count, system: used.system / count };
};

const parley = await loadParley();
const directoryOf = <D>(
  parsed: { _tag: 'Left'; left: { message: string } } | { _tag: 'Right'; right: D },
): D => {
  if (parsed._tag === 'Left') throw new Error(parsed.left.message);
  return parsed.right;
};
const receiver = await parley.createNode({
  name: RECEIVER,
  host: LOCALHOST,
  port: 0,
  directory: directoryOf(
    parley.parseDirectory(
      JSON.stringify([{ username: SENDER, password: SECRET, port: 1, ip: LOCALHOST }]),
    ),
  ),
});
receiver.received$.subscribe(() => {});
const sender = await parley.createNode({
  name: SENDER,
  host: LOCALHOST,
  port: 0,
  maxOutgoing: concurrency,
  // Side by side to the one receiver (the default keeps one contact's messages in order).
  inOrder: false,
});
const to = { username: RECEIVER, host: LOCALHOST, port: receiver.port, secret: SECRET };
const parleyDelivery = async () => {
  const report = await firstValueFrom(sender.send({ to, text: TEXT, group }));
  if (report.outcome !== 'delivered') throw new Error(report.reason);
};

const lines = exchangeLines(group, { initiator: SENDER, responder: RECEIVER }, TEXT_BYTES);
const asked = lines.initiator.map((l) => Buffer.from(l));
const answers = lines.responder.map((l) => Buffer.from(l));
const plainServer = net.createServer((socket) => {
  socket.setNoDelay(true);
  let step = 0;
  socket.on('error', () => {});
  socket.on('data', (chunk) => {
    for (let n = countNewlines(chunk); n > 0 && step < answers.length; n -= 1) {
      socket.write(answers[step] as Buffer);
      step += 1;
      if (step === answers.length) socket.end();
    }
  });
});
await new Promise<void>((resolve) => plainServer.listen(0, LOCALHOST, resolve));
const plainPort = (plainServer.address() as net.AddressInfo).port;
const plainDelivery = () =>
  new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host: LOCALHOST, port: plainPort });
    socket.setNoDelay(true);
    let answered = 0;
    socket.once('connect', () => socket.write(asked[0] as Buffer));
    socket.on('data', (chunk) => {
      answered += countNewlines(chunk);
      if (answered < asked.length) {
        socket.write(asked[answered] as Buffer);
        return;
      }
      socket.end();
      resolve();
    });
    socket.on('error', reject);
  });

/** The protocol alone for ~`ms` of wall time; CPU µs per delivery (all user time). */
const FLOOR_WINDOW_MS = 1_000;
const measureFloor = (): Cpu => {
  const before = process.cpuUsage();
  const count = deliverFor(group, FLOOR_WINDOW_MS);
  const used = process.cpuUsage(before);
  return { user: used.user / count, system: used.system / count };
};

process.stderr.write(`warming up (${group}, ${concurrency} concurrent)\n`);
await measure(plainDelivery, perRound);
await measure(parleyDelivery, perRound);
measureFloor();
const plain: Cpu[] = [];
const both: Cpu[] = [];
const alone: Cpu[] = [];
for (let r = 0; r < rounds; r += 1) {
  process.stderr.write(`round ${r + 1} of ${rounds}\n`);
  plain.push(await measure(plainDelivery, perRound));
  both.push(await measure(parleyDelivery, perRound));
  alone.push(measureFloor());
}
await sender.close();
await receiver.close();
plainServer.close();

const totalOf = (cpu: readonly Cpu[]) => {
  const t = median(cpu, (c) => c.user + c.system);
  return t.user + t.system;
};
const row = (label: string, cpu: readonly Cpu[]) => {
  const user = median(cpu, (c) => c.user).user;
  const system = median(cpu, (c) => c.system).system;
  const total = median(cpu, (c) => c.user + c.system);
  return `${label.padEnd(40)}${String(Math.round(total.user + total.system)).padStart(8)}${String(Math.round(user)).padStart(8)}${String(Math.round(system)).padStart(8)}`;
};
console.log(
  [
    `one process, ${group}, ${concurrency} concurrent, ${rounds} rounds of ${perRound}: CPU µs per delivery (both sides)`,
    `${''.padEnd(40)}${'total'.padStart(8)}${'user'.padStart(8)}${'system'.padStart(8)}`,
    row('plain TCP, four round trips', plain),
    row(`parley ${group}, both nodes`, both),
    row(`parley ${group}'s protocol alone`, alone),
  ].join('\n'),
);
// The floor: the least a delivery costs here with no machinery at all (see docs/PERFORMANCE.md).
const floor = totalOf(plain) + totalOf(alone);
const parleyTotal = totalOf(both);
console.log(
  `floor (plain TCP + protocol alone) ${Math.round(floor)} µs; parley ${(parleyTotal / floor).toFixed(2)} × its floor, ${Math.round(parleyTotal - floor)} µs above it`,
);
