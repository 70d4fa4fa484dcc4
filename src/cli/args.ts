/**
 * The command line, parsed and checked before anything starts: `parley [chat]`, `listen`,
 * `send`, `probe`, `--help`, `--version`. Pure: argv in, options or one usage sentence out.
 */

import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { isHost, Port } from '../codecs/directory.js';
import { DEFAULT_GROUP, GROUPS, type Group, isGroup, isUsername } from '../codecs/formats.js';
import { type ParleyError, parleyError, whyOf } from '../errors.js';
import { parseCode } from '../invite/code.js';
import { INVITE_EXPIRES_MS } from '../invite/types.js';

/** Exit statuses, the same for every command (4: `send --queue` kept it for later). */
export const EXIT = { ok: 0, failed: 1, usage: 2, wrongPassword: 3, queued: 4 } as const;

interface Common {
  readonly group: Group;
  readonly verbose: boolean;
}

export interface ChatOptions extends Common {
  readonly command: 'chat';
  /** Missing values are asked for at start-up (on a terminal). */
  readonly port: number | undefined;
  readonly directory: string | undefined;
  readonly name: string | undefined;
  readonly bind: string;
}

export interface ListenOptions extends Common {
  readonly command: 'listen';
  readonly port: number;
  readonly directory: string;
  readonly name: string;
  readonly bind: string;
  readonly json: boolean;
}

export type Recipient =
  | { readonly kind: 'contact'; readonly username: string }
  /** The secret comes from PARLEY_SECRET or a prompt, never from the command line. */
  | { readonly kind: 'manual'; readonly host: string; readonly port: number };

export interface SendOptions extends Common {
  readonly command: 'send';
  readonly name: string;
  readonly directory: string | undefined;
  readonly to: Recipient;
  /** The words after the options; undefined: read the text from stdin. */
  readonly text: string | undefined;
  readonly json: boolean;
  /** Not delivered: keep it in the outbox for the next chat or `listen` of this name. */
  readonly queue: boolean;
}

export interface ProbeOptions extends Common {
  readonly command: 'probe';
  readonly name: string;
  readonly directory: string;
  readonly to: string | undefined;
  readonly json: boolean;
}

export interface OutboxOptions {
  readonly command: 'outbox';
  /** Whose outbox; undefined: every name's in the state directory. */
  readonly name: string | undefined;
  readonly json: boolean;
}

export interface HistoryOptions {
  readonly command: 'history';
  /** Whose history. */
  readonly name: string;
  /** Only the conversation with this contact. */
  readonly with: string | undefined;
  /** Only what was shown or reported since (ms since the epoch). */
  readonly sinceMs: number | undefined;
  readonly json: boolean;
}

export interface InviteCliOptions extends Common {
  readonly command: 'invite';
  /** Asked for at a terminal when not given. */
  readonly name: string | undefined;
  /** The name to file the new contact under (else the one the joiner gives). */
  readonly for: string | undefined;
  readonly port: number;
  /** Asked for at a terminal when not given. */
  readonly directory: string | undefined;
  readonly bind: string;
  readonly json: boolean;
  /** How long the code works, in ms (--expires; default 10 minutes). */
  readonly expiresInMs: number;
}

export interface JoinCliOptions extends Common {
  readonly command: 'join';
  /** Asked for at a terminal when not given. */
  readonly name: string | undefined;
  readonly host: string;
  readonly hostPort: number;
  readonly code: string;
  /** Where we listen, told to the inviter so that it can reach us. */
  readonly port: number;
  /** Asked for at a terminal when not given. */
  readonly directory: string | undefined;
  readonly bind: string;
  /** The join's end as one JSON line on stdout (joined or failed). */
  readonly json: boolean;
}

/** The port `invite` and `join` listen on without --port (the course's usual one). */
export const DEFAULT_INVITE_PORT = 5001;

export type Command =
  | InviteCliOptions
  | JoinCliOptions
  | ChatOptions
  | HistoryOptions
  | ListenOptions
  | SendOptions
  | ProbeOptions
  | OutboxOptions
  | { readonly command: 'help'; readonly topic: CommandName }
  | { readonly command: 'version' };

export type CommandName =
  | 'chat'
  | 'listen'
  | 'send'
  | 'probe'
  | 'outbox'
  | 'history'
  | 'invite'
  | 'join';

/** A command line parley cannot run, and which command's help to point to. */
export interface UsageError extends ParleyError<'usage'> {
  readonly command: CommandName;
}

