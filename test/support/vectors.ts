/**
 * The test vectors of parley/1, typed. ../fixtures/parley-v1.json is a copy of the contract's
 * shared/vectors/parley-v1.json (the project builds and tests from its own clone): a case for
 * modp14 and x25519, and three for cpace-ristretto255 computed by an independent implementation,
 * the first of which ../fixtures/cpace-vector.ts also reproduces from docs/PROTOCOL.md alone.
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

/** CPace's intermediate values (docs/PROTOCOL.md, "cpace-ristretto255"), all hex. */
export interface CpaceVector {
  readonly suite: string;
  readonly dsi: string;
  readonly prs: string;
  readonly ci: string;
  readonly sid: string;
  readonly generator_string: string;
  readonly generator_hash: string;
  readonly generator: string;
  readonly K: string;
  /** The draft's transcript and ISK: given for reference, not used by parley/1 (DHSK = K). */
  readonly transcript_ir: string;
  readonly isk: string;
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
  readonly cpace?: CpaceVector;
}

const file = new URL('../fixtures/parley-v1.json', import.meta.url);
/** Every case of the file: the known-answer tests check each. */
export const VECTOR_CASES: readonly VectorCase[] = JSON.parse(readFileSync(file, 'utf8')).cases;

/** The first case of each group: what the protocol-flow tests run on, once per group. */
export const VECTORS: readonly VectorCase[] = VECTOR_CASES.filter(
  (v, i) => VECTOR_CASES.findIndex((c) => c.group === v.group) === i,
);

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
