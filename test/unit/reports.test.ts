/**
 * A peer's error frame in a person's words: told as what the peer at that address says (it is
 * unauthenticated), never as the contact's verdict, never with "change the password", and
 * never with a character that would act on the terminal.
 */
import { describe, expect, it } from 'vitest';
import { explainFailure } from '../../src/node/reports.js';

const bob = { username: 'bob', host: '127.0.0.1', port: 5002 };
const byHand = { username: undefined, host: '10.0.0.5', port: 5001 };
const peerSays = (code: string, message = '') => ({ cause: 'peer_error', code, message }) as const;

describe('an error frame from the peer', () => {
  it('is the word of the peer at that address, which may not be the contact', () => {
    expect(explainFailure(peerSays('auth_failed', 'authentication failed'), bob)).toBe(
      'the peer at 127.0.0.1:5002 says the password does not match (auth_failed), which may not be bob: check with bob another way rather than trying other passwords',
    );
    expect(explainFailure(peerSays('busy'), bob)).toBe(
      'the peer at 127.0.0.1:5002 says it is busy, which may not be bob; try again in a moment',
    );
    expect(explainFailure(peerSays('rate_limited'), byHand)).toBe(
      'the peer at 10.0.0.5:5001 says it is refusing us for a while after failed attempts, which may not be the one you meant; wait before trying again',
    );
    expect(explainFailure(peerSays('internal', 'disk full'), bob)).toBe(
      'the peer at 127.0.0.1:5002 says "disk full" (internal), which may not be bob',
    );
  });

  it('never advises another password on an unauthenticated word', () => {
    for (const code of ['auth_failed', 'rate_limited', 'busy', 'unknown_recipient', 'x']) {
      for (const to of [bob, byHand]) {
        expect(explainFailure(peerSays(code, 'wrong password'), to)).not.toMatch(
          /check the password|change the password|rejected the password/,
        );
      }
    }
  });

  it('shows escape sequences and bidirectional overrides as text, and cuts long words', () => {
    const attack = '\u001b[2J\u001b]0;pwned\u0007\u001b[32m✓ delivered\u001b[0m\u202e';
    const reason = explainFailure(peerSays(`x\u001b[31m`, attack), bob);
    expect(reason).toBe(
      'the peer at 127.0.0.1:5002 says "\\u001b[2J\\u001b]0;pwned\\u0007\\u001b[32m✓ delivered\\u001b[0m\\u202e" (x\\u001b[31m), which may not be bob',
    );
    const long = explainFailure(peerSays('y'.repeat(100), 'z'.repeat(10_000)), bob);
    expect(long).toBe(
      `the peer at 127.0.0.1:5002 says "${'z'.repeat(200)}…" (${'y'.repeat(32)}…), which may not be bob`,
    );
  });
});