const flag = { type: 'boolean' } as const;
const value = { type: 'string' } as const;
// --help and --version are understood after every command, as a person tries them there.
const COMMON = {
  help: { ...flag, short: 'h' },
  version: flag,
  group: value,
  verbose: { ...flag, short: 'v' },
};
const SPECS = {
  chat: { ...COMMON, port: value, directory: value, name: value, bind: value },
  listen: { ...COMMON, port: value, directory: value, name: value, bind: value, json: flag },
  send: {
    ...COMMON,
    name: value,
    directory: value,
    to: value,
    host: value,
    port: value,
    json: flag,
    queue: flag,
  },
  probe: { ...COMMON, name: value, directory: value, to: value, json: flag },
  outbox: { help: COMMON.help, version: flag, name: value, json: flag },
  history: { help: COMMON.help, version: flag, name: value, with: value, since: value, json: flag },
  invite: {
    ...COMMON,
    name: value,
    for: value,
    port: value,
    directory: value,
    bind: value,
    json: flag,
    expires: value,
  },
  join: { ...COMMON, name: value, port: value, directory: value, bind: value, json: flag },
} as const;

type Raw = Readonly<Record<string, string | boolean | undefined>>;
type Check<T> = E.Either<ParleyError<'usage'>, T>;

const refuse = (message: string): ParleyError<'usage'> => parleyError('usage', message);

/** Listen on every interface, as the course's peers do; `--bind 127.0.0.1` keeps it local. */
export const DEFAULT_BIND = '0.0.0.0';

const SUBCOMMANDS: readonly CommandName[] = [
  'listen',
  'send',
  'probe',
  'outbox',
  'history',
  'invite',
  'join',
  'chat',
];
const isSubcommand = (s: string | undefined): s is CommandName =>
  SUBCOMMANDS.includes(s as CommandName);

const DIGITS = /^[0-9]+$/;

/** A port from the command line: 1–65535, or 0 ("any free port") where `zeroOk`. */
/** A port as the directory's codec reads it (a decimal string); 0 too where any port will do. */
export const checkPort = (text: string, zeroOk: boolean): Check<number> => {
  const port = zeroOk && text === '0' ? E.right(0) : Port.decode(text);
  return DIGITS.test(text) && E.isRight(port)
    ? E.right(port.right)
    : E.left(refuse(`port '${text}' is not a number from ${zeroOk ? 0 : 1} to 65535`));
};

export const checkName = (text: string): Check<string> =>
  isUsername(text)
    ? E.right(text)
    : E.left(refuse(`'${text}' is not a username (1–64 characters, no control characters)`));

const checkGroup = (text: string | undefined): Check<Group> =>
  text === undefined || isGroup(text)
    ? E.right(text ?? DEFAULT_GROUP)
    : E.left(refuse(`unknown DH group '${text}': use ${GROUPS.join(', ')}`));

export const checkHost = (text: string): Check<string> =>
  isHost(text) ? E.right(text) : E.left(refuse(`'${text}' is not a host name or an IP address`));

const str = (raw: Raw, key: string): string | undefined =>
  typeof raw[key] === 'string' ? (raw[key] as string) : undefined;

const optional = <T>(text: string | undefined, check: (s: string) => Check<T>) =>
  text === undefined ? E.right(undefined) : check(text);

const required = <T>(raw: Raw, key: string, check: (s: string) => Check<T>): Check<T> => {
  const text = str(raw, key);
  return text === undefined ? E.left(refuse(`--${key} is required`)) : check(text);
};

const common = (raw: Raw): Check<Common> =>
  E.map((group: Group) => ({ group, verbose: raw.verbose === true }))(
    checkGroup(str(raw, 'group')),
  );

const chat = (raw: Raw): Check<ChatOptions> =>
  pipe(
    E.Do,
    E.bind('common', () => common(raw)),
    E.bind('port', () => optional(str(raw, 'port'), (s) => checkPort(s, true))),
    E.bind('name', () => optional(str(raw, 'name'), checkName)),
    E.bind('bind', () => checkHost(str(raw, 'bind') ?? DEFAULT_BIND)),
    E.map(({ common, port, name, bind }) => ({
      command: 'chat',
      ...common,
      port,
      directory: str(raw, 'directory'),
      name,
      bind,
    })),
  );

const listen = (raw: Raw): Check<ListenOptions> =>
  pipe(
    E.Do,
    E.bind('common', () => common(raw)),
    E.bind('port', () => required(raw, 'port', (s) => checkPort(s, true))),
    E.bind('name', () => required(raw, 'name', checkName)),
    E.bind('directory', () => required(raw, 'directory', E.right)),
    E.bind('bind', () => checkHost(str(raw, 'bind') ?? DEFAULT_BIND)),
    E.map(({ common, ...o }) => ({ command: 'listen', ...common, ...o, json: raw.json === true })),
  );

