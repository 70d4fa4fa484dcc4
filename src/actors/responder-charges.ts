/**
 * How the responder fails and what it charges the node's guess budgets for (the rule is in
 * docs/SECURITY.md, "What the responder tells the node"): the `guess` effect and its reasons,
 * and the one charge no handler makes itself, an exchange abandoned after our DH work.
 */
import type { ErrorCode } from '../codecs/errors.js';
import { type Reporter, reject } from './common.js';
import type {
  AwaitingAuth,
  AwaitingDh,
  Claimed,
  Open,
  Out,
  ResponderEvent,
  ResponderPhase,
  ResponderState,
} from './responder-state.js';
import type { Effect, GuessReason, Inbound } from './types.js';

/** The answer to a claimant the budgets stop (the node refuses new connections the same way). */
export const RATE_LIMITED = 'too many failed attempts; try again later';

export const failureReport = (state: Open): Reporter<ResponderEvent> => {
  if (state.phase === 'asking') return failureReport(state.waiting);
  const claimed = 'claimed' in state ? state.claimed : undefined;
  return (failure) => ({
    kind: 'rejected',
    failure,
    step: state.phase as ResponderPhase,
    peer: state.phase === 'lookingUp' ? state.hello.from : claimed?.hello.from,
    stranger: claimed === undefined ? false : !claimed.known,
  });
};

export const fail = (state: Open, code: ErrorCode, message: string): Out =>
  reject(code, message, failureReport(state));

/** A failure after which one attempt is charged to the budgets (the guess goes first). */
export const failCharged = (
  state: AwaitingDh | AwaitingAuth,
  reason: GuessReason,
  code: ErrorCode,
  message: string,
): Out => {
  const [next, effects] = fail(state, code, message);
  return [next, [guess(state.claimed, reason), ...effects]];
};

const guess = (claimed: Claimed, reason: GuessReason): Effect<ResponderEvent> => ({
  kind: 'guess',
  username: claimed.hello.from,
  reason,
});

/**
 * Whether ending now leaves DH work we did without a proof after it (charged `no_proof`):
 * our key pair is made (the fast order's at hello, lock-step's at dh) and no proof verified.
 */
const atStake = (state: Open): boolean =>
  state.phase === 'awaitingAuth' ||
  (state.phase === 'awaitingDh' && state.taken !== undefined) ||
  (state.phase === 'asking' && atStake(state.waiting));

const isRateLimited = (effects: readonly Effect<ResponderEvent>[]): boolean =>
  effects.some(
    (e) =>
      e.kind === 'emit' &&
      e.event.kind === 'rejected' &&
      e.event.failure.cause === 'rejected' &&
      e.event.failure.code === 'rate_limited',
  );

/**
 * The step, with the one charge no handler makes itself: an exchange that ends after our DH
 * work and before a proof verified (a timeout, a drop, a frame out of order, the peer's error)
 * costs a guess — except our own refusal to spend (`rate_limited`), which the budgets made.
 */
export const charging =
  (step: (state: ResponderState, input: Inbound) => Out) =>
  (state: ResponderState, input: Inbound): Out => {
    const [next, effects] = step(state, input);
    if (state.phase === 'closed' || next.phase !== 'closed' || !atStake(state))
      return [next, effects];
    if (effects.some((e) => e.kind === 'guess') || isRateLimited(effects)) return [next, effects];
    const claimed =
      state.phase === 'asking' ? state.waiting.claimed : (state as AwaitingAuth).claimed;
    return [next, [guess(claimed, 'no_proof'), ...effects]];
  };
