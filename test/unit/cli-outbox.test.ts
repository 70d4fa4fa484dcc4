/**
 * The outbox of a name on disk, as the commands use it: in the state directory, held by one
 * parley at a time (a stale lock taken over), `send --queue` adding to it without losing what
 * was there, and `parley outbox` listing it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queueInOutbox, queueRoute } from '../../src/cli/outbox.js';
import { entryJson, formatListed, type Listed } from '../../src/cli/outbox-list.js';
import { parleyError } from '../../src/errors.js';
import { MAX_OUTBOX_MESSAGES } from '../../src/limits.js';
import type { MessageSummary } from '../../src/node/jobs.js';
import { outboxCapsOf } from '../../src/node/options.js';
import type { DeliveryReport } from '../../src/node/reports.js';
import { lockHolder, startTimeOf, takeLock } from '../../src/store/lock-file.js';
import { inMemoryWarning, keptOutbox, lockFileOf } from '../../src/store/name-store.js';
import { readOutboxFile } from '../../src/store/outbox-file.js';
import { readHandedIn } from '../../src/store/outbox-inbox.js';

const saved = process.env.PARLEY_STATE_DIR;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-outbox-cli-'));
  chmodSync(dir, 0o700);
  process.env.PARLEY_STATE_DIR = dir;
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (saved === undefined) delete process.env.PARLEY_STATE_DIR;
  else process.env.PARLEY_STATE_DIR = saved;
});

/** A pid no process has any more: a child that already ended. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;
/** A live process that is not us. */
const livePid = process.ppid;

const said: string[] = [];
const say = (text: string) => void said.push(text);
beforeEach(() => void said.splice(0));

const toBob = { username: 'bob', host: '127.0.0.1', port: 5002 };
/** The caps of a node with no outbox options: the defaults of limits.ts. */
const CAPS = outboxCapsOf({});
const summary = (msgId: string, text: string): MessageSummary => ({
  msgId,
  text,
  to: toBob,
  group: 'x25519',
});
const failedWith = (
  msgId: string,
  failure: Extract<DeliveryReport, { failure: unknown }>['failure'],
): DeliveryReport => ({
  outcome: 'not_delivered',
  msgId,
  to: toBob,
  failure,
  reason: 'bob is not reachable',
  elapsedMs: 1,
});
const unreachable = (msgId: string) =>
  failedWith(msgId, { cause: 'unreachable', code: 'ECONNREFUSED', message: 'refused' });
