/**
 * parley's X25519 (node:crypto) and libsodium's against RFC 7748's known answers, against each
 * other on random keys, and on every low-order point.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sodiumX25519 } from '../../bench/x25519-sodium.js';
import { nodeX25519, type X25519, x25519 } from '../../src/crypto/x25519.js';

const hex = (s: string) => Buffer.from(s, 'hex');

// RFC 7748 §6.1: Alice's and Bob's keys and their shared secret.
const RFC = {
  alicePrivate: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
  alicePublic: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
  bobPrivate: '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb',
  bobPublic: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
  shared: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
};

// u-coordinates that give an all-zero result for every clamped scalar (little-endian): 0, 1,
// the two points of order 8, p − 1 (order 2), the non-canonical p and p + 1, and two with the
// top bit set (RFC 7748 ignores it), after libsodium's list.
const LOW_ORDER: readonly [string, string][] = [
  ['0', '0000000000000000000000000000000000000000000000000000000000000000'],
  ['1', '0100000000000000000000000000000000000000000000000000000000000000'],
  ['order 8 (a)', 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'],
  ['order 8 (b)', '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157'],
  ['p − 1', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
  ['p', 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
  ['p + 1', 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
  ['0 with the top bit set', '0000000000000000000000000000000000000000000000000000000000000080'],
  ['order 8 (a), top bit', 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880'],
];

const IMPLEMENTATIONS: readonly X25519[] = [nodeX25519, ...(sodiumX25519 ? [sodiumX25519] : [])];

describe.each(IMPLEMENTATIONS.map((i) => [i.implementation, i] as const))(
  'X25519 by %s',
  (_, dh) => {
    it('reproduces RFC 7748 §6.1: both public values and the shared secret', () => {
      const alice = dh.keyPair(hex(RFC.alicePrivate));
      const bob = dh.keyPair(hex(RFC.bobPrivate));
      expect(alice.publicKey.toString('hex')).toBe(RFC.alicePublic);
      expect(bob.publicKey.toString('hex')).toBe(RFC.bobPublic);
      expect(alice.shared(hex(RFC.bobPublic))?.toString('hex')).toBe(RFC.shared);
      expect(bob.shared(hex(RFC.alicePublic))?.toString('hex')).toBe(RFC.shared);
    });

    it('makes a fresh key each time, and both sides agree', () => {
      const a = dh.keyPair();
      const b = dh.keyPair();
      expect(a.publicKey).toHaveLength(32);
      expect(a.publicKey.equals(b.publicKey)).toBe(false);
      const shared = a.shared(b.publicKey);
      expect(shared).toHaveLength(32);
      expect(shared?.equals(b.shared(a.publicKey)!)).toBe(true);
    });

    it.each(LOW_ORDER)('refuses the low-order point %s', (_, point) => {
      expect(dh.keyPair().shared(hex(point))).toBeUndefined();
    });

    it('refuses a peer value of the wrong length rather than throwing', () => {
      expect(dh.keyPair().shared(Buffer.alloc(31, 9))).toBeUndefined();
    });
  },
);

describe('the two implementations', () => {
  // parley takes its X25519 from node:crypto; libsodium (the bench's floor) is the cross-check.
  it('parley uses node:crypto, and the cross-check has libsodium to compare with', () => {
    expect(x25519.implementation).toBe('node:crypto');
    expect(sodiumX25519).toBeDefined();
  });

  it.runIf(sodiumX25519)('compute the same public values and secrets for any keys', () => {
    const key = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b));
    fc.assert(
      fc.property(key, key, (a, b) => {
        const viaNode = [nodeX25519.keyPair(a), nodeX25519.keyPair(b)] as const;
        const viaSodium = [sodiumX25519!.keyPair(a), sodiumX25519!.keyPair(b)] as const;
        expect(viaSodium[0].publicKey).toEqual(viaNode[0].publicKey);
        expect(viaSodium[0].shared(viaNode[1].publicKey)).toEqual(
          viaNode[0].shared(viaSodium[1].publicKey),
        );
      }),
      { numRuns: 50 },
    );
  });

  it.runIf(sodiumX25519)('agree on random peer values, points on the twist included', () => {
    const mine = randomBytes(32);
    for (let i = 0; i < 50; i += 1) {
      const peer = randomBytes(32);
      expect(sodiumX25519!.keyPair(mine).shared(peer)).toEqual(
        nodeX25519.keyPair(mine).shared(peer),
      );
    }
  });
});
