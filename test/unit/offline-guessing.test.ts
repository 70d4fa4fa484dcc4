/**
 * What an impostor learns from one connection (docs/SECURITY.md): it answers alice as bob,
 * with a password it does not know, and takes her proof home. With modp14 and x25519 it knows
 * DHSK, so her proof confirms a password guess offline. With CPace its DHSK comes from its own
 * (wrong) generator: no guess tested at home matches, not even the right password.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { GROUPS } from '../../src/codecs/formats.js';
import { createKeyPair, type DhKeyPair } from '../../src/crypto/dh.js';
import { deriveKeys, proof, transcriptHash } from '../../src/crypto/schedule.js';

const PASSWORD = 'tulip7';
const GUESSES = ['123456', 'password', 'tulip6', PASSWORD, 'tulip8'];

const binding = (secret: string) => ({
  secret,
  initiator: 'alice',
  responder: 'bob',
  initiatorNonce: '00112233445566778899aabbccddeeff',
  responderNonce: 'ffeeddccbbaa99887766554433221100',
});

const shared = (mine: DhKeyPair, theirs: DhKeyPair): Buffer =>
  E.getOrElseW(() => {
    throw new Error('a valid public value was refused');
  })(mine.deriveShared(theirs.publicHex));

describe.each(GROUPS)('an impostor answering alice, %s', (group) => {
  // alice knows the password; the impostor uses a guess of its own for the live connection.
  const alice = createKeyPair(group, binding(PASSWORD));
  const impostor = createKeyPair(group, binding('a live guess'));
  const th = transcriptHash({
    ...binding(PASSWORD),
    group,
    initiatorPublic: alice.publicHex,
    responderPublic: impostor.publicHex,
  });
  const proofI = proof(deriveKeys(PASSWORD, shared(alice, impostor)), th, 'initiator');
  const impostorDhsk = shared(impostor, alice);
  const confirmedOffline = GUESSES.filter(
    (guess) => proof(deriveKeys(guess, impostorDhsk), th, 'initiator') === proofI,
  );

  if (group === 'cpace-ristretto255') {
    it('confirms no guess offline: not even the right password matches her proof', () => {
      expect(confirmedOffline).toEqual([]);
    });
  } else {
    it('confirms the right password offline, from her proof alone', () => {
      expect(confirmedOffline).toEqual([PASSWORD]);
    });
  }
});
