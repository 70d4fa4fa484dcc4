/**
 * The outbox file's contents (a copy of all that waits, and its log of changes: see
 * outbox-file.ts and outbox-log.ts): the codecs of a waiting message and of a change, and the
 * reading of both, bounded as a message is. A message whose only fault is a text longer than a
 * message may carry is set apart (it could never go out), not the whole file.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { Group, MessageText, Uuid } from '../codecs/formats.js';
import { describeErrors, fieldPath, showValue } from '../codecs/report.js';
import { type ParleyError, parleyError, reworded, whyOf } from '../errors.js';
import { type LogLines, readLogLines } from './outbox-log.js';

/**
 * A message that waits, as the file keeps it: bounded as a message is (a text that could never
 * go out is not kept, see `tooLong`), and never its secret.
 */
export const WaitingMessage = t.type({
  msg_id: Uuid,
  to: t.type({
    username: t.union([t.string, t.null]),
    host: t.string,
    port: t.number,
  }),
  text: MessageText,
  group: Group,
  attempts: t.number,
  paused: t.boolean,
  // When it was paused (ms since the epoch); absent in files written before it was kept.
  paused_at: t.union([t.number, t.undefined]),
  // When it was written (ms since the epoch), the time each attempt carries; absent in files
  // written before it was kept.
  written_at: t.union([t.number, t.undefined]),
});
/** A waiting message as it is written (its text bounded where it is taken in). */
export type StoredMessage = Omit<t.TypeOf<typeof WaitingMessage>, 'text'> & {
  readonly text: string;
};

export const OutboxFile = t.type({
  version: t.literal(1),
  messages: t.array(WaitingMessage),
  // The id of the log of changes that goes with this copy; absent in older files.
  log: t.union([t.string, t.undefined]),
});

/** The lines of the log, by `op`: a message put (new, or its text changed), updated, dropped. */
const CHANGES = {
  put: t.type({ op: t.literal('put'), message: WaitingMessage }),
  // What may change of a message once it waits: all but its id and text.
  update: t.type({
    op: t.literal('update'),
    msg_id: Uuid,
    to: WaitingMessage.props.to,
    group: Group,
    attempts: t.number,
    paused: t.boolean,
    paused_at: t.union([t.number, t.undefined]),
    written_at: t.union([t.number, t.undefined]),
  }),
  drop: t.type({ op: t.literal('drop'), msg_id: Uuid }),
} as const;
export type Change =
  | { readonly op: 'put'; readonly message: StoredMessage }
  | (Omit<StoredMessage, 'text'> & { readonly op: 'update' })
  | { readonly op: 'drop'; readonly msg_id: string };

/** The log of changes that goes with the outbox file at `path`. */
export const logFileOf = (path: string): string => `${path}+changes`;

/** What the file and its log hold: the messages that wait, in order, and what cannot. */
export interface Kept {
  readonly messages: readonly StoredMessage[];
  /** Messages whose text is longer than a message may carry: they could never go out. */
  readonly tooLong: readonly unknown[];
  /** Why a line of the log could not be read (the changes before it are kept). */
  readonly logProblem: string | undefined;
}

/**
 * `value` decoded; or, when its only faults are texts too long to go out (at `textPath`, a
 * path with one number in it: the message's index), the rest and those set apart.
 */
const decodeBounded = <A>(
  codec: t.Decoder<unknown, A>,
  value: unknown,
  textPath: RegExp,
  without: (tooLong: ReadonlySet<number>) => unknown,
): E.Either<OutboxFileError, { readonly value: A; readonly tooLong: ReadonlySet<number> }> => {
  const decoded = codec.decode(value);
  if (E.isRight(decoded)) return E.right({ value: decoded.right, tooLong: new Set() });
  const tooLong = new Set<number>();
  for (const error of decoded.left) {
    const at = textPath.exec(fieldPath(error));
    if (at === null || typeof error.value !== 'string') return E.left(unreadable(decoded.left));
    tooLong.add(Number(at[1] ?? 0));
  }
  return E.bimap(unreadable, (rest: A) => ({ value: rest, tooLong }))(
    codec.decode(without(tooLong)),
  );
};

/** The outbox file (or a line of its log) cannot be read: the sentence names the field. */
export type OutboxFileError = ParleyError<'outbox_file'>;

const unreadable = (errors: t.Errors): OutboxFileError =>
  parleyError('outbox_file', describeErrors(errors));

const parse = (text: string, what: string): E.Either<OutboxFileError, unknown> =>
  E.tryCatch(
    () => JSON.parse(text) as unknown,
    () => parleyError('outbox_file', `${what}: not valid JSON`),
  );

