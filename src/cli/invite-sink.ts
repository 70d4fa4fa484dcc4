/**
 * Where a contact made by an invite goes: the directory file, written as /add writes it
 * (atomic, unknown fields kept, its mode kept private), created 0600 when missing. A name
 * already in the file is never overwritten: the sink fails, and the node does not confirm.
 */
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { from, mergeMap, of, throwError } from 'rxjs';
import { type Directory, findContact } from '../codecs/directory.js';
import { type ParleyError, parleyError } from '../errors.js';
import type { ContactSink } from '../invite/types.js';
import {
  addContactToFile,
  createDirectoryFile,
  isMissing,
  loadDirectoryFile,
} from './directory-file.js';

/**
 * Before an invite or a join starts: Left when the directory file (or, missing, its folder)
 * cannot be written, so that neither side files the other only to fail on this one.
 */
export const checkWritable = (file: string): E.Either<ParleyError, void> => {
  const target = isMissing(file) ? dirname(file) : file;
  try {
    accessSync(target, constants.W_OK);
    if (target === file) accessSync(dirname(file), constants.W_OK);
    return E.right(undefined);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why =
      code === 'ENOENT'
        ? `its folder ${dirname(file)} does not exist`
        : `${code}: make it and its folder writable by you`;
    return E.left(
      parleyError(
        'directory_file',
        `cannot write the directory file ${file} (${why}); nothing was started, so nobody was filed`,
      ),
    );
  }
};

/** The sentence for a name already filed. */
export const alreadyFiled = (username: string, flag: string): string =>
  `${username} is already in your contacts: choose another name with ${flag}`;

/** Before an invite opens: Left when `--for NAME` names a contact of the file already. */
export const checkFreeName = (
  file: string,
  username: string | undefined,
): E.Either<ParleyError, void> => {
  if (username === undefined || isMissing(file)) return E.right(undefined);
  const loaded = loadDirectoryFile(file);
  if (E.isLeft(loaded)) return loaded;
  return findContact(loaded.right.directory, username) === undefined
    ? E.right(undefined)
    : E.left(parleyError('contact_exists', alreadyFiled(username, '--for')));
};

/**
 * The sink for `fileContact`; `filed` hears the directory as written (the chat pushes it into
 * its contacts source, so that a later change does not drop the new contact).
 */
export const directoryFileSink =
  (file: string, filed: (directory: Directory) => void = () => {}): ContactSink =>
  (contact) =>
    of(null).pipe(
      mergeMap(() => {
        if (isMissing(file)) {
          const created = createDirectoryFile(file);
          if (E.isLeft(created)) return throwError(() => created.left);
        }
        return from(addContactToFile(file, contact));
      }),
      mergeMap((result) => {
        if (E.isLeft(result)) return throwError(() => result.left);
        filed(result.right);
        return of(result.right);
      }),
    );
