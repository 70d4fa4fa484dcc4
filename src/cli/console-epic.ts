/**
 * The console as an epic of the pipeline: keyboard lines run through the prompt flow (pure,
 * src/console/flow.ts) with the node's state as its view, and each output becomes an action —
 * something to draw, a job (send, retry, probe), new contacts, or the stop. Reports of its
 * jobs and incoming messages come back as node events and are drawn too.
 */
import { networkInterfaces } from 'node:os';
import * as E from 'fp-ts/lib/Either.js';
import {
  concat,
  defer,
  forkJoin,
  from,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  scan,
  take,
  tap,
} from 'rxjs';
import { type Directory, findContact } from '../codecs/directory.js';
import type { Group } from '../codecs/formats.js';
import type { InputError } from '../codecs/inputs.js';
import { contactsOf, destinationOf } from '../console/destinations.js';
import { editedText } from '../console/edit-form.js';
import {
  type ConsoleState,
  initialState,
  type Output,
  promptOf,
  step,
  type View,
} from '../console/flow.js';
import { type InviteJob, inviteJob, joinJob } from '../node/invites.js';
import { type Job, messageJob, probeJob, reportOf, retryJob } from '../node/jobs.js';
import { partJobs, wholeReport } from '../node/long-send.js';
import { needsParts } from '../node/parts.js';
import type { LineAction, LinesEpic } from '../node/pipeline.js';
import type { DeliveryReport, Destination, ProbeReport } from '../node/reports.js';
import type { NodeState } from '../node/state.js';
import type { NodeEvent } from '../node/types.js';
import { joinPartRecords } from '../store/history-parts.js';
import type { HistoryStore } from '../store/history-store.js';
import type { KeyboardInput } from '../streams/keyboard.js';
import { addContactToFile, editContactInFile, sharedPasswordWarnings } from './directory-file.js';
import { findText, historyText, markChatSeen, startScreenOnce } from './history-text.js';
import { inOrder } from './in-order.js';
import { type InviteBook, inviteLines, inviteRefusal } from './invite-console.js';
import { checkWritable } from './invite-sink.js';
import { hostPort } from './invite-text.js';
import { followMove, type MovesKept, withKeptMoves } from './moved.js';
import { describeIncoming, traceLine } from './notices.js';
import { refusalTeller } from './refusals.js';
import {
  excerpt,
  formatDelivery,
  formatProbe,
  formatReceived,
  formatWentByItself,
  probeSummary,
  widest,
} from './text.js';
import { keptFromLastTime, type Waiting } from './waiting.js';

/** What the terminal is asked to do. */
export type Draw =
  | Extract<Output, { kind: 'show' | 'ask' | 'discardLine' | 'quit' }>
  /** A line of the --verbose trace, for stderr. */
  | { readonly kind: 'trace'; readonly text: string };

/** What the chat tells its console; the clock, ids and history come from the node's ports. */
export type ConsoleConfig = Omit<ConsoleDeps, 'now' | 'newMsgId' | 'history'>;

interface ConsoleDeps {
  readonly self: string;
  /** Where /add writes. */
  readonly directoryFile: string;
  /** Said first, once the node listens (given the port it got). */
  readonly banner: (port: number) => string;
  readonly group: Group;
  readonly verbose: boolean;
  /** The node's clock (its ports'), as a date. */
  readonly now: () => Date;
  readonly newMsgId: () => string;
  /** What was said (the store port's; none: nothing is kept). */
  readonly history: HistoryStore | undefined;
  /** The outbox is kept on disk (quitting loses nothing). */
  readonly durable: boolean;
  /**
   * The node's `deliver` writes each message to the screen before it is acknowledged (the
   * chat does): its `received` event is then not drawn a second time.
   */
  readonly shownOnDelivery?: boolean;
  /** The command as the person runs it, for the `join` line an invite prints. */
  readonly run?: string;
}

type Action = LineAction<Draw>;

const draw = (d: Draw): Action => ({ kind: 'view', view: d });
const showLine = (text: string): Action => draw({ kind: 'show', text });

const viewOf = (deps: ConsoleDeps, state: NodeState): View => ({
  self: deps.self,
  contacts: state.directory,
  outbox: state.outbox,
  sending: state.running,
  durable: deps.durable,
  nowMs: deps.now().getTime(),
});

/** Where a message that was not delivered waits, for its line; undefined if it does not. */
const waitingOf = (
  state: NodeState,
  report: DeliveryReport,
  deps: ConsoleDeps,
): Waiting | undefined => {
  const index = state.outbox.findIndex((e) => e.job.msgId === report.msgId);
  const entry = state.outbox[index];
  return entry === undefined
    ? undefined
    : { number: index + 1, entry, nowMs: deps.now().getTime() };
};