/** The copy of the outbox in `path` (no file: empty), or why it cannot be read. */
const readCopy = (path: string) => {
  if (!existsSync(path)) return E.right({ messages: [], log: undefined, tooLong: [] });
  return E.chain((json: unknown) => {
    const raw = (json as { messages?: unknown } | null)?.messages;
    const all = Array.isArray(raw) ? raw : [];
    return E.bimap(
      (why: OutboxFileError) => reworded(why, `${path}: `),
      ({
        value,
        tooLong,
      }: {
        value: t.TypeOf<typeof OutboxFile>;
        tooLong: ReadonlySet<number>;
      }) => ({
        messages: value.messages as readonly StoredMessage[],
        log: value.log,
        tooLong: all.filter((_, i) => tooLong.has(i)),
      }),
    )(
      decodeBounded(OutboxFile, json, /^messages\.(\d+)\.text$/, (tooLong) => ({
        ...(json as object),
        messages: all.filter((_, i) => !tooLong.has(i)),
      })),
    );
  })(parse(readFileSync(path, 'utf8'), path));
};

/** One line of the log, or why it cannot be read; a put whose text is too long, set apart. */
const decodeChange = (
  line: string,
): E.Either<OutboxFileError, Change | { readonly tooLong: unknown }> =>
  E.chain((json: unknown) => {
    const op = (json as { op?: unknown } | null)?.op;
    if (op !== 'put' && op !== 'update' && op !== 'drop') {
      return E.left(
        parleyError(
          'outbox_file',
          `field 'op': expected "put", "update" or "drop", got ${showValue(op)}`,
        ),
      );
    }
    if (op !== 'put') {
      const decoded: t.Validation<Change> = CHANGES[op].decode(json);
      return E.mapLeft(unreadable)(decoded);
    }
    return E.map(({ value, tooLong }: { value: Change; tooLong: ReadonlySet<number> }) =>
      tooLong.size > 0 ? { tooLong: (json as { message: unknown }).message } : value,
    )(
      // Its other faults are among the errors too: only a text too long and nothing else.
      decodeBounded(CHANGES.put, json, /^message\.text$/, () => ({ op: 'put', message: EMPTY })),
    );
  })(parse(line, 'not valid JSON'));

/** Stands in for a message set apart (found to be well formed but for its text). */
const EMPTY = {
  msg_id: '00000000-0000-0000-0000-000000000000',
  to: { username: null, host: '', port: 0 },
  text: '',
  group: 'cpace-ristretto255',
  attempts: 0,
  paused: false,
};

const apply = (messages: Map<string, StoredMessage>, change: Change): void => {
  if (change.op === 'put') messages.set(change.message.msg_id, change.message);
  else if (change.op === 'drop') messages.delete(change.msg_id);
  else {
    const was = messages.get(change.msg_id);
    const { op: _, ...fields } = change;
    if (was !== undefined) messages.set(change.msg_id, { ...was, ...fields });
  }
};

/** The copy with its log's changes applied, up to the first line that cannot be read. */
const replay = (
  copy: E.Right<{ messages: readonly StoredMessage[]; tooLong: readonly unknown[] }>['right'],
  log: LogLines | undefined,
  logPath: string,
): Kept => {
  const messages = new Map(copy.messages.map((m) => [m.msg_id, m]));
  const tooLong = [...copy.tooLong];
  let logProblem: string | undefined;
  for (const [i, line] of (log?.lines ?? []).entries()) {
    const change = decodeChange(line);
    if (E.isLeft(change)) {
      logProblem = `${logPath}: line ${i + 2}: ${change.left.message}`;
      break;
    }
    if ('tooLong' in change.right) tooLong.push(change.right.tooLong);
    else apply(messages, change.right);
  }
  return { messages: [...messages.values()], tooLong, logProblem };
};

/**
 * What waits in the file at `path` and its log, or why the file cannot be read (naming the
 * file and the field). A log of another copy is left over from a fold, or one happened while
 * we read: the copy is read again (twice at most), then such a log is ignored.
 */
export const read = (path: string): E.Either<OutboxFileError, Kept> => {
  const logPath = logFileOf(path);
  for (let tries = 1; ; tries += 1) {
    const copy = readCopy(path);
    if (E.isLeft(copy)) return copy;
    let log: LogLines | undefined;
    try {
      log = readLogLines(logPath);
    } catch (err) {
      return E.right({
        ...replay(copy.right, undefined, logPath),
        logProblem: `${logPath}: ${whyOf(err)}`,
      });
    }
    const ours =
      log !== undefined && copy.right.log !== undefined && log.snapshot === copy.right.log;
    if (ours || log === undefined || tries === 3) {
      return E.right(replay(copy.right, ours ? log : undefined, logPath));
    }
  }
};
