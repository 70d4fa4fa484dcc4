/**
 * The one shape of an epic: `(input$, state$, deps) => Observable<NodeEvent>`, as
 * redux-observable's `(action$, state$, dependencies)`. The state comes read-only (a fold in
 * `parley$` is its only writer); `deps` are the node's resolved options, its ports among them,
 * and the few pieces the pipeline shares with its epics.
 */
import type { Observable } from 'rxjs';
import type { ReceivedMessage } from '../actors/types.js';
import type { Connection } from '../ports/ports.js';
import type { TraceSink } from '../streams/session.js';
import type { InviteDesk } from './invite-desk.js';
import type { PipelineDeps } from './options.js';
import type { NodeState } from './state.js';
import type { NodeEvent, Role } from './types.js';

/** The node's state as epics see it: now (`value`) and as it changes; never written. */
export interface StateObservable<S> extends Observable<S> {
  readonly value: S;
}

export interface EpicDeps extends PipelineDeps {
  /** Every open connection, for the close deadline to destroy what outlives a stop. */
  readonly open: Set<Connection>;
  /** Where a connection's frame traces go, when tracing is on. */
  readonly traceFor: (role: Role, remote: string, jobId?: number) => TraceSink | undefined;
  /** Tells an event that no connection's stream carries (an error of our own I/O). */
  readonly tell: (event: NodeEvent) => void;
  /** Keeps a fresh message (in the history) before it is shown, recorded and acked. */
  readonly keep: ((message: ReceivedMessage) => void) | undefined;
  /** The node's one open invite (invite-desk.ts): the invites epic and the inviters share it. */
  readonly desk: InviteDesk;
}

export type Epic<In> = (
  input$: Observable<In>,
  state$: StateObservable<NodeState>,
  deps: EpicDeps,
) => Observable<NodeEvent>;
