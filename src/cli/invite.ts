/**
 * `parley invite` and `parley join`: a node started as `listen` starts it (the state
 * directory and its lock, the directory file), one invite or one join, each event said,
 * then the exit. Ctrl-C cancels (unsubscribing the invite is its cancel).
 */
import { networkInterfaces } from 'node:os';
import * as E from 'fp-ts/lib/Either.js';
import type { Observable } from 'rxjs';
import type { Directory } from '../codecs/directory.js';
import { type ParleyError, parleyError } from '../errors.js';
import { type InviteEvent, isInviteEnd, type JoinEvent } from '../invite/types.js';
import type { ParleyNode } from '../node/node.js';
import { liveHolder } from '../store/lock-file.js';
import { lockFileOf, type NameStore, outboxFileOf } from '../store/name-store.js';
import { stateDirectory } from '../store/state-dir.js';
import { checkName, EXIT, type InviteCliOptions, type JoinCliOptions } from './args.js';
import { onStopSignal, say, startNode } from './common.js';
import { isMissing, loadDirectoryFile } from './directory-file.js';
import { ownCommandName } from './help.js';
import { checkFreeName, checkWritable, directoryFileSink } from './invite-sink.js';
import {
  hostPort,
  inviteExit,
  inviteJson,
  inviteSentence,
  joinInstructions,
  joinSentence,
  reachableHosts,
} from './invite-text.js';
import { withPeerState } from './outbox.js';
import { type Ask, askOnTerminal, askUntil } from './startup.js';

/** Where a follower's lines go: sentences to `say`, or, given `json`, JSON lines instead. */
export interface FollowerOutput {
  readonly say: (line: string) => void;
  readonly json?: (line: string) => void;
}

/** Says each invite event (text on stderr, or JSON on stdout); resolves with the exit status. */
export const followInvite = (
  events$: Observable<InviteEvent>,
  out: FollowerOutput,
  intro: (code: string) => readonly string[],
  now: () => number = Date.now,
  run = 'parley',
): { done: Promise<number>; cancel: () => void } => {
  let last: InviteEvent | undefined;
  let cancel = () => {};
  const done = new Promise<number>((resolve) => {
    const sub = events$.subscribe({
      next: (event) => {
        last = event;
        if (out.json !== undefined) out.json(inviteJson(event));
        else if (event.kind === 'open') for (const l of intro(event.code)) out.say(l);
        if (out.json === undefined) out.say(inviteSentence(event, now(), run));
      },
      error: (err: unknown) => {
        out.say(`the invite failed: ${String(err)}`);
        resolve(EXIT.failed);
      },
      complete: () =>
        resolve(last !== undefined && isInviteEnd(last) ? inviteExit(last) : EXIT.failed),
    });
    cancel = () => {
      sub.unsubscribe();
      if (last?.kind !== 'joined') out.json?.(inviteJson({ kind: 'cancelled' }));
      if (out.json === undefined) out.say(inviteSentence({ kind: 'cancelled' }, now(), run));
      resolve(EXIT.failed);
    };
  });
  return { done, cancel: () => cancel() };
};

/**
 * Says the join's end (a sentence on stderr, or with `json` one JSON line on stdout, the
 * same line `parley invite --json` prints for it); resolves with the exit status.
 */
export const followJoin = (
  events$: Observable<JoinEvent>,
  address: string,
  out: FollowerOutput,
): Promise<number> =>
  new Promise((resolve) => {
    let last: JoinEvent | undefined;
    events$.subscribe({
      next: (event) => {
        last = event;
        if (out.json !== undefined) out.json(inviteJson(event));
        else out.say(joinSentence(event, address));
      },
      error: (err: unknown) => {
        out.say(`the join failed: ${String(err)}`);
        resolve(EXIT.failed);
      },
      complete: () => resolve(inviteExit(last)),
    });
  });

/** The directory file's contacts; none while it does not exist (the sink creates it). */
const directoryOf = (file: string): E.Either<{ message: string }, Directory | undefined> =>
  isMissing(file)
    ? E.right(undefined)
    : E.map((l: { directory: Directory }) => l.directory)(loadDirectoryFile(file));

/**
 * A chat or `listen` of this name holds its state directory's lock: a second node of the
 * same name would listen elsewhere and file behind its back. Said, with where to type it.
 */
export const runningElsewhere = (name: string, slash: string): string | undefined => {
  const pid = liveHolder(lockFileOf(outboxFileOf(stateDirectory(), name)));
  return pid === undefined
    ? undefined
    : `a chat or listen of ${name} is running (pid ${pid}): type ${slash} in that chat, or stop that listen first`;
};

const stdoutLine = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** The command line's output: sentences on stderr, or with --json JSON lines on stdout. */
const cliOutput = (json: boolean): FollowerOutput => (json ? { say, json: stdoutLine } : { say });

