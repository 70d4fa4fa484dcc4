/**
 * What `--help` and `--version` print, and the console's /help. The texts name the command
 * as the person ran it (`npm start --`, `node dist/main.js`, or `parley` when installed as a
 * command), so that an example can be copied as it is: `npm install` puts no `parley` on
 * the PATH.
 */
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, relative } from 'node:path';
import {
  MAX_PLAINTEXT_BYTES,
  MAX_TEXT_PARTS,
  MIN_RETRY_FIRST_MS,
  RETRY_FIRST_MS,
} from '../limits.js';
import type { CommandName } from './args.js';

/** The version in package.json (two folders up from src/cli and from dist/cli alike). */
export const version = (): string => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(pkg.version);
};

/** How parley was started, as far as the process can tell. */
export interface Invocation {
  /** The script node ran (process.argv[1]). */
  readonly script: string;
  readonly cwd: string;
  /** npm's lifecycle event when run by npm (`start` for `npm start`). */
  readonly npmEvent: string | undefined;
}

const quoted = (path: string): string => (/[\s'"$`\\]/.test(path) ? `'${path}'` : path);

/** The command as the person typed it, to be repeated in help texts and advice. */
export const commandName = ({ script, cwd, npmEvent }: Invocation): string => {
  if (npmEvent === 'start') return 'npm start --';
  // A bin link (npm link, npm install -g): the name on the PATH.
  if (basename(script) === 'parley') return 'parley';
  const near = relative(cwd, script);
  return `node ${quoted(near.startsWith('..') || isAbsolute(near) ? script : near)}`;
};

/** This process's command name. */
export const ownCommandName = (): string =>
  commandName({
    script: process.argv[1] ?? 'dist/main.js',
    cwd: process.cwd(),
    npmEvent: process.env.npm_lifecycle_event,
  });

const bytes = MAX_PLAINTEXT_BYTES.toLocaleString('en');

/** The size limit in one sentence, the same everywhere it is stated. */
export const SIZE_LIMIT =
  `A message holds at most ${bytes} bytes of UTF-8 text (the parley/1 limit); a longer text, ` +
  `up to ${MAX_TEXT_PARTS} such messages, goes as numbered parts that parley shows as one.`;

const COMMON = `  --group G         DH group for contacts whose entry names none: cpace-ristretto255
                    (default; a wrong password gives nothing to guess offline), modp14 or x25519
  --verbose, -v     protocol trace on stderr (frame types, sizes, timings; never secrets)
  --help, -h        this help
  --version         print the version`;

const BIND = `  --bind HOST       the address to listen on: 0.0.0.0 (the default) takes contacts from
                    other machines on every network interface; 127.0.0.1 only from this
                    machine; the address of one interface, only through that one`;

const STATE = `$PARLEY_STATE_DIR (else $XDG_STATE_HOME/parley, else ~/.local/state/parley),
which must be yours and not writable by others`;

/** The CLI's one way to shorten the retry schedule (for tests: see retry-env.ts). */
const RETRY_ENV = `$PARLEY_RETRY_BASE_MS (${MIN_RETRY_FIRST_MS}–${RETRY_FIRST_MS}, for tests) shortens that schedule: that many ms
instead of 10 s, the longest wait in proportion.`;

const OUTBOX = `What is not delivered waits in the outbox and goes out by itself: 10 s after a failure,
then twice as long each time (at most 15 min apart), and at once when the contact reaches
you. Quitting keeps it for your next chat or listen as NAME (see outbox --help): it is in
${STATE}.
${RETRY_ENV}`;

const chat = (run: string) => `parley — secure peer-to-peer chat over TCP (parley/1)

Usage:
  ${run} [--port P] [--directory FILE] [--name NAME] [options]
  ${run} listen --port P --name NAME --directory FILE [--json]
  ${run} send   --name NAME --directory FILE --to USER [--queue] [TEXT…]
  ${run} probe  --name NAME --directory FILE [--to USER] [--json]
  ${run} outbox [--name NAME] [--json]
  ${run} history --name NAME [--with USER] [--since TIME] [--json]
  ${run} invite [--name NAME] [--directory FILE] [--for USER] [--expires TIME] [--json]
  ${run} join   HOST:PORT CODE [--name NAME] [--directory FILE]
  ${run} help COMMAND
${run.startsWith('npm') ? '(npm start builds first and prints its own lines on stdout: scripts run node dist/main.js.)\n' : ''}
Without --port, --directory or --name, parley asks for them (on a terminal only).

Options:
  --port P          port to listen on (0: any free port)
  --directory FILE  your contacts: a JSON list of {username, password, port, ip}
                    (and optionally "group", the only DH group used with that contact)
  --name NAME       your own username, as your contacts know you
${BIND}
${COMMON}

In the chat, type a message and press Enter, then pick who gets it. /help lists the rest.
Someone new? /invite (or invite) makes a one-time code; they join with it, and each of you
then has the other in the directory file, with a fresh secret: nothing to type by hand.
${SIZE_LIMIT}
${OUTBOX}`;

const listen = (
  run: string,
) => `Usage: ${run} listen --port P --name NAME --directory FILE [--json] [--bind HOST]

Receives messages without a keyboard until stopped (Ctrl-C or SIGTERM).
  --json            one JSON line per verified message on stdout:
                    {"from","to","text","msg_id","timestamp"}; diagnostics go to stderr
${BIND}
${COMMON}

Message ids already shown, and the outbox of NAME, are kept in
${STATE}.
Messages waiting in that outbox (from a chat, or send --queue) go out by themselves while it
listens; each delivery or failure is said on stderr. Internal errors (that folder cannot be
written, say) are always said on stderr.
${RETRY_ENV}`;

const send = (
  run: string,
) => `Usage: ${run} send --name NAME --directory FILE --to USER [--queue] [--group G] [TEXT…]
       ${run} send --name NAME --host H --port P [TEXT…]

Sends one message: TEXT, or else everything read from stdin.
${SIZE_LIMIT}
Split longer text and send each part as a message of its own.
  --to USER         a contact from the directory
  --host H --port P a destination entered by hand; the password is read from the
                    environment variable PARLEY_SECRET, or asked for on the terminal
  --json            print the delivery report as JSON on stdout
  --queue           if it is not delivered, keep it in the outbox of NAME for the next
                    chat or listen as NAME to send by itself (shown once); while a parley
                    as NAME runs, hand it to that one instead: see ${run} outbox --help
${COMMON}

Exit status: 0 delivered (a verified acknowledgement came back), 1 not delivered or
not known to be (the reason is on stderr), 2 usage or input error, 4 not delivered and
queued (--queue: it waits in the outbox).`;

const probe = (
  run: string,
) => `Usage: ${run} probe --name NAME --directory FILE [--to USER] [--json]

Checks whether contacts are there and share the right password, all at once, and lists
them in the directory's order.
  --to USER         only this contact
  --json            one JSON line per contact on stdout
${COMMON}

Exit status: 0 every contact probed is online, 1 one or more offline or failing,
3 a password mismatch with one or more (and none offline), 2 usage or input error.
A mismatch is the peer at the contact's address saying the password does not match, or
failing to prove it knows it: a different password on one side, or not the contact at
all. Nothing proves which, so check with the contact another way; do not try other
passwords on its word.`;

const outbox = (run: string) => `Usage: ${run} outbox [--name NAME] [--json]

Lists the messages that wait in the outbox of NAME (without --name, of every name): to whom,
the first words, the attempts so far, and when each goes out: as soon as a chat or listen as
NAME starts (or by the one running now), unless paused after a password mismatch (a
paused one goes once at the next start if the directory file changed since it paused). Nothing
is changed. The outboxes are kept in
${STATE}.
  --json            one JSON line per message on stdout: {"name","msg_id","to":{"username",
                    "host","port"},"text","bytes","attempts","paused","next_try"}, next_try
                    being "on_start", "running" (a parley as NAME runs and sends it on its
                    schedule) or null (paused)
  --help, -h        this help
  --version         print the version`;

const history = (
  run: string,
) => `Usage: ${run} history --name NAME [--with USER] [--since TIME] [--json]

Prints what NAME's history keeps, oldest first: every message a chat or listen as NAME
showed or sent (each once, whatever the retries; a sent one in its last state: delivered,
waiting or not delivered). Nothing is changed. The history is history-NAME in
${STATE}
(mode 0600, not encrypted: see the README), capped at the most recent 10,000 messages.
  --with USER       only the conversation with USER
  --since TIME      only what was shown or reported since TIME (ISO 8601: 2026-12-02,
                    2026-12-02T10:00:00Z)
  --json            one JSON line per message on stdout: {"msg_id","direction" ("in" or
                    "out"),"contact","text","timestamp" (the sender's),"at" (when shown, or
                    last reported),"state" (sent ones: "delivered", "waiting", "given_up")}
  --help, -h        this help
  --version         print the version

Exit status: 0 printed (nothing, when the history is empty), 1 the history or the state
directory cannot be read (said on stderr), 2 usage error.`;

const invite = (
  run: string,
) => `Usage: ${run} invite [--name NAME] [--directory FILE] [--for CONTACT]
                     [--port P] [--bind HOST] [--expires TIME] [--json]

Start talking with someone new in one step: makes a one-time code (like 7-crater-lamp),
prints what to tell the other person (ask them to run: ${run} join 192.0.2.10:5001 CODE),
and waits until they join. Then each of you has the other in the directory file.
The code works once, expires in 10 minutes (--expires) and is burnt after 3 wrong attempts.

  --name NAME       your username (asked for when not given; not while a chat of NAME runs:
                    type /invite in that chat instead)
  --directory FILE  where the new contact is filed (created, private, if missing; asked for
                    when not given)
  --for CONTACT     whom it is for: the join line names them (--name CONTACT), and only
                    a joiner of that name may use the code (else any name not yet a contact)
  --port P          the port to listen on while waiting (default 5001; 0: any free port)
${BIND}
  --expires TIME    how long the code works: 30s, 10m, 1h (default 10m, at most 24h)
  --json            one JSON line per event on stdout (open, wrong_code, joined, …)
${COMMON}

Ctrl-C cancels the invite: the code no longer works.
Exit status: 0 they joined, 1 expired, burnt, cancelled or failed, 2 usage error.`;

const join = (
  run: string,
) => `Usage: ${run} join HOST:PORT CODE [--name NAME] [--directory FILE] [--port P]
                   [--bind HOST] [--json]

Join someone who invited you, with the address and code they told you
(${run} join 192.0.2.10:5001 7-crater-lamp --name bob; IPv6 as [2001:db8::1]:5001).
Each of you then has the other in the directory file.

  --name NAME       your username (asked for when not given; not while a chat of NAME runs:
                    type /join there)
  --directory FILE  where the new contact is filed (created, private, if missing; asked for
                    when not given)
  --port P          the port you listen on, told to the inviter so that they can reach you
                    (default 5001)
${BIND}
  --json            the end as one JSON line on stdout: {"event":"joined",…} or
                    {"event":"failed","code":…,"message":…} (codes: wrong_code, burnt,
                    no_invite, busy, rate_limited, name_taken, timeout, …)
${COMMON}

Exit status: 0 joined, 1 failed (the reason is said), 2 usage error, 3 wrong code.`;

/** `--help` of a command; `run` is the command as the person runs it. */
export const helpText = (topic: CommandName, run: string): string =>
  ({ chat, listen, send, probe, outbox, history, invite, join })[topic](run);

/** The console's /help. */
export const CONSOLE_HELP = `Type a message and press Enter, then pick who gets it.
${SIZE_LIMIT}
  @NAME TEXT      send TEXT to contact NAME at once
  TEXT\\           a line ending in \\ continues the message on the next line
                  (a line ending in \\\\ ends it, with one real backslash)
  //TEXT          send a message that starts with /
Commands:
  /contacts       list your contacts
  /who            check which contacts are online
  /add            add a contact (saved to the directory file)
  /edit NAME      change a contact's ip, port or password (Enter keeps each as it is)
  /outbox         messages not delivered: attempts, next try (they go out by themselves)
  /retry [N]      send undelivered message N again now (to the same or another destination)
  /history [NAME] [N]  the last N messages (20), with NAME or with everyone
  /find WORDS     the messages that hold every word (any case)
  /invite [NAME]  make a one-time code for someone new (only for NAME, if given)
  /invite cancel  the open code stops working
  /join ADDRESS CODE  join someone who invited you (ADDRESS as 192.0.2.10:5001)
  /remove N       drop undelivered message N from the outbox: it is not sent again
  /quit           leave; what waits in the outbox goes out when you are back (asks first
                  if the outbox cannot be kept on disk)
  /help           this list
Ctrl-C clears the line you are typing; on an empty line, Ctrl-C or Ctrl-D is /quit.
In a question, Ctrl-C, Ctrl-D or an empty answer cancels the question (never parley);
in /edit an empty answer keeps the value.`;