/** `--to USER` (from the directory) or `--host H --port P` (entered by hand), not both. */
const recipient = (raw: Raw): Check<Recipient> => {
  const to = str(raw, 'to');
  const host = str(raw, 'host');
  const port = str(raw, 'port');
  if (to !== undefined) {
    return host === undefined && port === undefined
      ? E.map((username: string) => ({ kind: 'contact', username }) as const)(checkName(to))
      : E.left(refuse('give either --to USER or --host H --port P, not both'));
  }
  if (host === undefined || port === undefined) {
    return E.left(refuse('say who to send to: --to USER, or --host H --port P'));
  }
  return pipe(
    E.Do,
    E.bind('host', () => checkHost(host)),
    E.bind('port', () => checkPort(port, false)),
    E.map((m) => ({ kind: 'manual', ...m }) as const),
  );
};

const send = (raw: Raw, words: readonly string[]): Check<SendOptions> =>
  pipe(
    E.Do,
    E.bind('common', () => common(raw)),
    E.bind('name', () => required(raw, 'name', checkName)),
    E.bind('to', () => recipient(raw)),
    E.filterOrElse(
      ({ to }) => to.kind === 'manual' || str(raw, 'directory') !== undefined,
      () => refuse('--directory is required to send to a contact by name'),
    ),
    // The outbox keeps no password: a message waits there only for a contact of the directory.
    E.filterOrElse(
      ({ to }) => to.kind === 'contact' || raw.queue !== true,
      () =>
        refuse(
          '--queue needs --to USER: the outbox keeps no passwords, so it cannot hold a destination typed by hand',
        ),
    ),
    E.map(({ common, name, to }) => ({
      command: 'send',
      ...common,
      name,
      directory: str(raw, 'directory'),
      to,
      text: words.length > 0 ? words.join(' ') : undefined,
      json: raw.json === true,
      queue: raw.queue === true,
    })),
  );

const probe = (raw: Raw): Check<ProbeOptions> =>
  pipe(
    E.Do,
    E.bind('common', () => common(raw)),
    E.bind('name', () => required(raw, 'name', checkName)),
    E.bind('directory', () => required(raw, 'directory', E.right)),
    E.bind('to', () => optional(str(raw, 'to'), checkName)),
    E.map(({ common, ...o }) => ({ command: 'probe', ...common, ...o, json: raw.json === true })),
  );

const outbox = (raw: Raw): Check<OutboxOptions> =>
  E.map((name: string | undefined) => ({
    command: 'outbox' as const,
    name,
    json: raw.json === true,
  }))(optional(str(raw, 'name'), checkName));

/** A time as --since takes it: ISO 8601 (`2026-12-02`, `2026-12-02T10:00:00Z`). */
const checkSince = (text: string): Check<number> => {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(ms)
    ? E.left(
        refuse(
          `--since '${text}' is not a time: use ISO 8601, as 2026-12-02 or 2026-12-02T10:00:00Z`,
        ),
      )
    : E.right(ms);
};

const history = (raw: Raw): Check<HistoryOptions> =>
  pipe(
    E.Do,
    E.bind('name', () => required(raw, 'name', checkName)),
    E.bind('with', () => optional(str(raw, 'with'), E.right)),
    E.bind('sinceMs', () => optional(str(raw, 'since'), checkSince)),
    E.map((o) => ({ command: 'history' as const, ...o, json: raw.json === true })),
  );

/** The directory file of invite/join: --directory, else the state directory's default is not guessed. */
const invite = (raw: Raw): Check<InviteCliOptions> =>
  pipe(
    E.Do,
    E.bind('common', () => common(raw)),
    E.bind('name', () => optional(str(raw, 'name'), checkName)),
    E.bind('for', () => optional(str(raw, 'for'), checkName)),
    E.bind('port', () => optional(str(raw, 'port'), (s) => checkPort(s, true))),
    E.bind('directory', () => E.right(str(raw, 'directory'))),
    E.bind('bind', () => checkHost(str(raw, 'bind') ?? DEFAULT_BIND)),
    E.bind('expiresInMs', () => checkExpiry(str(raw, 'expires'))),
    E.map(({ common, port, ...o }) => ({
      command: 'invite' as const,
      ...common,
      ...o,
      port: port ?? DEFAULT_INVITE_PORT,
      json: raw.json === true,
    })),
  );

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000 };
const MAX_EXPIRY_MS = 24 * 3_600_000;

