/**
 * What the console and the scriptable commands say: exact sentences.
 */
import { describe, expect, it } from 'vitest';
import { describeIncoming, traceLine, traceStamp } from '../../src/cli/notices.js';
import {
  clockTime,
  excerpt,
  formatDelivery,
  formatOutbox,
  formatProbe,
  formatReceived,
  formatWentByItself,
  probeSummary,
  roughly,
} from '../../src/cli/text.js';
import { keptFromLastTime, type Waiting } from '../../src/cli/waiting.js';
import type { OutboxEntry, ReceivedMessage } from '../../src/index.js';
import type { DeliveryReport, ProbeReport } from '../../src/node/reports.js';

const message = (over: Partial<ReceivedMessage> = {}): ReceivedMessage => ({
  from: 'alice',
  to: 'bob',
  text: 'hello',
  msgId: '0b3f7a3c-1d2e-4f50-8a9b-0c1d2e3f4a5b',
  timestamp: '2026-11-21T12:00:00.000Z',
  clockSkewMs: 40,
  ...over,
});

const at = new Date(2026, 10, 21, 9, 5, 7);
const bob = { username: 'bob', host: '127.0.0.1', port: 5002 };

describe('incoming messages', () => {
  it('show the local time and the sender; later lines are indented under the first', () => {
    expect(clockTime(at)).toBe('09:05:07');
    expect(formatReceived(message({ text: 'one\ntwo' }), at)).toBe(
      '[09:05:07] alice: one\n                  two',
    );
  });

  it('never pass terminal control characters through, in the text or the name', () => {
    const shown = formatReceived(
      message({ from: 'ali\u009bce', text: 'red \u001b[31malert\u0007 \u202eevil\ttab' }),
      at,
    );
    expect(shown).toBe('[09:05:07] ali\\u009bce: red \\u001b[31malert\\u0007 \\u202eevil\ttab');
  });

  it('note a sender clock far from ours, and which way', () => {
    const behind = formatReceived(message({ clockSkewMs: 7 * 60_000 }), at);
    expect(behind).toBe(
      "[09:05:07] alice: hello\n  (written 7 minutes ago, at 2026-11-21T12:00:00.000Z: it waited to be delivered, or alice's clock is behind ours)",
    );
    expect(formatReceived(message({ clockSkewMs: -3 * 3_600_000 }), at)).toContain(
      "alice's clock is 3 hours ahead of ours",
    );
    expect(formatReceived(message({ clockSkewMs: 4 * 60_000 }), at)).toBe(
      '[09:05:07] alice: hello',
    );
    expect(roughly(1_000)).toBe('1 second');
    expect(roughly(2 * 86_400_000)).toBe('2 days');
  });
});

describe('the line that ends a send', () => {
  it('delivered: to whom and how long it took', () => {
    const report: DeliveryReport = {
      outcome: 'delivered',
      msgId: 'm',
      to: bob,
      peer: 'bob',
      elapsedMs: 42,
    };
    expect(formatDelivery(report)).toBe('✓ delivered to bob in 42 ms');
    const manual = { ...report, to: { ...bob, username: undefined } };
    expect(formatDelivery(manual)).toBe('✓ delivered to 127.0.0.1:5002 (bob) in 42 ms');
  });

  it('not delivered: the node’s reason, that it waits, and when it goes out by itself', () => {
    const report: DeliveryReport = {
      outcome: 'not_delivered',
      msgId: 'm',
      to: bob,
      failure: { cause: 'unreachable', code: 'ECONNREFUSED', message: 'refused' },
      reason: 'bob is not reachable',
      elapsedMs: 5,
    };
    const waits = (over: Partial<OutboxEntry> = {}, nowMs = 1_000): Waiting => ({
      number: 2,
      entry: {
        job: { msgId: 'm', text: 'x', to: bob, group: 'x25519' },
        report,
        attempts: 1,
        nextTryAt: 11_000,
        paused: false,
        ...over,
      },
      nowMs,
    });
    expect(formatDelivery(report, waits())).toBe(
      '✗ not delivered to bob: bob is not reachable — waits in the outbox (2); next try in 10 s, or /retry 2 now',
    );
    expect(formatDelivery(report, waits({ nextTryAt: 400_000 }))).toMatch(
      /next try in 7 min, or \/retry 2 now$/,
    );
    expect(formatDelivery(report, waits({}, 11_000))).toMatch(/\(2\); next try now$/);
    expect(formatDelivery(report)).toBe('✗ not delivered to bob: bob is not reachable');
    expect(
      formatDelivery({ ...report, outcome: 'unknown', reason: 'the connection broke' }, waits()),
    ).toBe(
      '? bob may or may not have it: the connection broke — waits in the outbox (2); next try in 10 s, or /retry 2 now (a retry is shown only once)',
    );
  });

  it('paused: why it does not go by itself; /edit only when our own check of the proof failed', () => {
    const ours: DeliveryReport = {
      outcome: 'not_delivered',
      msgId: 'm',
      to: bob,
      failure: { cause: 'rejected', code: 'auth_failed', message: '' },
      reason: 'bob could not prove it knows the password',
      elapsedMs: 5,
    };
    const paused = (report: DeliveryReport): Waiting => ({
      number: 1,
      entry: {
        job: { msgId: 'm', text: 'x', to: report.to, group: 'x25519' },
        report,
        attempts: 1,
        nextTryAt: 9,
        paused: true,
      },
      nowMs: 0,
    });
    expect(formatDelivery(ours, paused(ours))).toBe(
      '✗ not delivered to bob: bob could not prove it knows the password — waits in the outbox (1); paused: it does not go out by itself until /edit bob corrects the password (it goes at once then); if the directory already has the right one, /retry 1 sends it',
    );
    // The peer's own word that the password is wrong is no reason to change it.
    const saidSo: DeliveryReport = {
      ...ours,
      failure: { cause: 'peer_error', code: 'auth_failed', message: '' },
      reason: 'the peer at 127.0.0.1:5002 says the password does not match',
    };
    expect(formatDelivery(saidSo, paused(saidSo))).toBe(
      '✗ not delivered to bob: the peer at 127.0.0.1:5002 says the password does not match — waits in the outbox (1); paused after a password mismatch: it does not go out by itself, until bob reaches you; /retry 1 tries again',
    );
    const byHand = { ...ours, to: { ...bob, username: undefined } };
    expect(formatDelivery(byHand, paused(byHand))).toMatch(
      /\(1\); paused after a password mismatch: it does not go out by itself; \/retry 1 tries again$/,
    );
    expect(formatDelivery(byHand, paused(byHand))).not.toContain('/edit');
  });
});

