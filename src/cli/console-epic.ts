/**
 * The console as an epic of the pipeline: keyboard lines run through the prompt flow (pure,
 * src/cli/flow.ts) with the node's state as its view, and each output becomes an action —
 * something to draw, a job (send, retry, probe), new contacts, or the stop. Reports of its
 * jobs and incoming messages come back as node events and are drawn too.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  concat,
  defer,
  filter,
  from,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  scan,
  take,
} from 'rxjs';
import type { Directory } from '../codecs/directory.js';
import type { Group } from '../codecs/formats.js';
import type { InputError } from '../codecs/inputs.js';
import { type Job, messageJob, probeJob, reportOf, retryJob } from '../node/jobs.js';
import type { LineAction, LinesEpic } from '../node/pipeline.js';
import type { DeliveryReport, ProbeReport } from '../node/reports.js';
import type { NodeState } from '../node/state.js';
import type { NodeEvent } from '../node/types.js';
import type { KeyboardInput } from '../streams/keyboard.js';
import { contactsOf, destinationOf } from './destinations.js';
import { addContactToFile } from './directory-file.js';
import { type ConsoleState, initialState, type Output, promptOf, step, type View } from './flow.js';
import { describeIncoming, traceLine } from './notices.js';
import { formatDelivery, formatProbe, formatReceived, probeSummary, widest } from './text.js';

/** What the terminal is asked to do. */
export type Draw =
  | Extract<Output, { kind: 'show' | 'ask' | 'discardLine' | 'quit' }>
  /** A line of the --verbose trace, for stderr. */
  | { readonly kind: 'trace'; readonly text: string };

export interface ConsoleDeps {
  readonly self: string;
  /** Where /add writes. */
  readonly directoryFile: string;
  /** Said first, once the node listens (given the port it got). */
  readonly banner: (port: number) => string;
  readonly group: Group;
  readonly verbose: boolean;
  readonly now: () => Date;
  readonly newMsgId: () => string;
}

type Action = LineAction<Draw>;

const draw = (d: Draw): Action => ({ kind: 'view', view: d });
const showLine = (text: string): Action => draw({ kind: 'show', text });

const viewOf = (self: string, state: NodeState): View => ({
  self,
  contacts: state.directory,
  outbox: state.outbox,
  sending: state.running,
});

/** Where an undelivered message is in /outbox, counted from 1. */
const outboxNumber = (state: NodeState, report: DeliveryReport): number | undefined => {
  const index = state.outbox.findIndex((e) => e.job.msgId === report.msgId);
  return index < 0 ? undefined : index + 1;
};

export const consoleEpic =
  (deps: ConsoleDeps): LinesEpic<KeyboardInput, Draw> =>
  (lines$, event$, state$) => {
    let nextJobId = 1;
    /** A job, and the line its report becomes. */
    const job = (made: E.Either<InputError, Job>): Observable<Action> => {
      if (E.isLeft(made)) return of(showLine(`not sent: ${made.left.message}`));
      const report$ = reportOf(event$, made.right.id).pipe(
        map((e) =>
          e.kind === 'delivery'
            ? showLine(formatDelivery(e.report, outboxNumber(state$.value, e.report)))
            : showLine(formatProbe(e.report)),
        ),
      );
      return merge(report$, of<Action>({ kind: 'job', job: made.right }));
    };
    const defaults = { group: deps.group, newMsgId: deps.newMsgId };

    const probeAll = (): Observable<Action> =>
      defer(() => {
        const list = contactsOf(viewOf(deps.self, state$.value));
        const width = widest(list.map((c) => c.username));
        const jobs = list.flatMap((c) =>
          E.match(
            () => [],
            (j: Job) => [j],
          )(probeJob(nextJobId++, destinationOf(c), deps.group)),
        );
        const ids = new Set(jobs.map((j) => j.id));
        const progress$ = event$.pipe(
          filter(
            (e): e is Extract<NodeEvent, { kind: 'probe' }> =>
              e.kind === 'probe' && ids.has(e.jobId),
          ),
          take(ids.size),
          scan((reports: ProbeReport[], e) => [...reports, e.report], []),
        );
        return concat(
          of(showLine(`checking ${list.length} contact${list.length === 1 ? '' : 's'}…`)),
          merge(
            progress$.pipe(
              mergeMap((reports, i) => {
                const line = showLine(
                  `  [${i + 1}/${ids.size}] ${formatProbe(reports.at(-1)!, width)}`,
                );
                return i + 1 === ids.size ? of(line, showLine(probeSummary(reports))) : of(line);
              }),
            ),
            from(jobs.map((j): Action => ({ kind: 'job', job: j }))),
          ),
        );
      });

    const addContact = (contact: Extract<Output, { kind: 'addContact' }>['contact']) =>
      from(addContactToFile(deps.directoryFile, contact)).pipe(
        mergeMap((result): Action[] =>
          E.isLeft(result)
            ? [showLine(`${contact.username} was not added: ${result.left}`)]
            : [
                { kind: 'contacts', directory: result.right as Directory },
                showLine(`${contact.username} added to ${deps.directoryFile}`),
              ],
        ),
      );

    /** One output of the flow: drawn, or the work it names. */
    const act = (output: Output): Observable<Action> => {
      switch (output.kind) {
        case 'send':
          return job(messageJob(nextJobId++, { to: output.to, text: output.text }, defaults));
        case 'retry':
          return job(retryJob(nextJobId++, output.msgId, output.to));
        case 'probeAll':
          return probeAll();
        case 'addContact':
          return addContact(output.contact);
        case 'quit':
          return of(draw(output), { kind: 'stop' } as const);
        default:
          return of(draw(output));
      }
    };

    type Stepped = readonly [ConsoleState, readonly Output[]];
    const keyboard$ = lines$.pipe(
      scan(([state], input): Stepped => step(state, input, viewOf(deps.self, state$.value)), [
        initialState,
        [],
      ] as Stepped),
      mergeMap(([, outputs]) => from(outputs).pipe(mergeMap(act))),
    );

    const noticed$ = event$.pipe(mergeMap((event) => notice(event, state$.value, deps)));
    return merge(noticed$, keyboard$);
  };

/** What an event of the node shows: the banner at start, messages, notices, the trace. */
const notice = (event: NodeEvent, state: NodeState, deps: ConsoleDeps): Action[] => {
  const trace = deps.verbose ? traceLine(event) : undefined;
  const traced: Action[] = trace === undefined ? [] : [draw({ kind: 'trace', text: trace })];
  if (event.kind === 'listening') {
    return [
      ...traced,
      showLine(deps.banner(event.port)),
      draw(promptOf(initialState.mode, deps.self) as Draw),
    ];
  }
  if (event.kind === 'error' && state.listening === undefined) {
    // The server could not start (the port is taken, say): the chat ends, and says why.
    return [...traced, draw({ kind: 'quit' }), { kind: 'stop' }];
  }
  if (event.kind === 'incoming' && event.event.kind === 'received') {
    return [...traced, showLine(formatReceived(event.event.message, deps.now()))];
  }
  const said = describeIncoming(event);
  return said === undefined ? traced : [...traced, showLine(said)];
};
