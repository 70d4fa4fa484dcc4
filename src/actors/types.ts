/**
 * What the actors take in and give out. An actor is a pure transition
 * `step(state, input) → [state, effects]`; effects are data that the driver carries out.
 */
import type { ErrorCode, ProtocolError } from '../codecs/errors.js';
import type { Group, Username } from '../codecs/formats.js';
import type { Frame } from '../codecs/frames.js';
import type { DhKeyPair, GroupBinding } from '../crypto/dh.js';
import type { SessionKeys } from '../crypto/schedule.js';

/** Something that happened on the connection, as the actor sees it. */
export type Inbound =
  | { readonly kind: 'frame'; readonly frame: Frame }
  /** A line that did not decode (or a defence's decision): answered with its error code. */
  | { readonly kind: 'invalid'; readonly error: ProtocolError }
  /** The peer ended the connection (or it broke). */
  | { readonly kind: 'end' }
  /** The step's deadline passed without a frame. */
  | { readonly kind: 'timeout' }
  /** The answer to a `deliver` effect: shown now (fresh), or seen before (a retry). */
  | { readonly kind: 'recorded'; readonly fresh: boolean }
  /**
   * The answer to a `lookup` effect: the secret shared with that username and the group its
   * directory entry pins, both undefined for a stranger (read from the directory as it is now).
   */
  | { readonly kind: 'contact'; readonly secret: string | undefined; readonly group?: Group }
  /** The answer to a `may_guess` effect: whether the budgets let this claimant spend work. */
  | { readonly kind: 'budget'; readonly allowed: boolean }
  /** The answer to a `file_contact` effect: the new contact is filed durably (a sink that
   * failed answers with an `internal` error instead). */
  | { readonly kind: 'filed' }
  /**
   * The answer to an `invite_claim` effect: the open invite's code, our listening port, and
   * whether the joiner's username is a contact already (told only to one that proves the code).
   */
  | {
      readonly kind: 'invitation';
      readonly code: string;
      readonly port: number;
      readonly nameTaken: boolean;
    }
  /** The answer to an `invite_claim` when no invite may be tried now, and why. */
  | {
      readonly kind: 'invitation_refused';
      readonly code: 'no_invite' | 'busy';
      readonly message: string;
    }
  /** The answer to an `invite_wrong` effect: wrong codes the invite still takes (0: burnt). */
  | { readonly kind: 'attempts'; readonly left: number };

/**
 * Why the responder charges one attempt to the budgets (`guess`): a proof that failed, DH
 * work done and no proof after it (an abandoned or broken handshake), a share that failed its
 * check after our key pair was made, or a group refused (which would otherwise tell a pinned
 * contact from a stranger for free).
 */
export type GuessReason = 'proof_failed' | 'no_proof' | 'bad_share' | 'refused_group';

/** A verified incoming message. */
export interface ReceivedMessage {
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly msgId: string;
  readonly timestamp: string;
  /** Our clock minus the sender's, in ms, when it received the message. */
  readonly clockSkewMs: number;
}

/** Something the driver must do: write a frame, publish an event, close the connection. */
export type Effect<Event> =
  | { readonly kind: 'send'; readonly frame: Frame }
  | { readonly kind: 'emit'; readonly event: Event }
  | { readonly kind: 'close' }
  /**
   * Unless `sender` sent `msgId` before, hand `message` to whoever reads it (the node's
   * delivery sink) and, once that succeeded, record the id (the dedupe memory, perhaps a
   * file): I/O the actor asks for and never does. The answer, perhaps later, comes back as a
   * `recorded` input; a sink or memory that fails answers with an `internal` error instead,
   * and nothing is acknowledged.
   */
  | {
      readonly kind: 'deliver';
      readonly sender: Username;
      readonly msgId: string;
      readonly atMs: number;
      readonly message: ReceivedMessage;
    }
  /** The peer's hello claimed this username (told before anything is looked up). */
  | { readonly kind: 'claimed'; readonly username: string }
  /** A question for the node: this username's secret and pinned group (answer: `contact`). */
  | { readonly kind: 'lookup'; readonly username: string }
  /**
   * A question for the node, asked before work a guess could be made with (a key pair, the
   * peer's share, a proof): may this claimant spend it? (answer: `budget`).
   */
  | { readonly kind: 'may_guess'; readonly username: string }
  /** The peer proved the shared secret (its proof verified). */
  | { readonly kind: 'authenticated'; readonly username: string }
  /**
   * The authenticated peer told the port it listens on (its auth's `listen`, whose MAC
   * verified after its proof): the node may follow a move of that contact.
   */
  | { readonly kind: 'listens'; readonly username: string; readonly port: number }
  /** One attempt charged to the guess budgets, and why. */
  | { readonly kind: 'guess'; readonly username: string; readonly reason: GuessReason }
  /**
   * parley-invite/1: may this joiner try the open invite now? Answered `invitation` (the
   * code, held for this connection until it ends) or `invitation_refused`.
   */
  | { readonly kind: 'invite_claim'; readonly username: Username }
  /** parley-invite/1: a wrong code was proved; answered `attempts` (what is left). */
  | { readonly kind: 'invite_wrong'; readonly username: Username }
  /**
   * parley-invite/1: file this new contact (the node adds the ip of the connection) with the
   * password both sides derived; the answer is `filed`. Never logged: it carries the secret.
   */
  | {
      readonly kind: 'file_contact';
      readonly username: Username;
      readonly port: number;
      readonly password: string;
    };

/** The effects that only tell the node what happened (the defences act on them). */
export type Report<Event> = Extract<Effect<Event>, { kind: 'claimed' | 'authenticated' | 'guess' }>;
export const isReport = <Event>(effect: Effect<Event>): effect is Report<Event> =>
  effect.kind === 'claimed' || effect.kind === 'authenticated' || effect.kind === 'guess';

export type Transition<State, Event> = readonly [State, readonly Effect<Event>[]];

/**
 * An actor's logic: its first transition and its step, as xstate's ActorLogic pairs them.
 * Building one is pure; running it (`start`) draws the nonce.
 */
export interface ActorLogic<State, Event> {
  /** Called when the actor is run (once per connection): it may draw randomness. */
  readonly start: () => Transition<State, Event>;
  readonly step: (state: State, input: Inbound) => Transition<State, Event>;
}

/** Why a connection ended without doing its job. */
export type Failure =
  /** The peer sent an `error` frame: its words, unauthenticated, proof of nothing. */
  | { readonly cause: 'peer_error'; readonly code: string; readonly message: string }
  /** We found the peer at fault and answered with this error code. */
  | { readonly cause: 'rejected'; readonly code: ErrorCode; readonly message: string }
  /** The connection ended before the exchange was complete. */
  | { readonly cause: 'closed' }
  /** The peer stayed silent past the step's deadline. */
  | { readonly cause: 'timeout' };

/** The impure things an actor needs, injected so that tests can make them deterministic. */
export interface ActorDeps {
  readonly randomBytes: (size: number) => Buffer;
  readonly now: () => Date;
  /** A fresh ephemeral key pair for the group, bound to the handshake (CPace needs it). */
  readonly keyPair: (group: Group, binding: GroupBinding) => DhKeyPair;
}

/** The session a completed handshake established. */
export interface Session {
  readonly initiator: Username;
  readonly responder: Username;
  readonly keys: SessionKeys;
  /** The transcript hash, binding everything said in the handshake. */
  readonly th: string;
}
