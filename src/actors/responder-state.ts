/**
 * The responder's states and what it publishes: one variant per phase, each holding only what
 * is valid in it (src/actors/responder.ts steps through them).
 */

import type { DirectoryEntry } from '../codecs/directory.js';
import type { Group, Nonce, Username, Uuid } from '../codecs/formats.js';
import type { AuthFrame, DhFrame, HelloFrame } from '../codecs/frames.js';
import type { DhKeyPair } from '../crypto/dh.js';
import type { Closed } from './common.js';
import type { ActorDeps, Failure, Inbound, ReceivedMessage, Session, Transition } from './types.js';

export interface ResponderConfig {
  /** Our own username. */
  readonly self: Username;
  /** The groups we accept, in no particular order. */
  readonly groups: readonly Group[];
}

/**
 * What the responder needs of the outside world beyond randomness and the clock: nothing. The
 * directory (a contact's secret and pinned group) and the budgets are asked through effects
 * (`lookup`, `may_guess`) and answered through the mailbox, as `deliver` is.
 */
export type ResponderDeps = ActorDeps;

export type { ReceivedMessage } from './types.js';

export type ResponderPhase =
  | 'awaitingHello'
  | 'lookingUp'
  | 'awaitingDh'
  | 'awaitingAuth'
  | 'awaitingMessage'
  | 'recording'
  | 'closed';

export type ResponderEvent =
  | { readonly kind: 'received'; readonly message: ReceivedMessage }
  /** A retry of a message already shown: acknowledged again, not shown again. */
  | { readonly kind: 'duplicate'; readonly from: string; readonly msgId: string }
  /** The peer authenticated and said bye: a presence probe. */
  | { readonly kind: 'presence'; readonly from: string }
  | {
      readonly kind: 'rejected';
      readonly failure: Failure;
      readonly step: ResponderPhase;
      /** The username the peer claimed, once it said hello. */
      readonly peer: string | undefined;
      /** True when that username is not in our directory (never told to the peer). */
      readonly stranger: boolean;
    };

export interface Claimed {
  /** The initiator's hello. */
  readonly hello: HelloFrame;
  /** False for a username not in the directory: we carry on with a random secret. */
  readonly known: boolean;
  /** The group the contact's directory entry pins, if any: the only one accepted from it. */
  readonly pinned: Group | undefined;
}

/** The fast order, taken at hello: the group offered and the key pair we made for it. */
interface Taken {
  readonly group: Group;
  readonly keyPair: DhKeyPair;
}

export type AwaitingDh = {
  readonly phase: 'awaitingDh';
  readonly config: ResponderConfig;
  readonly claimed: Claimed;
  readonly nonce: Nonce;
  readonly secret: string;
  /** Set in the fast order: our dh went out with our hello. */
  readonly taken: Taken | undefined;
};
export type AwaitingAuth = {
  readonly phase: 'awaitingAuth';
  readonly claimed: Claimed;
  readonly session: Session;
};

/** An input that would spend work a guess is made with, held while the node's budget answers. */
export type Asking = {
  readonly phase: 'asking';
  readonly waiting: AwaitingDh | AwaitingAuth;
  /** The fast order's hello (its key pair is the work), a dh, or an auth. */
  readonly frame: HelloFrame | DhFrame | AuthFrame;
};

export type Open =
  | { readonly phase: 'awaitingHello'; readonly config: ResponderConfig }
  | { readonly phase: 'lookingUp'; readonly config: ResponderConfig; readonly hello: HelloFrame }
  | AwaitingDh
  | AwaitingAuth
  | Asking
  | { readonly phase: 'awaitingMessage'; readonly claimed: Claimed; readonly session: Session }
  | {
      /** The message verified; waiting for the node to deliver and record it before acking. */
      readonly phase: 'recording';
      readonly claimed: Claimed;
      readonly session: Session;
      readonly msgId: Uuid;
      readonly message: ReceivedMessage;
    };

export type ResponderState = Open | Closed<ResponderEvent>;

export type Out = Transition<ResponderState, ResponderEvent>;
export type In<P extends Open['phase']> = Extract<Open, { phase: P }>;

/** The answer to a `lookup`: what the directory holds for that username (nothing, for a stranger). */
export const contactAnswer = (contact: DirectoryEntry | undefined): Inbound => ({
  kind: 'contact',
  secret: contact?.password,
  group: contact?.group,
});
