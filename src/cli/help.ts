/**
 * What `--help` and `--version` print, and the console's /help.
 */
import { readFileSync } from 'node:fs';
import type { CommandName } from './args.js';

/** The version in package.json (two folders up from src/cli and from dist/cli alike). */
export const version = (): string => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(pkg.version);
};

const COMMON = `  --group G         DH group for what we send: modp14 (default) or x25519
  --verbose, -v     protocol trace on stderr (frame types, sizes, timings; never secrets)
  --help, -h        this help`;

const CHAT = `parley — secure peer-to-peer chat over TCP (parley/1)

Usage:
  parley [--port P] [--directory FILE] [--name NAME] [options]
  parley listen --port P --name NAME --directory FILE [--json]
  parley send   --name NAME --directory FILE --to USER [TEXT…]
  parley probe  --name NAME --directory FILE [--to USER]
  parley help COMMAND

Without --port, --directory or --name, parley asks for them (on a terminal only).

Options:
  --port P          port to listen on (0: any free port)
  --directory FILE  your contacts: a JSON list of {username, password, port, ip}
  --name NAME       your own username, as your contacts know you
  --bind HOST       address to listen on (default 0.0.0.0; 127.0.0.1 keeps it local)
${COMMON}
  --version         print the version

In the chat, type a message and press Enter, then pick who gets it. /help lists the rest.`;

const LISTEN = `Usage: parley listen --port P --name NAME --directory FILE [--json] [--bind HOST]

Receives messages without a keyboard until stopped (Ctrl-C or SIGTERM).
  --json            one JSON line per verified message on stdout:
                    {"from","to","text","msg_id","timestamp"}; diagnostics go to stderr
${COMMON}

Message ids already shown are kept in $PARLEY_STATE_DIR (else $XDG_STATE_HOME/parley, else
~/.local/state/parley), which must be yours and not writable by others. Internal errors
(that folder cannot be written, say) are always said on stderr.`;

const SEND = `Usage: parley send --name NAME --directory FILE --to USER [--group G] [TEXT…]
       parley send --name NAME --host H --port P [TEXT…]

Sends one message: TEXT, or else everything read from stdin.
  --to USER         a contact from the directory
  --host H --port P a destination entered by hand; the password is read from the
                    environment variable PARLEY_SECRET, or asked for on the terminal
  --json            print the delivery report as JSON on stdout
${COMMON}

Exit status: 0 delivered (a verified acknowledgement came back), 1 not delivered or
not known to be (the reason is on stderr), 2 usage or input error.`;

const PROBE = `Usage: parley probe --name NAME --directory FILE [--to USER] [--json]

Checks whether contacts are there and share the right password, all at once.
  --to USER         only this contact
  --json            one JSON line per contact on stdout
${COMMON}

Exit status: 0 every contact probed is online, 1 one or more offline or failing,
3 a password mismatch with one or more (and none offline), 2 usage or input error.
A mismatch is the peer at the contact's address saying the password does not match, or
failing to prove it knows it: a different password on one side, or not the contact at
all. Nothing proves which, so check with the contact another way; do not try other
passwords on its word.`;

export const helpText = (topic: CommandName): string =>
  ({ chat: CHAT, listen: LISTEN, send: SEND, probe: PROBE })[topic];

/** The console's /help. */
export const CONSOLE_HELP = `Type a message and press Enter, then pick who gets it.
  @NAME TEXT      send TEXT to contact NAME at once
  TEXT\\           a line ending in \\ continues the message on the next line
                  (a line ending in \\\\ ends it, with one real backslash)
  //TEXT          send a message that starts with /
Commands:
  /contacts       list your contacts
  /who            check which contacts are online
  /add            add a contact (saved to the directory file)
  /outbox         messages not delivered
  /retry [N]      send undelivered message N again (to the same or another destination)
  /quit           leave (Ctrl-D too; Ctrl-C clears the line, or quits on an empty one)
  /help           this list
Ctrl-C or an empty answer cancels a question.`;
