/**
 * `node --expose-gc --import tsx bench/stalled-lines.ts [--mode drip|big] [--connections N]`:
 * what connections that never finish a line cost a listening node (the worktree's src/, no
 * build). An attacker process on 127.0.0.5 opens N connections to a node on 127.0.0.1, each
 * says hello (so the step deadline, 10 s, not the hello deadline, applies), then
 *  - drip: one byte a millisecond on every connection for 8 s, never a newline;
 *  - big:  a partial line of 1 MiB − 2 bytes in 64 KiB writes, then holds it;
 *  - hello: nothing more (what a connection costs without a line: subtract it from drip's).
 * The node's own process is measured: heap + array buffers and RSS, after a GC, before and at
 * the end, and how many connections were answered (and what). Bounded: N ≤ 256, 10 s.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { MAX_FRAME_BYTES } from '../src/limits.js';
import { createNode } from '../src/node/node.js';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'drip' },
    connections: { type: 'string', default: '64' },
  },
});
const mode = (['big', 'hello'] as const).find((m) => m === values.mode) ?? 'drip';
const connections = Math.min(256, Number(values.connections));
const DRIP_MS = 8_000;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const memory = () => {
  gc();
  const m = process.memoryUsage();
  return { held: m.heapUsed + m.arrayBuffers, rss: m.rss };
};
const MiB = (n: number) => `${(n / 1_048_576).toFixed(1)} MiB`;

// The attacker: a child process, so its sockets and buffers are not counted in ours.
const attacker = (port: number) => `
const net = require('node:net');
const hello = '{"type":"hello","version":1,"from":"mallory","to":"bob","nonce":"${'0'.repeat(32)}"}\\n';
const answers = {};
let open = 0;
let dripped = 0;
const sockets = [];
for (let i = 0; i < ${connections}; i++) {
  const s = net.connect({ host: '127.0.0.1', port: ${port}, localAddress: '127.0.0.5' });
  s.setNoDelay(true);
  s.on('error', () => {});
  let lines = 0;
  s.on('data', (d) => {
    for (const line of d.toString().split('\\n').filter(Boolean)) {
      const t = JSON.parse(line);
      const key = t.type === 'error' ? t.code : t.type;
      answers[key] = (answers[key] ?? 0) + 1;
    }
  });
  s.on('connect', () => {
    open += 1;
    s.write(hello);
    s.ready = true;
    if (${mode === 'big'}) {
      const chunk = Buffer.alloc(65536, 0x61);
      let left = ${MAX_FRAME_BYTES - 2};
      const pump = () => { while (left > 0) { const n = Math.min(left, chunk.length); left -= n; if (!s.write(chunk.subarray(0, n))) return void s.once('drain', pump); } };
      pump();
    }
  });
  sockets.push(s);
}
const byte = Buffer.from('a');
const timer = ${mode === 'drip'} ? setInterval(() => { for (const s of sockets) if (s.ready && !s.destroyed) { s.write(byte); dripped += 1; } }, 1) : undefined;
setTimeout(() => { clearInterval(timer); process.send({ open, answers, dripped }); }, ${DRIP_MS});
process.on('message', () => { for (const s of sockets) s.destroy(); process.exit(0); });
`;

const node = await createNode({ name: 'bob', port: 0, host: '127.0.0.1' });
const before = memory();
let peak = { held: 0, rss: 0 };
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peak = {
    held: Math.max(peak.held, m.heapUsed + m.arrayBuffers),
    rss: Math.max(peak.rss, m.rss),
  };
}, 50);
const child = spawn(process.execPath, ['-e', attacker(node.port)], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
interface Report {
  open: number;
  answers: Record<string, number>;
  dripped: number;
}
const report = await new Promise<Report>((resolve) =>
  child.once('message', (m) => resolve(m as Report)),
);
const after = memory();
clearInterval(sampler);
child.send('done');
await node.close();

const perConnection = (n: number) => `${((n / connections) * 1024 ** -1).toFixed(1)} KiB`;
console.log(
  [
    `mode ${mode}, ${connections} connections (${report.open} opened), ${DRIP_MS / 1000} s`,
    `  answered: ${JSON.stringify(report.answers)}`,
    ...(mode === 'drip'
      ? [
          `  dripped: ${report.dripped} bytes (${Math.round(report.dripped / connections)} a connection); heap+buffers per byte at the end: ${((after.held - before.held) / report.dripped).toFixed(0)} bytes`,
        ]
      : []),
    `  heap+buffers: +${MiB(after.held - before.held)} at the end (${perConnection(after.held - before.held)} per connection), peak +${MiB(peak.held - before.held)}`,
    `  rss:          +${MiB(after.rss - before.rss)} at the end, peak +${MiB(peak.rss - before.rss)}`,
  ].join('\n'),
);
