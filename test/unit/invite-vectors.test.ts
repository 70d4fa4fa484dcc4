import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeLine } from '../../src/codecs/line.js';
import { deriveKeys } from '../../src/crypto/schedule.js';
import { openSecret, secretPassword } from '../../src/invite/schedule.js';
import { computeInviteVector } from '../support/invite-vector.js';

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/invite-v1.json', import.meta.url), 'utf8'),
) as ReturnType<typeof computeInviteVector>;

describe('parley-invite/1 vector', () => {
  const computed = computeInviteVector();

  it('reproduces every intermediate value and every frame line', () => {
    expect(computed).toEqual(fixture);
  });

  it('builds the generator string as docs/PROTOCOL.md spells it, byte by byte', () => {
    const code = Buffer.from('7-crater-lamp');
    const expected = Buffer.concat([
      Buffer.from([0x11]),
      Buffer.from('CPaceRistretto255'),
      Buffer.from([code.length]),
      code,
      Buffer.from([0x5f]),
      Buffer.alloc(0x5f),
      Buffer.from([0x1a, 0x0f]),
      Buffer.from('parley-invite/1'),
      Buffer.from([0x03]),
      Buffer.from('bob'),
      Buffer.from([0x05]),
      Buffer.from('alice'),
      Buffer.from([0x20]),
      Buffer.from(fixture.sid, 'hex'),
    ]);
    expect(fixture.gen).toBe(expected.toString('hex'));
  });

  it('TH is the SHA-256 of the invite lines, not of parley/1 ones', () => {
    const lines = [
      'parley-invite/1',
      'bob',
      'alice',
      fixture.inputs.joiner.nonce,
      fixture.inputs.inviter.nonce,
      'cpace-ristretto255',
      fixture.joiner_public,
      fixture.inviter_public,
    ].join('\n');
    expect(fixture.transcript_hash).toBe(createHash('sha256').update(lines).digest('hex'));
  });

  it('every line decodes through the frame codecs, and the secret opens to the filed password', () => {
    for (const line of Object.values(fixture.lines)) {
      expect(E.isRight(decodeLine(line.slice(0, -1)))).toBe(true);
    }
    const keys = deriveKeys(fixture.inputs.code, Buffer.from(fixture.k, 'hex'));
    const opened = openSecret(keys, fixture.sealed_secret);
    expect(E.isRight(opened) && secretPassword(opened.right)).toBe(fixture.password);
    expect(Buffer.from(fixture.sealed_secret, 'base64')).toHaveLength(48);
  });

  it('a wrong code gives another generator and other keys', () => {
    const other = deriveKeys('7-crater-lava', Buffer.from(fixture.k, 'hex'));
    expect(E.isLeft(openSecret(other, fixture.sealed_secret))).toBe(true);
  });
});