type Known<O> = O & { readonly name: string; readonly directory: string };

const hasTerminal = (): boolean => process.stdin.isTTY === true && process.stderr.isTTY === true;

/**
 * The name and the directory file: from the flags, or asked for at a terminal (so that the
 * line the inviter passes on, `parley join ADDRESS CODE`, runs as it is). Without a terminal,
 * the sentence naming the flags to give.
 */
export const identityOf = <O extends InviteCliOptions | JoinCliOptions>(
  o: O,
  ask: Ask | undefined,
  run: string,
): E.Either<ParleyError, Known<O>> => {
  const missing = [
    ...(o.name === undefined ? ['--name'] : []),
    ...(o.directory === undefined ? ['--directory'] : []),
  ];
  if (missing.length === 0) return E.right(o as Known<O>);
  if (ask === undefined) {
    return E.left(
      parleyError(
        'usage',
        `no terminal to ask on, and ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing: run ${run} ${o.command} … --name NAME --directory FILE (see ${run} ${o.command} --help)`,
      ),
    );
  }
  const name =
    o.name === undefined ? askUntil(ask, say, 'Your username: ', checkName) : E.right(o.name);
  if (E.isLeft(name)) return name;
  const directory =
    o.directory === undefined
      ? askUntil(ask, say, 'Directory file (created if missing): ', (f) => E.right(f))
      : E.right(o.directory);
  if (E.isLeft(directory)) return directory;
  return E.right({ ...o, name: name.right, directory: directory.right });
};

/** The options with the name and directory filled in, or the exit after saying why not. */
const known = <O extends InviteCliOptions | JoinCliOptions>(o: O): Known<O> | undefined => {
  const filled = identityOf(o, hasTerminal() ? askOnTerminal : undefined, ownCommandName());
  if (E.isRight(filled)) return filled.right;
  say(filled.left.message);
  return undefined;
};

/** Starts the node for an invite or a join: the lock, the directory, the sink. */
const started = async (
  o: Known<InviteCliOptions | JoinCliOptions>,
  { store }: NameStore,
  go: (node: ParleyNode) => Promise<number>,
): Promise<number> => {
  const writable = checkWritable(o.directory);
  if (E.isLeft(writable)) {
    say(writable.left.message);
    return EXIT.failed;
  }
  const directory = directoryOf(o.directory);
  if (E.isLeft(directory)) {
    say(directory.left.message);
    return EXIT.usage;
  }
  const node = await startNode({
    name: o.name,
    port: o.port,
    host: o.bind,
    directory: directory.right,
    group: o.group,
    trace: o.verbose,
    ports: { store },
    fileContact: directoryFileSink(o.directory),
  });
  if (E.isLeft(node)) {
    say(node.left.message);
    return EXIT.failed;
  }
  try {
    return await go(node.right);
  } finally {
    await node.right.close();
  }
};

export const runInvite = (given: InviteCliOptions): Promise<number> => {
  const o = known(given);
  if (o === undefined) return Promise.resolve(EXIT.usage);
  const busy = runningElsewhere(o.name, o.for === undefined ? '/invite' : `/invite ${o.for}`);
  if (busy !== undefined) {
    say(busy);
    return Promise.resolve(EXIT.failed);
  }
  const free = checkFreeName(o.directory, o.for);
  if (E.isLeft(free)) {
    say(free.left.message);
    return Promise.resolve(EXIT.usage);
  }
  const run = ownCommandName();
  return withPeerState(
    o.name,
    (state) =>
      started(o, state, async (node) => {
        const hosts = reachableHosts(o.bind, networkInterfaces());
        const followed = followInvite(
          node.invite({
            expiresInMs: o.expiresInMs,
            ...(o.for === undefined ? {} : { fileAs: o.for }),
          }),
          cliOutput(o.json),
          (code) => joinInstructions(run, hosts, node.port, code, o.for),
          Date.now,
          run,
        );
        const stop = onStopSignal(followed.cancel);
        const code = await followed.done;
        stop();
        return code;
      }),
    o.directory,
  );
};

export const runJoin = (given: JoinCliOptions): Promise<number> => {
  const o = known(given);
  if (o === undefined) return Promise.resolve(EXIT.usage);
  const busy = runningElsewhere(o.name, `/join ${hostPort(o.host, o.hostPort)} ${o.code}`);
  if (busy !== undefined) {
    say(busy);
    return Promise.resolve(EXIT.failed);
  }
  return withPeerState(
    o.name,
    (state) =>
      started(o, state, (node) => {
        const address = hostPort(o.host, o.hostPort);
        say(`joining ${address} as ${o.name} (listening on ${o.bind}:${node.port})…`);
        return followJoin(
          node.join({ host: o.host, port: o.hostPort }, o.code),
          address,
          cliOutput(o.json),
        );
      }),
    o.directory,
  );
};