const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('the lock: one parley per outbox', () => {
  it('is taken with our pid, said held while another live process has it, and given back', () => {
    const path = join(dir, 'lock-outbox-alice');
    const taken = takeLock(path);
    expect(E.isRight(taken)).toBe(true);
    expect(lockHolder(path)).toBe(process.pid);
    if (E.isRight(taken)) taken.right.release();
    expect(existsSync(path)).toBe(false);

    writeFileSync(path, `${livePid}\n`);
    expect(takeLock(path)).toEqual(
      E.left({
        code: 'lock_held',
        message: `${path} is held by another parley (pid ${livePid})`,
        pid: livePid,
      }),
    );
    expect(lockHolder(path)).toBe(livePid);
  });

  it('left by a process that is gone (kill -9), it is taken over', () => {
    const path = join(dir, 'lock-outbox-alice');
    writeFileSync(path, `${deadPid()}\n`);
    const taken = takeLock(path);
    expect(E.isRight(taken)).toBe(true);
    expect(lockHolder(path)).toBe(process.pid);
  });

  it.skipIf(startTimeOf('self') === undefined)(
    'names its process by pid and start time: a pid another process has now (a reboot, a restarted container) holds nothing',
    () => {
      const path = join(dir, 'lock-outbox-alice');
      const taken = takeLock(path);
      // And a nonce of its own, so that a stale lock is told from the one that replaced it.
      expect(readFileSync(path, 'utf8')).toMatch(
        new RegExp(`^${process.pid} ${startTimeOf('self')} [0-9a-f]{16}\\n$`),
      );
      if (E.isRight(taken)) taken.right.release();

      writeFileSync(path, `${livePid} ${startTimeOf(livePid)}\n`);
      expect(takeLock(path)).toEqual(
        E.left({
          code: 'lock_held',
          message: `${path} is held by another parley (pid ${livePid})`,
          pid: livePid,
        }),
      );
      // The same pid, but not the process that wrote the lock: it started at another time.
      writeFileSync(path, `${livePid} 1\n`);
      const again = takeLock(path);
      expect(E.isRight(again)).toBe(true);
      expect(lockHolder(path)).toBe(process.pid);
    },
  );

  const claimOf = (path: string, stale: string) =>
    `${path}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;

  it('a stale lock is removed only by the one start that claimed it; a claim left by a killed start is taken over', () => {
    const path = join(dir, 'lock-outbox-alice');
    const stale = `${deadPid()} 1 00000000000000aa\n`;
    writeFileSync(path, stale);
    writeFileSync(claimOf(path, stale), `${deadPid()} 1 00000000000000bb\n`);
    const taken = takeLock(path);
    expect(E.isRight(taken)).toBe(true);
    expect(lockHolder(path)).toBe(process.pid);
    // Nothing left beside it: no claim, no temporary file of the record.
    expect(readdirSync(dir)).toEqual(['lock-outbox-alice']);
  });

  it('while a live start removes a stale lock, the others wait, and say so if it takes too long', () => {
    const path = join(dir, 'lock-outbox-alice');
    const stale = `${deadPid()} 1 00000000000000aa\n`;
    writeFileSync(path, stale);
    writeFileSync(claimOf(path, stale), `${livePid} ${startTimeOf(livePid) ?? '-'} cc\n`);
    const began = Date.now();
    expect(takeLock(path, 100)).toEqual(
      E.left({ code: 'lock_failed', message: `${path} is being taken by another parley` }),
    );
    expect(Date.now() - began).toBeGreaterThanOrEqual(100);
    // Not ours to remove: the stale lock is still there for the start that claimed it.
    expect(readFileSync(path, 'utf8')).toBe(stale);
  });

  it('release never removes a lock that another took over meanwhile', () => {
    const path = join(dir, 'lock-outbox-alice');
    const taken = takeLock(path);
    writeFileSync(path, `${livePid}\n`);
    if (E.isRight(taken)) taken.right.release();
    expect(lockHolder(path)).toBe(livePid);
  });
});

describe('keptOutbox', () => {
  it('is outbox-<name> in the state directory, beside the seen file, and holds the lock', () => {
    const kept = keptOutbox('al/ice', say);
    expect(E.isRight(kept) && kept.right.kind).toBe('durable');
    if (E.isLeft(kept) || kept.right.kind !== 'durable') return;
    expect(kept.right.path).toBe(join(dir, 'outbox-al%2Fice'));
    expect(lockHolder(lockFileOf(kept.right.path))).toBe(process.pid);
    kept.right.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes at start the temporary files of writes cut short: only ours, only old ones (issue 20, finding 14)', () => {
    const inbox = join(dir, 'inbox-alice');
    mkdirSync(inbox, { mode: 0o700 });
    const old = (path: string, text = 'half a write') => {
      writeFileSync(path, text);
      const hourAgo = new Date(Date.now() - 3_600_000);
      utimesSync(path, hourAgo, hourAgo);
    };
    old(join(dir, '.outbox-alice.0123456789ab.tmp'), 'x'.repeat(100_000));
    old(join(dir, '.seen-alice.00000000abcd.tmp'));
    old(join(inbox, '.000000000000001-x.json.aaaaaaaaaaaa.tmp'));
    // A write in progress (fresh), a name not of ours, a link: left alone.
    writeFileSync(join(dir, '.outbox-bob.bbbbbbbbbbbb.tmp'), 'being written');
    old(join(dir, '.notes.tmp'));
    symlinkSync('/nowhere', join(dir, '.outbox-carol.cccccccccccc.tmp'));
    const kept = keptOutbox('alice', say);
    if (E.isLeft(kept) || kept.right.kind !== 'durable') throw new Error('not durable');
    kept.right.release();
    expect(readdirSync(dir).sort()).toEqual(
      [
        '.notes.tmp',
        '.outbox-bob.bbbbbbbbbbbb.tmp',
        '.outbox-carol.cccccccccccc.tmp',
        'inbox-alice',
      ].sort(),
    );
    expect(readdirSync(inbox)).toEqual([]);
    expect(said).toEqual([
      `removed 2 temporary file(s) left in ${dir} by writes cut short`,
      `removed 1 temporary file(s) left in ${inbox} by writes cut short`,
    ]);
  });

  it('in memory, saying why, while another parley of that name holds it', () => {
    writeFileSync(join(dir, 'lock-outbox-alice'), `${livePid}\n`);
    const kept = keptOutbox('alice', say);
    expect(kept).toEqual(
      E.right({
        kind: 'memory',
        path: join(dir, 'outbox-alice'),
        reason: `another parley (pid ${livePid}) is running as alice and keeps it`,
        heldBy: livePid,
      }),
    );
    if (E.isRight(kept) && kept.right.kind === 'memory') {
      expect(inMemoryWarning(kept.right)).toBe(
        `cannot keep the outbox in ${join(dir, 'outbox-alice')} (another parley (pid ${livePid}) is running as alice and keeps it); it is kept in memory: what is not delivered is lost when parley ends`,
      );
    }
  });

  it('in memory when the state directory cannot be made; refused when others may write to it', () => {
    process.env.PARLEY_STATE_DIR = '/dev/null/parley';
    const kept = keptOutbox('alice', say);
    expect(E.isRight(kept) && kept.right.kind).toBe('memory');
    process.env.PARLEY_STATE_DIR = dir;
    chmodSync(dir, 0o777);
    expect(keptOutbox('alice', say)).toEqual(
      E.left(parleyError('state_directory', expect.stringContaining('chmod 700'))),
    );
  });

  it('an unreadable outbox file is set aside, and said', () => {
    writeFileSync(join(dir, 'outbox-alice'), '{ not json');
    const kept = keptOutbox('alice', say);
    expect(E.isRight(kept) && kept.right.kind).toBe('durable');
    expect(said).toEqual([
      expect.stringMatching(/outbox-alice: not valid JSON; moved to .*unreadable/),
    ]);
  });
});

describe('send --queue', () => {
  it('adds the message to what waits, keeping every message already there', () => {
    const first = queueInOutbox('alice', summary(ID(1), 'first'), unreachable(ID(1)), say, CAPS);
    expect(first).toEqual(E.right(join(dir, 'outbox-alice')));
    const refused = failedWith(ID(2), { cause: 'rejected', code: 'auth_failed', message: 'x' });
    queueInOutbox('alice', summary(ID(2), 'second'), refused, say, CAPS);
    const waiting = readOutboxFile(join(dir, 'outbox-alice'));
    expect(
      E.map((es: readonly { job: MessageSummary; attempts: number; paused: boolean }[]) =>
        es.map((e) => [e.job.msgId, e.job.text, e.attempts, e.paused]),
      )(waiting),
    ).toEqual(
      E.right([
        [ID(1), 'first', 1, false],
        // A refused password pauses it, as in the chat.
        [ID(2), 'second', 1, true],
      ]),
    );
    // The lock was given back.
    expect(existsSync(join(dir, 'lock-outbox-alice'))).toBe(false);
  });

  it('refuses, changing nothing, when the outbox is full; hands it in when another parley holds it', () => {
    const file = join(dir, 'outbox-alice');
    const messages = Array.from({ length: MAX_OUTBOX_MESSAGES }, (_, i) => ({
      msg_id: ID(i),
      to: { ...toBob },
      text: 'x',
      group: 'x25519',
      attempts: 1,
      paused: false,
    }));
    writeFileSync(file, JSON.stringify({ version: 1, messages }));
    const before = readFileSync(file, 'utf8');
    expect(
      queueInOutbox('alice', summary(ID(5000), 'one more'), unreachable(ID(5000)), say, CAPS),
    ).toEqual(
      E.left(
        parleyError(
          'outbox_full',
          'the outbox of alice is full (1000 messages, 1 KiB): let some go out first',
        ),
      ),
    );
    expect(readFileSync(file, 'utf8')).toBe(before);

    writeFileSync(join(dir, 'lock-outbox-alice'), `${livePid}\n`);
    // While another parley holds it, a message is handed to that one, never written here.
    expect(queueRoute('alice')).toEqual(
      E.right({ kind: 'handOver', pid: livePid, inbox: join(dir, 'inbox-alice') }),
    );
    // So too when it started after queueRoute looked (or is another send --queue of the same
    // instant): the message is handed in, never refused (issue 20, finding 2).
    const handed = queueInOutbox('alice', summary(ID(5001), 'x'), unreachable(ID(5001)), say, CAPS);
    expect(handed).toEqual(
      E.right(expect.stringMatching(new RegExp(`inbox-alice/\\d{15}-${ID(5001)}\\.json$`))),
    );
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(
      readHandedIn(join(dir, 'inbox-alice')).found.map((f) => [f.entry.job, f.entry.attempts]),
    ).toEqual([[summary(ID(5001), 'x'), 1]]);
    expect(queueRoute('bob')).toEqual(E.right({ kind: 'outbox' }));
  });
  it('holds the message to the caps it is given, as the node holds its own (messages, then bytes)', () => {
    const file = join(dir, 'outbox-alice');
    const one = { maxMessages: 1, maxBytes: 1_000 };
    expect(queueInOutbox('alice', summary(ID(1), 'first'), unreachable(ID(1)), say, one)).toEqual(
      E.right(file),
    );
    const before = readFileSync(file, 'utf8');
    expect(queueInOutbox('alice', summary(ID(2), 'second'), unreachable(ID(2)), say, one)).toEqual(
      E.left(
        parleyError(
          'outbox_full',
          'the outbox of alice is full (1 message, 1 KiB): let some go out first',
        ),
      ),
    );
    const tenBytes = { maxMessages: 10, maxBytes: 10 };
    expect(
      queueInOutbox('alice', summary(ID(3), 'seven!!'), unreachable(ID(3)), say, tenBytes),
    ).toEqual(
      E.left(
        parleyError(
          'outbox_full',
          'the outbox of alice is full (1 message, 1 KiB): let some go out first',
        ),
      ),
    );
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});

describe('parley outbox', () => {
  const entry = (text: string, over: { attempts?: number; paused?: boolean } = {}) => ({
    job: summary(ID(1), text),
    report: unreachable(ID(1)),
    attempts: over.attempts ?? 1,
    nextTryAt: 0,
    paused: over.paused ?? false,
  });
  const listed = (over: Partial<Listed> = {}): Listed => ({
    name: 'alice',
    path: '/s/outbox-alice',
    entries: [entry('hello bob\nsecond line', { attempts: 3 }), entry('psst', { paused: true })],
    runningPid: undefined,
    ...over,
  });

  it('lists to whom, the first words, attempts, and when each goes out', () => {
    expect(formatListed(listed())).toBe(
      [
        'outbox of alice (/s/outbox-alice): 2 messages',
        '  1) to bob "hello bob…" — 3 attempts; goes out as soon as a chat or listen as alice starts',
        '  2) to bob "psst" — 1 attempt; paused after a password mismatch: it does not go out by itself, until bob reaches you; in the chat as alice, /retry 2 tries again',
      ].join('\n'),
    );
    expect(formatListed(listed({ runningPid: 42 }))).toContain(
      '2 messages; parley (pid 42) runs as alice\n  1) to bob "hello bob…" — 3 attempts; the parley running as alice sends it on its schedule',
    );
    expect(formatListed(listed({ entries: [] }))).toBe('outbox of alice: empty');
  });

  it('--json: one line per message, snake_case, the whole text', () => {
    const [waiting, paused] = listed().entries;
    expect(JSON.parse(entryJson(waiting!, listed()))).toEqual({
      name: 'alice',
      msg_id: ID(1),
      to: { username: 'bob', host: '127.0.0.1', port: 5002 },
      text: 'hello bob\nsecond line',
      bytes: 21,
      attempts: 3,
      paused: false,
      next_try: 'on_start',
    });
    expect(JSON.parse(entryJson(waiting!, listed({ runningPid: 42 }))).next_try).toBe('running');
    expect(JSON.parse(entryJson(paused!, listed())).next_try).toBeNull();
  });
});

describe('the codes of what the outbox refuses (issue 17, item 6)', () => {
  it('where send --queue could keep it: the state directory refused, or unavailable', () => {
    chmodSync(dir, 0o777);
    expect(queueRoute('alice')).toEqual(
      E.left(parleyError('state_directory', expect.stringContaining(`chmod 700 ${dir}`))),
    );
    chmodSync(dir, 0o700);
    process.env.PARLEY_STATE_DIR = '/dev/null/parley';
    expect(queueRoute('alice')).toEqual(
      E.left(
        parleyError(
          'outbox_file',
          expect.stringMatching(/^cannot keep the outbox in \/dev\/null\/parley\/outbox-alice \(/),
        ),
      ),
    );
    expect(queueInOutbox('alice', summary(ID(1), 'x'), unreachable(ID(1)), say, CAPS)).toEqual(
      E.left(
        parleyError(
          'outbox_file',
          expect.stringMatching(/^cannot keep it in \/dev\/null\/parley\/outbox-alice \(/),
        ),
      ),
    );
  });

  it('an outbox file that cannot be read: outbox_file, naming the file', () => {
    const path = join(dir, 'outbox-alice');
    writeFileSync(path, '{oops');
    expect(readOutboxFile(path)).toEqual(
      E.left(parleyError('outbox_file', `${path}: not valid JSON`)),
    );
    writeFileSync(path, '{"version":1,"messages":[{"msg_id":"nope"}]}');
    const read = readOutboxFile(path);
    expect(E.isLeft(read) && read.left.code).toBe('outbox_file');
    expect(E.isLeft(read) && read.left.message).toMatch(new RegExp(`^${path}: `));
  });
});
