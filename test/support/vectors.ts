/**
 * The test vectors of parley/1, typed: the modp14 and x25519 cases are a copy of
 * shared/vectors/parley-v1.json; the cpace-ristretto255 case is written by ../fixtures/cpace-vector.ts.
 */
import { readFileSync } from 'node:fs';
import type { Group } from '../../src/codecs/formats.js';
import type { AckFrame, MessageFrame } from '../../src/codecs/frames.js';
import type { GroupBinding } from '../../src/crypto/dh.js';

export interface PartyVector {
  readonly username: string;
  readonly private: string;
  readonly public: string;
  readonly nonce: string;
}

export interface VectorCase {
  readonly group: Group;
  readonly secret: string;
  readonly initiator: PartyVector;
  readonly responder: PartyVector;
  readonly dhsk: string;
  readonly transcript_hash: string;
  readonly keys: { enc: string; iv: string; mac: string; auth: string };
  readonly proof_initiator: string;
  readonly proof_responder: string;
  readonly plaintext: string;
  readonly message_frame: MessageFrame;
  readonly ack_frame: AckFrame;
}

const file = new URL('../fixtures/parley-v1.json', import.meta.url);
export const VECTORS: readonly VectorCase[] = JSON.parse(readFileSync(file, 'utf8')).cases;

export const vectorFor = (group: Group): VectorCase => {
  const found = VECTORS.find((c) => c.group === group);
  if (!found) throw new Error(`no vector for ${group}`);
  return found;
};

/** What the handshake of a vector case binds the key pairs to (CPace's inputs). */
export const bindingOf = (v: VectorCase): GroupBinding => ({
  secret: v.secret,
  initiator: v.initiator.username,
  responder: v.responder.username,
  initiatorNonce: v.initiator.nonce,
  responderNonce: v.responder.nonce,
});
