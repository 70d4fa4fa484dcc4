/**
 * What one change to a full outbox costs on disk (issue 20, finding 7; docs/SECURITY.md): the
 * outbox at its caps (1,000 messages of 16 KiB), then a run of changes as a busy node makes
 * them: one more failed try of a message, then one delivered and a new one taken in its place,
 * in turn. Before: the whole file rewritten (atomically, flushed) at each change, as the
 * outbox file was saved until then (replicated here); after: `createOutboxFile`, which
 * appends each change to its log and folds the log into a fresh copy once it outgrows it.
 * Bytes are what the process handed to write() (/proc/self/io, wchar); CPU is user + system.
 * Both in one run, on the same disk, so that only their ratio means anything.
 *
 *   npx tsx bench/outbox-file.ts [changes-after=2400] [changes-before=20]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY_DIRECTORY } from '../src/codecs/directory.js';
import { MAX_OUTBOX_MESSAGES } from '../src/limits.js';
import {
  initialNodeState,
  type NodeState,
  type OutboxEntry,
  pendingMessages,
} from '../src/node/state.js';
import { writeFileAtomicallySync } from '../src/store/atomic-file.js';
import { createOutboxFile } from '../src/store/outbox-file.js';

const TEXT_BYTES = 16_384;
const afterChanges = Number(process.argv[2] ?? 2_400);
const beforeChanges = Number(process.argv[3] ?? 20);

const toBob = { username: 'bob', host: '127.0.0.1', port: 5002 };
const idOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const entry = (n: number, attempts: number): OutboxEntry => ({
  job: {
    msgId: idOf(n),
    text: String(n % 10).repeat(TEXT_BYTES),
    to: toBob,
    group: 'cpace-ristretto255',
  },
  report: {
    outcome: 'not_delivered',
    msgId: idOf(n),
    to: toBob,
    failure: { cause: 'unreachable', code: 'ECONNREFUSED', message: 'refused' },
    reason: 'bob is not reachable',
    elapsedMs: 1,
  },
  attempts,
  nextTryAt: 0,
  paused: false,
});

/**
 * The states a busy full outbox goes through: a failed try, then (`mixed`) one out and one in,
 * in turn; or failed tries only (a contact away, every message retried).
 */
function* changes(count: number, mixed: boolean): Generator<NodeState> {
  let outbox = Array.from({ length: MAX_OUTBOX_MESSAGES }, (_, n) => entry(n, 1));
  let next = MAX_OUTBOX_MESSAGES;
  for (let k = 0; k < count; k += 1) {
    const at = k % outbox.length;
    outbox =
      !mixed || k % 2 === 0
        ? outbox.map((e, i) => (i === at ? { ...e, attempts: e.attempts + 1 } : e))
        : [...outbox.filter((_, i) => i !== at), entry(next++, 1)];
    yield { ...initialNodeState(EMPTY_DIRECTORY), outbox };
  }
}

const full = (): NodeState => ({
  ...initialNodeState(EMPTY_DIRECTORY),
  outbox: Array.from({ length: MAX_OUTBOX_MESSAGES }, (_, n) => entry(n, 1)),
});

/** The save as it was before: every pending message rewritten, whatever changed. */
const rewriteAll = (path: string) => (state: NodeState) => {
  const messages = pendingMessages(state).map((m) => ({
    msg_id: m.msgId,
    to: { username: m.to.username ?? null, host: m.to.host, port: m.to.port },
    text: m.text,
    group: m.group,
    attempts: state.outbox.find((e) => e.job.msgId === m.msgId)?.attempts ?? 0,
    paused: false,
  }));
  writeFileAtomicallySync(path, `${JSON.stringify({ version: 1, messages }, null, 1)}\n`);
};

const written = (): number => {
  try {
    const io = readFileSync('/proc/self/io', 'utf8');
    return Number(/wchar: (\d+)/.exec(io)?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
};

interface Figures {
  readonly bytesPerChange: number;
  readonly cpuMsPerChange: number;
  readonly wallMsPerChange: number;
  readonly worstWallMs: number;
}

const measure = (save: (state: NodeState) => void, count: number, mixed = true): Figures => {
  save(full()); // the outbox at its caps, on disk, before the clock starts
  const bytes = written();
  const cpu = process.cpuUsage();
  const start = performance.now();
  let worst = 0;
  for (const state of changes(count, mixed)) {
    const t = performance.now();
    save(state);
    worst = Math.max(worst, performance.now() - t);
  }
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return {
    bytesPerChange: (written() - bytes) / count,
    cpuMsPerChange: (used.user + used.system) / 1_000 / count,
    wallMsPerChange: wall / count,
    worstWallMs: worst,
  };
};

const dir = mkdtempSync(join(tmpdir(), 'parley-bench-outbox-'));
try {
  const before = measure(rewriteAll(join(dir, 'outbox-before')), beforeChanges);
  const after = measure(createOutboxFile(join(dir, 'outbox-after')).store.save, afterChanges);
  const tries = measure(
    createOutboxFile(join(dir, 'outbox-tries')).store.save,
    afterChanges / 2,
    false,
  );
  const row = (name: string, n: number, f: Figures) =>
    `| ${name} | ${n} | ${Math.round(f.bytesPerChange).toLocaleString('en')} | ${f.cpuMsPerChange.toFixed(2)} | ${f.wallMsPerChange.toFixed(2)} | ${f.worstWallMs.toFixed(0)} |`;
  console.log(
    `outbox at its caps: ${MAX_OUTBOX_MESSAGES} messages × ${TEXT_BYTES} bytes; a failed try, then one out and one in, in turn\n`,
  );
  console.log(
    '| save | changes | bytes written per change | CPU ms per change | wall ms per change | worst change, ms |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  console.log(row('whole file each change (before)', beforeChanges, before));
  console.log(row('log of changes, folded (after)', afterChanges, after));
  console.log(row('after, failed tries only', afterChanges / 2, tries));
  console.log(
    `\nratios before/after: bytes ${(before.bytesPerChange / after.bytesPerChange).toFixed(0)}×, CPU ${(before.cpuMsPerChange / after.cpuMsPerChange).toFixed(0)}×, wall ${(before.wallMsPerChange / after.wallMsPerChange).toFixed(0)}×`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
