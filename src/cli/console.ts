/**
 * The console: the keyboard's inputs run through the prompt flow, and their outputs, the
 * node's incoming messages and notices are merged into one stream of things to draw. The
 * console ends when the keyboard has quit and the node has finished what was in flight.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  concat,
  defer,
  EMPTY,
  finalize,
  from,
  lastValueFrom,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  scan,
  tap,
} from 'rxjs';
import type { Directory } from '../codecs/directory.js';
import type { ParleyNode } from '../node/node.js';
import type { DeliveryReport, ProbeReport } from '../node/reports.js';
import type { Terminal } from '../streams/keyboard.js';
import { contactsOf } from './destinations.js';
import { addContactToFile, editContactInFile } from './directory-file.js';
import { editedText } from './edit-form.js';
import { type ConsoleState, initialState, type Output, promptOf, step, type View } from './flow.js';
import { probeInOrder } from './in-order.js';
import { describeIncoming } from './notices.js';
import { refusalTeller } from './refusals.js';
import { formatDelivery, formatProbe, formatReceived, probeSummary, widest } from './text.js';

export interface ConsoleOptions {
  readonly node: ParleyNode;
  readonly terminal: Terminal;
  readonly directory: Directory;
  /** Where /add and /edit write. */
  readonly directoryFile: string;
  /** Said first, above the first prompt. */
  readonly banner: string;
  readonly now?: () => Date;
}

/** What the terminal is asked to do. */
type Draw = Extract<Output, { kind: 'show' | 'ask' | 'discardLine' | 'quit' }>;

const show = (text: string): Draw => ({ kind: 'show', text });

export const runConsole = async (options: ConsoleOptions): Promise<void> => {
  const { node, terminal } = options;
  const now = options.now ?? (() => new Date());
  let contacts = options.directory;
  let sending = 0;
  let quitting = false;
  const view = (): View => ({ self: node.name, contacts, outbox: node.outbox(), sending });

  /** Where an undelivered message is in /outbox, counted from 1. */
  const outboxNumber = (report: DeliveryReport): number | undefined => {
    const index = node.outbox().findIndex((e) => e.job.msgId === report.msgId);
    return index < 0 ? undefined : index + 1;
  };

  const tracked = (report$: Observable<DeliveryReport>): Observable<Draw> =>
    defer(() => {
      sending += 1;
      return report$.pipe(
        finalize(() => {
          sending -= 1;
        }),
        map((report) => show(formatDelivery(report, outboxNumber(report)))),
      );
    });

  const probeAll = (): Observable<Draw> =>
    defer(() => {
      const list = contactsOf(view());
      const width = widest(list.map((c) => c.username));
      const reports: ProbeReport[] = [];
      return concat(
        of(show(`checking ${list.length} contact${list.length === 1 ? '' : 's'}…`)),
        probeInOrder(node, list).pipe(
          tap((report) => reports.push(report)),
          map((report) =>
            show(`  [${reports.length}/${list.length}] ${formatProbe(report, width)}`),
          ),
        ),
        defer(() => of(show(probeSummary(reports)))),
      );
    });

  const addContact = (contact: Extract<Output, { kind: 'addContact' }>['contact']) =>
    from(addContactToFile(options.directoryFile, contact)).pipe(
      map((result): Draw => {
        if (E.isLeft(result)) return show(`${contact.username} was not added: ${result.left}`);
        contacts = result.right;
        node.setDirectory(result.right);
        return show(`${contact.username} added to ${options.directoryFile}`);
      }),
    );

  const editContact = (edit: Extract<Output, { kind: 'editContact' }>) =>
    from(editContactInFile(options.directoryFile, edit.username, edit.changes)).pipe(
      map((result): Draw => {
        if (E.isLeft(result)) return show(`${edit.username} was not changed: ${result.left}`);
        contacts = result.right;
        node.setDirectory(result.right);
        return show(editedText(edit, options.directoryFile, node.outbox()));
      }),
    );

  /** Carry out one output of the flow: draw it, or start the work it names. */
  const carryOut = (output: Output): Observable<Draw> => {
    switch (output.kind) {
      case 'send':
        return tracked(node.send({ to: output.to, text: output.text }));
      case 'retry':
        return tracked(node.retry(output.msgId, output.to));
      case 'probeAll':
        return probeAll();
      case 'addContact':
        return addContact(output.contact);
      case 'editContact':
        return editContact(output);
      default:
        return of(output);
    }
  };

  type Stepped = readonly [ConsoleState, readonly Output[]];
  const keyboard$ = terminal.input$.pipe(
    scan(([state], input): Stepped => (quitting ? [state, []] : step(state, input, view())), [
      initialState,
      [],
    ] as Stepped),
    mergeMap(([, outputs]) => from(outputs).pipe(mergeMap(carryOut))),
  );

  const tellRefusal = refusalTeller();
  const incoming$ = node.events$.pipe(
    mergeMap((event): Observable<Draw> => {
      if (event.kind === 'incoming' && event.event.kind === 'received') {
        return of(show(formatReceived(event.event.message, now())));
      }
      const notice = describeIncoming(event) ?? tellRefusal(event);
      return notice === undefined ? EMPTY : of(show(notice));
    }),
  );

  const draw = (d: Draw) => {
    switch (d.kind) {
      case 'show':
        return terminal.show(d.text);
      case 'ask':
        return terminal.ask(d.prompt, d.secret);
      case 'discardLine':
        return terminal.discardLine();
      case 'quit':
        if (quitting) return;
        quitting = true;
        terminal.close();
        // Lets exchanges in flight finish (their reports are still drawn), then ends events$.
        void node.close();
    }
  };

  const start$ = of(show(options.banner), promptOf(initialState.mode, node.name) as Draw);
  const screen$ = concat(start$, merge(incoming$, keyboard$));
  await lastValueFrom(screen$.pipe(tap(draw)), { defaultValue: undefined });
};