describe('the outbox kept from last time, said at start', () => {
  const going = { paused: false };
  const paused = { paused: true };
  it('says how many go out by themselves and how many wait paused (which do not)', () => {
    expect(keptFromLastTime([going])).toBe(
      'the outbox kept 1 message from last time: it goes out now, by itself',
    );
    expect(keptFromLastTime([going, going])).toBe(
      'the outbox kept 2 messages from last time: they go out now, by themselves',
    );
    expect(keptFromLastTime([paused])).toBe(
      'the outbox kept 1 message from last time: it waits paused after a password mismatch',
    );
    expect(keptFromLastTime([going, paused, paused])).toBe(
      'the outbox kept 3 messages from last time: 1 goes out now, by itself; 2 wait paused after a password mismatch',
    );
  });
});

describe('presence', () => {
  const online: ProbeReport = { outcome: 'online', to: bob, peer: 'bob', elapsedMs: 3 };
  const offline: ProbeReport = {
    outcome: 'offline',
    to: { ...bob, username: 'carol' },
    failure: { cause: 'unreachable', code: 'ECONNREFUSED', message: 'refused' },
    reason: 'carol is not reachable',
    elapsedMs: 1,
  };
  it('one line per contact, aligned, and a summary', () => {
    expect(formatProbe(online, 5)).toBe('bob    online (3 ms)');
    expect(formatProbe(offline, 5)).toBe('carol  offline: carol is not reachable');
    expect(probeSummary([online, offline, { ...offline, outcome: 'wrong_password' }])).toBe(
      '3 contacts: 1 online, 1 offline, 1 password mismatch',
    );
  });
});

describe('lists', () => {
  it('shorten a message to its first line', () => {
    expect(excerpt('short')).toBe('"short"');
    expect(excerpt('first\nsecond')).toBe('"first…"');
    expect(excerpt('x'.repeat(50))).toBe(`"${'x'.repeat(40)}…"`);
  });
});