/** --expires: 30s, 10m, 1h (a bare number is minutes), from 1 second to 24 hours. */
export const checkExpiry = (text: string | undefined): Check<number> => {
  if (text === undefined) return E.right(INVITE_EXPIRES_MS);
  const m = /^([0-9]{1,6})(s|m|h)?$/.exec(text.trim());
  const ms = m === null ? Number.NaN : Number(m[1]) * UNIT_MS[m[2] ?? 'm']!;
  return ms >= 1_000 && ms <= MAX_EXPIRY_MS
    ? E.right(ms)
    : E.left(refuse(`--expires '${text}' is not a duration from 1s to 24h: write 30s, 10m or 1h`));
};

/** `HOST:PORT`, IPv6 as `[::1]:5001`. */
export const checkAddress = (text: string): Check<{ host: string; port: number }> => {
  const m = /^\[([^\]]+)\]:([^:]+)$/.exec(text) ?? /^([^:[\]]+):([^:]+)$/.exec(text);
  if (m === null) {
    return E.left(
      refuse(
        `'${text}' is not an address: write HOST:PORT, as 192.0.2.10:5001 or [2001:db8::1]:5001`,
      ),
    );
  }
  return pipe(
    E.Do,
    E.bind('host', () => checkHost(m[1]!)),
    E.bind('port', () => checkPort(m[2]!, false)),
  );
};

const join = (raw: Raw, words: readonly string[]): Check<JoinCliOptions> => {
  if (words.length !== 2) {
    return E.left(
      refuse('give the address and the code you were told: join HOST:PORT CODE --name NAME'),
    );
  }
  return pipe(
    E.Do,
    E.bind('common', () => common(raw)),
    E.bind('address', () => checkAddress(words[0]!)),
    // A mistyped code is said before anything starts (and exits 2, as every usage error).
    E.bind('code', () =>
      E.mapLeft((e: { readonly message: string }) => refuse(e.message))(parseCode(words[1]!)),
    ),
    E.bind('name', () => optional(str(raw, 'name'), checkName)),
    E.bind('port', () => optional(str(raw, 'port'), (s) => checkPort(s, true))),
    E.bind('directory', () => E.right(str(raw, 'directory'))),
    E.bind('bind', () => checkHost(str(raw, 'bind') ?? DEFAULT_BIND)),
    E.map(({ common, address, port, ...o }) => ({
      command: 'join' as const,
      ...common,
      ...o,
      host: address.host,
      hostPort: address.port,
      port: port ?? DEFAULT_INVITE_PORT,
      json: raw.json === true,
    })),
  );
};

const CHECKS: Record<CommandName, (raw: Raw, words: readonly string[]) => Check<Command>> = {
  chat,
  listen,
  send,
  probe,
  outbox,
  history,
  invite,
  join,
};

/** node:util's sentences, without the advice about '--' that does not fit here. */
const parseArgsMessage = (err: unknown): ParleyError<'usage'> =>
  refuse(
    whyOf(err)
      .split(/\.(?:\s|$)/)[0]!
      .replace(/^\w/, (c) => c.toLowerCase()),
  );

/**
 * `--port -1` as `--port=-1`: node:util takes a value that starts with a dash for an option
 * (and says so in its own words); a negative number is a value, which its check then refuses
 * in ours ("port '-1' is not a number from 0 to 65535").
 */
const joinNegativeValues = (args: readonly string[], specs: Record<string, { type: string }>) =>
  args.flatMap((arg, i) => {
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    const next = args[i + 1];
    if (name !== undefined && specs[name]?.type === 'string' && next && /^-\d/.test(next)) {
      return [`${arg}=${next}`];
    }
    const previous = args[i - 1];
    const joined =
      previous?.startsWith('--') === true &&
      specs[previous.slice(2)]?.type === 'string' &&
      /^-\d/.test(arg);
    return joined ? [] : [arg];
  });

/** Parse `argv` (without node and the script). */
export const parseCommandLine = (argv: readonly string[]): E.Either<UsageError, Command> => {
  if (argv[0] === 'help') {
    return E.right({ command: 'help', topic: isSubcommand(argv[1]) ? argv[1] : 'chat' });
  }
  const command: CommandName = isSubcommand(argv[0]) ? argv[0] : 'chat';
  const args = isSubcommand(argv[0]) ? argv.slice(1) : [...argv];
  const parsed = E.tryCatch(
    () =>
      parseArgs({
        args: joinNegativeValues(args, SPECS[command]),
        options: SPECS[command],
        strict: true,
        allowPositionals: command === 'send' || command === 'join',
      }),
    parseArgsMessage,
  );
  return pipe(
    parsed,
    E.chain(({ values, positionals }): Check<Command> => {
      const raw = values as Raw;
      if (raw.help === true) return E.right({ command: 'help', topic: command });
      if (raw.version === true) return E.right({ command: 'version' });
      return CHECKS[command](raw, positionals);
    }),
    E.mapLeft(({ message }): UsageError => ({ code: 'usage', command, message })),
  );
};