/** What the console's helpers share: its deps, the node's events and state, job numbers. */
interface Ctx {
  readonly deps: ConsoleDeps;
  readonly event$: Observable<NodeEvent>;
  readonly state$: { readonly value: NodeState };
  readonly nextId: () => number;
  /** The open invite (one at a time), the name it files under, the joins under way. */
  readonly invites: InviteBook;
  /** Moves this run could not write to the file: laid over what /add and /edit read. */
  readonly moves: MovesKept;
}

/** A job, and the line its report becomes. */
const job = (ctx: Ctx, made: E.Either<InputError, Job>): Observable<Action> => {
  if (E.isLeft(made)) return of(showLine(`not sent: ${made.left.message}`));
  const report$ = reportOf(ctx.event$, made.right.id).pipe(
    map((e) =>
      e.kind === 'delivery'
        ? showLine(formatDelivery(e.report, waitingOf(ctx.state$.value, e.report, ctx.deps)))
        : showLine(formatProbe(e.report)),
    ),
  );
  return merge(report$, of<Action>({ kind: 'job', job: made.right }));
};

/** A long text: its parts queued in order, one line when all are reported (see parts.ts). */
const longJob = (
  ctx: Ctx,
  to: Destination,
  text: string,
  defaults: Parameters<typeof partJobs>[2],
): Observable<Action> => {
  const made = partJobs(ctx.nextId, { to, text }, defaults);
  if (E.isLeft(made)) return of(showLine(`not sent: ${made.left.message}`));
  const { groupId, jobs } = made.right;
  const reports$ = forkJoin(
    jobs.map((j) =>
      reportOf(ctx.event$, j.id).pipe(
        mergeMap((e) => (e.kind === 'delivery' ? [{ msgId: '', text: '', report: e.report }] : [])),
      ),
    ),
  ).pipe(
    map((parts): Action => {
      const whole = wholeReport(groupId, parts);
      return showLine(formatDelivery(whole, waitingOf(ctx.state$.value, whole, ctx.deps)));
    }),
  );
  return merge(reports$, from(jobs.map((j): Action => ({ kind: 'job', job: j }))));
};

/** /who: a probe of every contact, a line as each answers (in the directory's order), a summary. */
const probeAll = (ctx: Ctx): Observable<Action> =>
  defer(() => {
    const list = contactsOf(viewOf(ctx.deps, ctx.state$.value));
    const width = widest(list.map((c) => c.username));
    const jobs = list.flatMap((c) =>
      E.match(
        () => [],
        (j: Job) => [j],
      )(probeJob(ctx.nextId(), destinationOf(c), ctx.deps.group)),
    );
    const place = new Map(jobs.map((j, i) => [j.id, i]));
    const inDirectoryOrder$ = ctx.event$.pipe(
      mergeMap((e) => {
        const at = e.kind === 'probe' ? place.get(e.jobId) : undefined;
        return e.kind === 'probe' && at !== undefined ? [[at, e.report] as const] : [];
      }),
      take(jobs.length),
      inOrder<ProbeReport>(),
      scan((reports: ProbeReport[], report) => [...reports, report], []),
    );
    return concat(
      of(showLine(`checking ${list.length} contact${list.length === 1 ? '' : 's'}…`)),
      merge(
        inDirectoryOrder$.pipe(
          mergeMap((reports, i) => {
            const line = showLine(
              `  [${i + 1}/${jobs.length}] ${formatProbe(reports.at(-1)!, width)}`,
            );
            return i + 1 === jobs.length ? of(line, showLine(probeSummary(reports))) : of(line);
          }),
        ),
        from(jobs.map((j): Action => ({ kind: 'job', job: j }))),
      ),
    );
  });

/** /edit: the file rewritten safely, then the node's contacts changed (its waiting messages resume). */
const editContact = (
  ctx: Ctx,
  edit: Extract<Output, { kind: 'editContact' }>,
): Observable<Action> =>
  from(editContactInFile(ctx.deps.directoryFile, edit.username, edit.changes)).pipe(
    mergeMap((result): Action[] =>
      E.isLeft(result)
        ? [showLine(`${edit.username} was not changed: ${result.left.message}`)]
        : [
            { kind: 'contacts', directory: withKeptMoves(result.right, ctx.moves, edit.username) },
            showLine(editedText(edit, ctx.deps.directoryFile, ctx.state$.value.outbox)),
            ...sharedPasswordOf(result.right, edit.username, ctx.deps.directoryFile),
          ],
    ),
  );