describe('notices and the trace', () => {
  const rejected = (stranger: boolean) => ({
    kind: 'incoming' as const,
    remote: '10.1.2.3',
    event: {
      kind: 'rejected' as const,
      failure: { cause: 'rejected' as const, code: 'auth_failed' as const, message: 'bad proof' },
      step: 'awaitingAuth' as const,
      peer: 'alice',
      stranger,
    },
  });

  it("a long message's progress is told, part by part", () => {
    const part = {
      kind: 'part' as const,
      from: 'bob',
      groupId: '3f2c8a1e-5b7d-4c9e-8a6f-1d2e00000000',
      k: 2,
      n: 5,
      have: 2,
      remote: '10.1.2.3',
    };
    expect(describeIncoming(part)).toBe('bob is sending a long message: 2 of 5 parts');
    expect(traceLine(part)).toMatch(/^in {2}10\.1\.2\.3 part 2\/5 of message 3f2c8a1e-/);
  });

  it('an internal error is always worth telling', () => {
    expect(describeIncoming({ kind: 'error', code: 'internal', message: 'disk full' })).toBe(
      '! internal error: disk full',
    );
  });

  it('a failed password attempt is worth telling; a stranger is called so', () => {
    expect(describeIncoming(rejected(false))).toBe(
      '! alice (from 10.1.2.3) tried to reach you, but the password did not match',
    );
    expect(describeIncoming(rejected(true))).toBe(
      '! someone at 10.1.2.3 calling themselves alice (not in your directory) tried to reach you, but the password did not match',
    );
  });

  it('a claimed name or an error code from a peer reaches the screen only as printable text', () => {
    const sneaky = rejected(true);
    const named = { ...sneaky, event: { ...sneaky.event, peer: 'ali\u202eecila\u009b2J' } };
    expect(describeIncoming(named)).toBe(
      '! someone at 10.1.2.3 calling themselves ali\\u202eecila\\u009b2J (not in your directory) tried to reach you, but the password did not match',
    );
    const failure = { cause: 'peer_error' as const, code: '\u001b[2J', message: '\u001b[2J' };
    const trace = traceLine({
      kind: 'incoming',
      remote: '10.1.2.3',
      event: { ...named.event, failure, step: 'awaitingDh' },
    });
    expect(trace).toBe(
      'in  10.1.2.3 (says it is ali\\u202eecila\\u009b2J, not a contact) ended at awaitingDh: peer_error \\u001b[2J',
    );
  });

  it('the trace names frames, sizes and outcomes, never text or secrets', () => {
    const frame = traceLine({
      kind: 'frame',
      role: 'initiator',
      remote: '127.0.0.1',
      direction: 'out',
      type: 'hello',
      bytes: 97,
    });
    expect(frame).toBe('out 127.0.0.1 -> hello frame, 97 bytes (as initiator)');
    const received = traceLine({
      kind: 'incoming',
      remote: '127.0.0.1',
      event: { kind: 'received', message: message({ text: 'top secret' }) },
    });
    expect(received).toBe(
      'in  127.0.0.1 message 0b3f7a3c-1d2e-4f50-8a9b-0c1d2e3f4a5b from alice: MAC verified, 10 bytes, ack sent',
    );
    expect(received).not.toContain('top secret');
    expect(
      traceStamp(new Date(Date.UTC(2026, 0, 1, 0, 0, 1, 500)), new Date(Date.UTC(2026, 0, 1))),
    ).toBe('00:00:01.500 +1.500s');
  });
});

describe('a waiting message that went out by itself (issue 22.7)', () => {
  it('says which one, by its first words, printable', () => {
    const report: DeliveryReport = {
      outcome: 'delivered',
      msgId: '0b3c6e3a-8d1f-4a5e-9c2b-7f6a5d4c3b2a',
      to: { username: 'bob', host: '127.0.0.1', port: 5002 },
      peer: 'bob',
      elapsedMs: 12,
    };
    expect(formatWentByItself(report, 'see you\nat eight')).toBe(
      '✓ delivered to bob in 12 ms: "see you…" (it went out by itself)',
    );
    expect(formatWentByItself(report, 'x'.repeat(100))).toBe(
      `✓ delivered to bob in 12 ms: "${'x'.repeat(40)}…" (it went out by itself)`,
    );
  });
});

describe('/outbox says a long reason once (issue 22.7)', () => {
  it('an entry whose reason an earlier one gave points to it instead', () => {
    const reason = `bob is not reachable at 127.0.0.1:5002: ${'nobody is listening there; '.repeat(8)}`;
    const entry = (n: number, why: string): OutboxEntry => ({
      job: {
        msgId: `0b3c6e3a-8d1f-4a5e-9c2b-7f6a5d4c3b2${n}`,
        text: `m${n}`,
        to: { username: 'bob', host: '127.0.0.1', port: 5002 },
        group: 'x25519',
      },
      report: {
        outcome: 'not_delivered',
        msgId: `0b3c6e3a-8d1f-4a5e-9c2b-7f6a5d4c3b2${n}`,
        to: { username: 'bob', host: '127.0.0.1', port: 5002 },
        failure: { cause: 'unreachable', code: 'ECONNREFUSED', message: 'refused' },
        reason: why,
        elapsedMs: 1,
      },
      attempts: 1,
      nextTryAt: undefined,
      paused: false,
    });
    const listed = formatOutbox([entry(1, reason), entry(2, reason), entry(3, 'other')], 0);
    const lines = listed.split('\n');
    expect(listed.split(reason).length - 1).toBe(1);
    expect(lines[1]).toContain('"m2" — not delivered (1 attempt): as 1);');
    expect(lines[2]).toContain('"m3" — not delivered (1 attempt): other;');
  });
});
