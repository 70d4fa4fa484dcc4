/**
 * What answers an incoming connection: the responder of parley/1, or, when the hello asks
 * for an invite (`invite: 1`), the inviter of parley-invite/1. The hello decides, once; a
 * hello without `invite` is parley/1, handled exactly as before.
 */
import {
  type InviterEvent,
  type InviterState,
  isInviterState,
  startInviting,
  stepInviter,
} from './invite-inviter.js';
import {
  type ResponderConfig,
  type ResponderDeps,
  type ResponderEvent,
  type ResponderState,
  responderLogic,
} from './responder.js';
import type { ActorLogic, Inbound, Transition } from './types.js';

export type IncomingState = ResponderState | InviterState;
export type IncomingEvent = ResponderEvent | InviterEvent;

const asksForInvite = (state: IncomingState, input: Inbound) =>
  state.phase === 'awaitingHello' &&
  input.kind === 'frame' &&
  input.frame.type === 'hello' &&
  input.frame.invite === 1;

/** Whether an event is the inviter's (the node tells the open invite about it). */
export const isInviterEvent = (event: IncomingEvent): event is InviterEvent =>
  event.kind.startsWith('invite_');

/** The logic of one incoming connection: a responder that may become an inviter. */
export const incomingLogic = (
  config: ResponderConfig,
  deps: ResponderDeps,
): ActorLogic<IncomingState, IncomingEvent> => {
  const responder = responderLogic(config, deps);
  return {
    start: responder.start,
    step: (state, input): Transition<IncomingState, IncomingEvent> => {
      if (state.phase === 'closed') return [state, []];
      if (isInviterState(state)) return stepInviter(state, input, deps);
      if (asksForInvite(state, input) && input.kind === 'frame' && input.frame.type === 'hello') {
        return startInviting(config, input.frame);
      }
      return responder.step(state as ResponderState, input);
    },
  };
};