/**
 * The start-up warning, said again after /add or /edit when `username` now shares its
 * password with another contact (only that group: the others were said at start).
 */
const sharedPasswordOf = (directory: Directory, username: string, file: string): Action[] => {
  const password = findContact(directory, username)?.password;
  const sharing = directory.filter((c) => c.password === password);
  return sharedPasswordWarnings(sharing, file).map(showLine);
};

/** /add: the file rewritten safely, then the node's contacts changed. */
const addContact = (
  ctx: Ctx,
  contact: Extract<Output, { kind: 'addContact' }>['contact'],
): Observable<Action> =>
  from(addContactToFile(ctx.deps.directoryFile, contact)).pipe(
    mergeMap((result): Action[] =>
      E.isLeft(result)
        ? [showLine(`${contact.username} was not added: ${result.left.message}`)]
        : [
            {
              kind: 'contacts',
              directory: withKeptMoves(result.right, ctx.moves, contact.username),
            },
            showLine(`${contact.username} added to ${ctx.deps.directoryFile}`),
            ...sharedPasswordOf(result.right, contact.username, ctx.deps.directoryFile),
          ],
    ),
  );

/** /remove: a waiting message dropped; not one being sent now (its report would keep it). */
const removeWaiting = (
  ctx: Ctx,
  { msgId, text }: Extract<Output, { kind: 'remove' }>,
): Observable<Action> => {
  const state = ctx.state$.value;
  if ([...state.sending.values()].some((m) => m.msgId === msgId)) {
    return of(showLine(`${excerpt(text)} is being sent right now: /remove it once this try ends`));
  }
  if (!state.outbox.some((e) => e.job.msgId === msgId)) {
    return of(showLine(`${excerpt(text)} is no longer in the outbox`));
  }
  return of(
    { kind: 'drop', msgId } as const,
    showLine(`removed ${excerpt(text)} from the outbox: it will not be sent`),
  );
};

/** One output of the flow: drawn, or the work it names. */
const act = (ctx: Ctx, output: Output): Observable<Action> => {
  const defaults = { group: ctx.deps.group, newMsgId: ctx.deps.newMsgId };
  switch (output.kind) {
    case 'send':
      return needsParts(output.text)
        ? longJob(ctx, output.to, output.text, defaults)
        : job(ctx, messageJob(ctx.nextId(), { to: output.to, text: output.text }, defaults));
    case 'retry':
      return job(ctx, retryJob(ctx.nextId(), output.msgId, output.to));
    case 'remove':
      return removeWaiting(ctx, output);
    case 'probeAll':
      return probeAll(ctx);
    case 'addContact':
      return addContact(ctx, output.contact);
    case 'editContact':
      return editContact(ctx, output);
    case 'history':
      return of(showLine(historyText(recordsOf(ctx.deps), output.contact, output.count)));
    case 'find':
      return of(showLine(findText(recordsOf(ctx.deps), output.words)));
    case 'invite':
    case 'inviteCancel': {
      const refused = inviteRefusal(ctx.invites.open, output.kind === 'inviteCancel');
      if (refused !== undefined) return of(showLine(refused));
      const unwritable = output.kind === 'invite' ? unwritableFile(ctx) : undefined;
      if (unwritable !== undefined) return of(showLine(unwritable));
      if (output.kind === 'inviteCancel') {
        return of(inviteAction({ id: ctx.nextId(), kind: 'invite_cancel' }));
      }
      ctx.invites.fileAs = output.fileAs;
      const forName = output.fileAs === undefined ? {} : { fileAs: output.fileAs };
      return jobOrRefusal(inviteJob(ctx.nextId(), forName));
    }
    case 'join': {
      const unwritable = unwritableFile(ctx);
      if (unwritable !== undefined) return of(showLine(unwritable));
      const id = ctx.nextId();
      ctx.invites.joining.set(id, hostPort(output.host, output.port));
      return jobOrRefusal(joinJob(id, { host: output.host, port: output.port }, output.code));
    }
    case 'quit':
      markSeen(ctx.deps);
      return of(draw(output), { kind: 'stop' } as const);
    default:
      return of(draw(output));
  }
};

/** Why the directory file could not take a new contact now, if it could not. */
const unwritableFile = (ctx: Ctx): string | undefined => {
  const checked = checkWritable(ctx.deps.directoryFile);
  return E.isLeft(checked) ? checked.left.message : undefined;
};

const inviteAction = (job: InviteJob): Action => ({ kind: 'invite_job', job });

/** An invite or join job for the node, or the sentence saying what is wrong with the input. */
const jobOrRefusal = (job: E.Either<InputError, InviteJob>): Observable<Action> =>
  of(E.isLeft(job) ? showLine(job.left.message) : inviteAction(job.right));

