/**
 * The slowdown after wrong passwords, told on both sides: how long, and whom.
 */
import { describe, expect, it } from 'vitest';
import { refusalToTell, type Told } from '../../src/cli/refusals.js';
import { formatDelivery, formatProbe } from '../../src/cli/text.js';
import type { NodeEvent } from '../../src/node/node.js';
import type { DeliveryReport, ProbeReport } from '../../src/node/reports.js';

const to = { username: 'bob', host: '10.0.0.5', port: 5002 };
const limited = { cause: 'peer_error', code: 'rate_limited', message: 'try again later' } as const;

describe('the sender: how long the peer refuses', () => {
  it('a send or a probe answered rate_limited says 30 s (a parley peer’s default)', () => {
    const report: DeliveryReport = {
      outcome: 'not_delivered',
      msgId: 'm-1',
      to,
      failure: limited,
      reason: 'bob is refusing us for a while after failed attempts; check the password and wait',
      elapsedMs: 4,
    };
    // The peer's word (an error frame): told as what the address says, with no password advice.
    expect(formatDelivery(report)).toBe(
      '✗ not delivered to bob: the peer at 10.0.0.5:5002 says it is refusing us after failed ' +
        'attempts (a parley peer refuses for 30 s by default), which may not be bob; wait that ' +
        'long before trying again',
    );
    const probe: ProbeReport = { ...report, outcome: 'failed' };
    expect(formatProbe(probe)).toContain('refuses for 30 s by default');
  });

  it('other failures keep the node’s reason', () => {
    const report: DeliveryReport = {
      outcome: 'not_delivered',
      msgId: 'm-1',
      to,
      failure: { cause: 'peer_error', code: 'busy', message: 'busy' },
      reason: 'bob is busy; try again in a moment',
      elapsedMs: 4,
    };
    expect(formatDelivery(report)).toBe(
      '✗ not delivered to bob: bob is busy; try again in a moment',
    );
  });
});

describe('the receiver: which address it refuses, once per block', () => {
  const refused = (remote: string, code: 'busy' | 'rate_limited' = 'rate_limited'): NodeEvent => ({
    kind: 'refused',
    code,
    remote,
  });
  const tell = (events: readonly [NodeEvent, number][]) => {
    let told: Told = new Map();
    return events.map(([event, at]) => {
      const [next, notice] = refusalToTell(told, event, at);
      told = next;
      return notice;
    });
  };
  const notice =
    '! refusing 192.0.2.7 for 30 s: 5 wrong passwords from there within 60 s (a contact with an old password, or someone guessing)';

  it('says so at the first refusal, then not again for that address until the block is over', () => {
    expect(
      tell([
        [refused('192.0.2.7'), 0],
        [refused('192.0.2.7'), 1_000],
        [refused('192.0.2.8'), 2_000],
        [refused('192.0.2.7'), 29_999],
        [refused('192.0.2.7'), 30_000],
      ]),
    ).toEqual([notice, undefined, notice.replace('192.0.2.7', '192.0.2.8'), undefined, notice]);
  });

  it('a guess refused at its proof counts too; busy is not a refusal of the address', () => {
    const guess: NodeEvent = {
      kind: 'incoming',
      remote: '192.0.2.7',
      event: {
        kind: 'rejected',
        step: 'awaitingAuth',
        peer: 'alice',
        stranger: false,
        failure: { cause: 'rejected', code: 'rate_limited', message: 'too many' },
      },
    };
    expect(tell([[guess, 0]])).toEqual([notice]);
    expect(tell([[refused('192.0.2.7', 'busy'), 0]])).toEqual([undefined]);
  });

  it('an IPv6 /64 is one address; the memory stays bounded', () => {
    expect(
      tell([
        [refused('2001:db8:1:2::5'), 0],
        [refused('2001:db8:1:2::6'), 10],
      ])[1],
    ).toBeUndefined();
    let told: Told = new Map();
    for (let i = 0; i < 1_500; i++) {
      [told] = refusalToTell(told, refused(`10.0.${i >> 8}.${i & 255}`), i);
    }
    expect(told.size).toBe(1_000);
  });
});
