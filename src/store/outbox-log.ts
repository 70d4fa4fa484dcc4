/**
 * The outbox file's log of changes: one JSON line per change (a message put, updated or
 * dropped), appended and flushed before the change is said, so that each change costs its own
 * few bytes however full the outbox is (rewriting 16 MiB for each try was what it cost).
 *
 * The log belongs to one copy of the outbox file: its first line names that copy's `log` id.
 * A log whose id is not the file's is left over from a fold (the new copy renamed in, the log
 * not yet removed) and is ignored. A last line without its newline was cut by a crash while
 * it was written: nothing it held had been said yet, and it is ignored too.
 */
import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { errnoCode } from '../errors.js';

/** What a log file holds: the id of the copy it belongs to, and its complete lines after that. */
export interface LogLines {
  readonly snapshot: string | undefined;
  readonly lines: readonly string[];
}

const headerOf = (line: string | undefined): string | undefined => {
  if (line === undefined) return undefined;
  try {
    const header = JSON.parse(line) as { version?: unknown; snapshot?: unknown };
    return header.version === 1 && typeof header.snapshot === 'string'
      ? header.snapshot
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The log at `path` (undefined: there is none). A header that cannot be read belongs to no
 * copy (the log is ignored, as a stale one is).
 */
export const readLogLines = (path: string): LogLines | undefined => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  // Everything after the last newline is a line cut short: never flushed whole, never said.
  const complete = text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .slice(0, -1);
  return { snapshot: headerOf(complete[0]), lines: complete.slice(1) };
};

const writeAll = (fd: number, text: string): void => {
  const bytes = Buffer.from(text, 'utf8');
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
};

const flushFolder = (path: string): void => {
  try {
    const dir = openSync(dirname(path), 'r');
    fsyncSync(dir);
    closeSync(dir);
  } catch {
    // Flushing a folder is not possible everywhere.
  }
};

export interface LogAppender {
  /** Append these lines and flush them to the disk (throws when it cannot). */
  append(lines: readonly string[]): void;
  /** Bytes written to this log so far (its header included). */
  readonly bytes: () => number;
  close(): void;
}

/**
 * A fresh log at `path` for the copy `snapshot`: whatever was there removed, the file created
 * exclusively (a link planted there makes it fail, never followed), mode 0600, its header
 * flushed and the folder too, so that the records appended later are found after a crash.
 */
export const startLog = (path: string, snapshot: string): LogAppender => {
  rmSync(path, { force: true });
  const fd = openSync(path, 'wx', 0o600);
  let bytes = 0;
  let open = true;
  const write = (text: string, flush: (fd: number) => void) => {
    writeAll(fd, text);
    flush(fd);
    bytes += Buffer.byteLength(text, 'utf8');
  };
  try {
    write(`${JSON.stringify({ version: 1, snapshot })}\n`, fsyncSync);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  flushFolder(path);
  return {
    append: (lines) => {
      if (lines.length > 0) write(`${lines.join('\n')}\n`, fdatasyncSync);
    },
    bytes: () => bytes,
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
};

/** Remove the log at `path`, once a fresh copy of the outbox file holds all it said. */
export const removeLog = (path: string): void => {
  rmSync(path, { force: true });
  flushFolder(path);
};
