/**
 * A name's history read without changing anything (a parley of the name may be writing it):
 * for `parley history` and for programs (the library's `readHistory`). Never a secret: the
 * records hold none.
 */
import * as E from 'fp-ts/lib/Either.js';
import { type ParleyError, parleyError } from '../errors.js';
import type { HistoryRecord } from './history-codec.js';
import { bookOf, readHistoryFile } from './history-file.js';
import { joinPartRecords } from './history-parts.js';
import { historyFileOf } from './name-store.js';
import { prepareStateDirectory } from './state-dir.js';

export interface HistoryQuery {
  /** Only the conversation with this contact (a username, or `host:port`). */
  readonly with?: string;
  /** Only what was shown or reported at or after this time (ms since the epoch). */
  readonly sinceMs?: number;
}

/** The records that answer `query`, oldest first (a long text's parts joined, as shown). */
export const selectHistory = (
  records: readonly HistoryRecord[],
  query: HistoryQuery,
): HistoryRecord[] =>
  joinPartRecords(records).filter(
    (r) =>
      (query.with === undefined || r.contact === query.with) &&
      (query.sinceMs === undefined || r.atMs >= query.sinceMs),
  );

/**
 * What `name` keeps in its history (each message once, a sent one in its last state), oldest
 * first; or why it cannot be read (code `state_directory` or `invalid_history`, with the file).
 */
export const readHistory = (
  name: string,
  query: HistoryQuery = {},
): E.Either<ParleyError, readonly HistoryRecord[]> => {
  const dir = prepareStateDirectory();
  if (E.isLeft(dir)) return dir;
  if (dir.right.kind === 'unavailable') {
    return E.left(
      parleyError(
        'state_directory',
        `cannot read the state directory ${dir.right.path} (${dir.right.reason})`,
      ),
    );
  }
  const path = historyFileOf(dir.right.path, name);
  const read = readHistoryFile(path);
  if (E.isLeft(read)) {
    return E.left(
      parleyError(
        read.left.code,
        `${read.left.message}; it is moved aside when a parley as ${name} next starts`,
      ),
    );
  }
  return E.right(selectHistory(bookOf(read.right.lines).records(), query));
};