const recordsOf = (deps: ConsoleDeps) => joinPartRecords(deps.history?.records() ?? []);
const markSeen = (deps: ConsoleDeps): void => markChatSeen(deps.history, deps.now().getTime());
const startLines = (deps: ConsoleDeps): Action[] =>
  startScreenOnce(deps.history, deps.now().getTime()).map(showLine);

export const consoleEpic =
  (config: ConsoleConfig): LinesEpic<KeyboardInput, Draw> =>
  (lines$, event$, state$, ports) => {
    const deps: ConsoleDeps = {
      ...config,
      now: () => new Date(ports.clock.now()),
      newMsgId: ports.random.uuid,
      history: ports.store.history,
    };
    let lastId = 0;
    const invites: InviteBook = { open: undefined, fileAs: undefined, joining: new Map() };
    const ctx: Ctx = {
      deps,
      event$,
      state$,
      nextId: () => ++lastId,
      invites,
      moves: new Map(),
    };
    type Stepped = readonly [ConsoleState, readonly Output[]];
    const keyboard$ = lines$.pipe(
      scan(([state], input): Stepped => step(state, input, viewOf(deps, state$.value)), [
        initialState,
        [],
      ] as Stepped),
      mergeMap(([, outputs]) => from(outputs).pipe(mergeMap((output) => act(ctx, output)))),
    );
    const tellRefusal = refusalTeller();
    // The text of each retry under way (said when it is delivered), until its report.
    const retrying = new Map<number, string>();
    const noticed$ = event$.pipe(
      tap((event) => {
        if (event.kind === 'queued' && event.jobId < 0 && event.message !== undefined) {
          retrying.set(event.jobId, event.message.text);
        }
      }),
      mergeMap((event): Observable<Action> | Action[] => {
        if (event.kind === 'moved') {
          const said = followMove(deps.directoryFile, event, ctx.moves);
          return from(said).pipe(mergeMap((lines) => lines.map(showLine)));
        }
        const text = event.kind === 'delivery' ? retrying.get(event.jobId) : undefined;
        if (event.kind === 'delivery') retrying.delete(event.jobId);
        if (event.kind === 'invite' || event.kind === 'join') {
          const at = state$.value.listening;
          const where = { run: deps.run ?? 'parley', interfaces: networkInterfaces(), at };
          return inviteLines(event, invites, where, deps.now().getTime()).map(showLine);
        }
        return notice(event, state$.value, deps, tellRefusal, text);
      }),
    );
    return merge(noticed$, keyboard$);
  };

/** What an event of the node shows: the banner at start, messages, notices, the trace. */
const notice = (
  event: NodeEvent,
  state: NodeState,
  deps: ConsoleDeps,
  tellRefusal: (event: NodeEvent) => string | undefined,
  /** A retry's text, for its delivery. */
  retriedText?: string,
): Action[] => {
  const trace = deps.verbose ? traceLine(event) : undefined;
  const traced: Action[] = trace === undefined ? [] : [draw({ kind: 'trace', text: trace })];
  if (event.kind === 'listening') {
    // Nothing was typed yet: what the outbox holds now was kept from the last run.
    const kept = state.outbox;
    return [
      ...traced,
      showLine(deps.banner(event.port)),
      ...startLines(deps),
      ...(kept.length > 0 ? [showLine(`${keptFromLastTime(kept)} (see /outbox)`)] : []),
      draw(promptOf(initialState.mode, deps.self) as Draw),
    ];
  }
  if (event.kind === 'error' && state.listening === undefined) {
    // The server could not start (the port is taken, say): the chat ends, and says why.
    return [...traced, draw({ kind: 'quit' }), { kind: 'stop' }];
  }
  if (event.kind === 'incoming' && event.event.kind === 'received') {
    // Shown here: not new to the next chat.
    markSeen(deps);
    if (deps.shownOnDelivery === true) return traced;
    return [...traced, showLine(formatReceived(event.event.message, deps.now()))];
  }
  // The outbox's own retries (negative ids): a delivery is news; a failure waits quietly,
  // unless it paused the message (it will not go by itself: the person must know why).
  if (event.kind === 'delivery' && event.jobId < 0) {
    if (event.report.outcome === 'delivered') {
      return [...traced, showLine(formatWentByItself(event.report, retriedText))];
    }
    const waiting = waitingOf(state, event.report, deps);
    return waiting?.entry.paused
      ? [...traced, showLine(formatDelivery(event.report, waiting))]
      : traced;
  }
  const said = describeIncoming(event) ?? tellRefusal(event);
  return said === undefined ? traced : [...traced, showLine(said)];
};
