/**
 * What both invite actors share (docs/PROTOCOL.md, "Invites"): the one group, the CPace binding
 * with the invite's own label, and the session set-up with the invite's transcript hash (not
 * parley/1's: an invite transcript must never pass for a message transcript).
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ProtocolError } from '../codecs/errors.js';
import type { Group, Nonce, Username } from '../codecs/formats.js';
import type { DhKeyPair, GroupBinding } from '../crypto/dh.js';
import { deriveKeys, type Role } from '../crypto/schedule.js';
import { INVITE_LABEL, inviteTranscriptHash } from '../invite/schedule.js';
import type { Party } from './handshake.js';
import type { Session } from './types.js';

/** parley-invite/1 speaks CPace only: the code is low-entropy, one guess per connection. */
export const INVITE_GROUP: Group = 'cpace-ristretto255';

/** CPace's binding for an invite: PRS = the code, CI = lv_cat("parley-invite/1", I, R). */
export const inviteBinding = (
  code: string,
  initiator: { readonly name: Username; readonly nonce: Nonce },
  responder: { readonly name: Username; readonly nonce: Nonce },
): GroupBinding => ({
  secret: code,
  initiator: initiator.name,
  responder: responder.name,
  initiatorNonce: initiator.nonce,
  responderNonce: responder.nonce,
  label: INVITE_LABEL,
});

/** K from our key pair and the peer's share (or `bad_public_key`), then keys and the invite TH. */
export const establishInvite = (
  role: Role,
  keyPair: DhKeyPair,
  ours: Omit<Party, 'publicHex'>,
  theirs: Party,
  code: string,
): E.Either<ProtocolError, Session> => {
  const me: Party = { ...ours, publicHex: keyPair.publicHex };
  const [initiator, responder] = role === 'initiator' ? [me, theirs] : [theirs, me];
  return E.map((k: Buffer) => ({
    initiator: initiator.name,
    responder: responder.name,
    keys: deriveKeys(code, k),
    th: inviteTranscriptHash({
      initiator: initiator.name,
      responder: responder.name,
      initiatorNonce: initiator.nonce,
      responderNonce: responder.nonce,
      group: INVITE_GROUP,
      initiatorPublic: initiator.publicHex,
      responderPublic: responder.publicHex,
    }),
  }))(keyPair.deriveShared(theirs.publicHex));
};
