/**
 * parley/1 spoken by hand, for raw test peers that follow the protocol exactly as far as they
 * choose to and then misbehave: every frame computed with src/crypto, nothing else.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { Group } from '../../../src/codecs/formats.js';
import type { MessageHeader } from '../../../src/codecs/frames.js';
import { seal } from '../../../src/crypto/channel.js';
import { createKeyPair, type DhKeyPair } from '../../../src/crypto/dh.js';
import {
  deriveKeys,
  proof,
  type SessionKeys,
  transcriptHash,
} from '../../../src/crypto/schedule.js';

type Json = Record<string, unknown>;

export interface Session {
  readonly keys: SessionKeys;
  readonly th: string;
  readonly initiator: string;
  readonly responder: string;
}

const nonce = () => randomBytes(16).toString('hex');

const sessionOf = (
  secret: string,
  keyPair: DhKeyPair,
  peerPublic: string,
  parts: Omit<Parameters<typeof transcriptHash>[0], 'group'>,
): Session => {
  const shared = keyPair.deriveShared(peerPublic);
  if (E.isLeft(shared)) throw new Error(`test peer: ${shared.left.message}`);
  const th = transcriptHash({ ...parts, group: keyPair.group });
  return {
    keys: deriveKeys(secret, shared.right),
    th,
    initiator: parts.initiator,
    responder: parts.responder,
  };
};

/**
 * A raw initiator: its hello up front; its dh once the responder's hello came (CPace binds the
 * key pair to both hellos); auth and message once the responder answered.
 */
export const rawInitiator = (self: string, to: string | null, secret: string, group: Group) => {
  const myNonce = nonce();
  let made: DhKeyPair | undefined;
  const keyPairFor = (peerHello: Json): DhKeyPair => {
    made ??= createKeyPair(group, {
      secret,
      initiator: self,
      responder: peerHello.from as string,
      initiatorNonce: myNonce,
      responderNonce: peerHello.nonce as string,
    });
    return made;
  };
  return {
    hello: { type: 'hello', version: 1, from: self, to, nonce: myNonce },
    /** Our dh, from the responder's hello. */
    dh: (peerHello: Json) => ({ type: 'dh', group, public: keyPairFor(peerHello).publicHex }),
    /** The session, from the responder's hello and dh. */
    session: (peerHello: Json, peerDh: Json): Session => {
      const keyPair = keyPairFor(peerHello);
      return sessionOf(secret, keyPair, peerDh.public as string, {
        initiator: self,
        responder: peerHello.from as string,
        initiatorNonce: myNonce,
        responderNonce: peerHello.nonce as string,
        initiatorPublic: keyPair.publicHex,
        responderPublic: peerDh.public as string,
      });
    },
  };
};

export const authFrame = (session: Session, role: 'initiator' | 'responder') => ({
  type: 'auth',
  proof: proof(session.keys, session.th, role),
});

export const messageFrame = (session: Session, text: string, msgId: string = randomUUID()) =>
  seal(
    session.keys,
    session.th,
    {
      msg_id: msgId,
      from: session.initiator,
      to: session.responder,
      timestamp: new Date().toISOString(),
    } as Omit<MessageHeader, 'length'>,
    text,
  );

/** A raw responder: its hello from the initiator's, its dh and the session from theirs. */
export const rawResponder = (self: string, secret: string) => {
  const myNonce = nonce();
  return {
    hello: (peerHello: Json) => ({
      type: 'hello',
      version: 1,
      from: self,
      to: peerHello.from,
      nonce: myNonce,
    }),
    /** Our dh answer and the session it makes (the key pair is fresh, in the peer's group). */
    dh: (peerHello: Json, peerDh: Json) => {
      const keyPair = createKeyPair(peerDh.group as Group, {
        secret,
        initiator: peerHello.from as string,
        responder: self,
        initiatorNonce: peerHello.nonce as string,
        responderNonce: myNonce,
      });
      const session = sessionOf(secret, keyPair, peerDh.public as string, {
        initiator: peerHello.from as string,
        responder: self,
        initiatorNonce: peerHello.nonce as string,
        responderNonce: myNonce,
        initiatorPublic: peerDh.public as string,
        responderPublic: keyPair.publicHex,
      });
      return { frame: { type: 'dh', group: peerDh.group, public: keyPair.publicHex }, session };
    },
  };
};
