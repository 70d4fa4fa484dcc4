/**
 * The cold pipeline, as README.md shows it (the lines between the `readme` markers are the
 * README's snippet, word for word; test/net/cold-pipeline.test.ts runs this and checks that):
 * alice's contacts read from her directory file, one job, her events until its report.
 *
 * In your own project, import from 'parley' exactly as here.
 */

import { randomUUID } from 'node:crypto';
import { type Destination, messageJob, parley$, readDirectoryFile, resolveDeps } from 'parley';
import { first, firstValueFrom, of } from 'rxjs';

/** Sends one message to `bob` as alice, whose directory file is `file`; its outcome. */
export const runColdPipeline = async (file: string, bob: Destination): Promise<string> => {
  // #region readme
  const directory = readDirectoryFile(file); // Either: a bad file names the field
  if (directory._tag === 'Left') throw new Error(directory.left.message);
  const deps = resolveDeps({ name: 'alice', directory: directory.right.directory });
  if (deps._tag === 'Left') throw deps.left; // a bad option, named
  const made = messageJob(
    1,
    { to: bob, text: 'hi bob' },
    { group: deps.right.group, newMsgId: randomUUID },
  );
  if (made._tag === 'Left') throw new Error(`not sent: ${made.left.message}`); // never dropped
  const events$ = parley$(
    { listen: { port: 0, host: '127.0.0.1' }, jobs$: of(made.right) },
    deps.right,
  );
  const done = await firstValueFrom(events$.pipe(first((e) => e.kind === 'delivery')));
  // #endregion readme
  return done.kind === 'delivery' ? done.report.outcome : 'no report';
};
