/** The shared test vectors of parley/1 (a copy of shared/vectors/parley-v1.json), typed. */
import { readFileSync } from 'node:fs';
import type { Group } from '../../src/codecs/formats.js';
import type { AckFrame, MessageFrame } from '../../src/codecs/frames.js';

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
