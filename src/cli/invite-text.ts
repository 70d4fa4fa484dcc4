/**
 * The words of invites and joins: what to tell the other person, and a sentence for each
 * event of an invite or a join. Pure: events and addresses in, lines out (no secret ever:
 * the code appears only in the line to pass on).
 */
import type { NetworkInterfaceInfo } from 'node:os';
import { printable } from '../codecs/printable.js';
import type { InviteEvent, JoinEvent, JoinedContact } from '../invite/types.js';
import { MAX_SHOWN_PEER_WORDS } from '../limits.js';

/** An address as `parley join` takes it: IPv6 in brackets. */
export const hostPort = (host: string, port: number): string =>
  `${host.includes(':') ? `[${host}]` : host}:${port}`;

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * The addresses others can reach us on: the bound one, or (bound to every interface) each
 * non-internal IPv4/IPv6 address, then 127.0.0.1 last (alone when there is nothing else).
 * Link-local IPv6 is left out: it needs a zone a peer cannot guess.
 */
export const reachableHosts = (
  bind: string,
  interfaces: NodeJS.Dict<readonly NetworkInterfaceInfo[]>,
): string[] => {
  if (!WILDCARDS.has(bind)) return [bind];
  // 0.0.0.0 takes IPv4 only; :: takes both (dual stack).
  const found = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((i) => !i.internal && (i.family === 'IPv4' || bind === '::'))
    .filter((i) => !(i.family === 'IPv6' && i.address.toLowerCase().startsWith('fe80')))
    .map((i) => i.address);
  return [...new Set(found), '127.0.0.1'];
};

/** The lines that tell what to pass on: one `parley join` per address. */
export const joinInstructions = (
  run: string,
  hosts: readonly string[],
  port: number,
  code: string,
  forName: string | undefined,
): string[] => [
  ...hosts.map(
    (h) =>
      `ask them to run: ${run} join ${hostPort(h, port)} ${code}${forName === undefined ? '' : ` --name ${forName}`}`,
  ),
  `(or, in a chat of theirs: /join ${hostPort(hosts[0] ?? '127.0.0.1', port)} ${code})`,
];

/** "10 minutes", "1 minute", "45 seconds". */
export const duration = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  return `${m} minute${m === 1 ? '' : 's'}`;
};

/** HH:MM of the local clock. */
export const clockTime = (ms: number): string => {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

const contactLine = (c: JoinedContact): string =>
  `✓ ${c.username} is now in your contacts (${hostPort(c.ip, c.port)})`;

const times = (n: number): string => (n === 1 ? 'once' : `${n} times`);

/** The invite's event as a line on the inviter's screen. */
export const inviteSentence = (event: InviteEvent, nowMs: number, run = 'parley'): string => {
  switch (event.kind) {
    case 'open':
      return `the code ${event.code} works once and expires in ${duration(event.expiresAt - nowMs)} (at ${clockTime(event.expiresAt)})`;
    case 'wrong_code':
      return `a wrong code was tried from ${event.remote} (${event.attemptsLeft} attempt${event.attemptsLeft === 1 ? '' : 's'} left)`;
    case 'refused':
      return event.code === 'name_taken'
        ? `${event.username} (from ${event.remote}) was not added: you already have a contact named ${event.username}; they can join again with another --name`
        : `a join from ${event.remote} was refused: ${event.message}`;
    case 'joined':
      return contactLine(event.contact);
    case 'burnt':
      return `the code was tried ${times(event.wrongAttempts)} wrongly and no longer works; make a new one with ${run} invite`;
    case 'expired':
      return `the code expired before anyone joined; make a new one with ${run} invite`;
    case 'cancelled':
      return 'the invite was cancelled: the code no longer works';
    case 'failed':
      return `the invite failed: ${event.message}`;
  }
};

/** The count an inviter's `auth_failed` tells ("wrong code: 2 attempts left"), if it does. */
const attemptsIn = (message: string): number | undefined => {
  const m = /(\d+) attempts? left/.exec(message);
  return m === null ? undefined : Number(m[1]);
};

/** The join's event as a line on the joiner's screen. */
export const joinSentence = (
  event: JoinEvent,
  address: string,
  attemptsLeft = event.kind === 'failed' ? attemptsIn(event.message) : undefined,
): string => {
  if (event.kind === 'joined') return contactLine(event.contact);
  // Mostly the inviter's words (its error frame), so made safe for a terminal and cut; only
  // file_failed's message is always this node's own, shown whole.
  const theirs = printable(event.message, MAX_SHOWN_PEER_WORDS);
  switch (event.code) {
    case 'wrong_code':
      return `that code is not right: check it with the person who invited you and try again${attemptsLeft === undefined ? '' : ` (${attemptsLeft} attempt${attemptsLeft === 1 ? '' : 's'} left)`}`;
    case 'burnt':
      // Not a count: the inviter's limit is its own (a program may set maxWrongAttempts).
      return 'that code was tried wrongly too many times and no longer works: ask for a new code';
    case 'no_invite':
      return `nobody is inviting at ${address}, or the code expired: ask for a new code${event.message === '' ? '' : ` (${address} says: ${theirs})`}`;
    case 'not_supported':
      return `the peer at ${address} speaks parley/1 but not invites: add it by hand with /add`;
    case 'unreachable':
      return `could not reach ${address}: check the address and that the invite is still open (${theirs})`;
    case 'busy':
      return `${address} is busy (${theirs}): try again in a minute; the code was not tried and still works`;
    case 'rate_limited':
      return `${address} refuses your address for now after too many failed attempts: wait a few minutes and try again; the code was not tried`;
    case 'timeout':
      return `${address} did not answer in time: check the address, or ask for a new code`;
    case 'name_taken':
      return `${theirs}: join again with another --name (the code still works)`;
    case 'file_failed':
      return `the contact was not filed: ${event.message}; nothing was added on either side: fix it and join again (the code works until it expires)`;
    case 'protocol':
      return `the join failed: ${theirs}`;
  }
};

/** Exit status of `parley invite` / `parley join` for their last event (0 only when joined). */
export const inviteExit = (event: InviteEvent | JoinEvent | undefined): number => {
  if (event?.kind === 'joined') return 0;
  if (event?.kind === 'failed' && event.code === 'wrong_code') return 3;
  return 1;
};

/** `--json`: one line per invite event, snake_case (the code only in `open`). */
export const inviteJson = (event: InviteEvent): string => {
  switch (event.kind) {
    case 'open':
      return JSON.stringify({
        event: 'open',
        code: event.code,
        expires_at: new Date(event.expiresAt).toISOString(),
      });
    case 'wrong_code':
      return JSON.stringify({
        event: 'wrong_code',
        attempts_left: event.attemptsLeft,
        remote: event.remote,
      });
    case 'refused':
      return JSON.stringify({
        event: 'refused',
        code: event.code,
        username: event.username,
        remote: event.remote,
        message: event.message,
      });
    case 'joined':
      return JSON.stringify({ event: 'joined', ...event.contact });
    case 'failed':
      return JSON.stringify({ event: 'failed', code: event.code, message: event.message });
    case 'burnt':
      return JSON.stringify({ event: 'burnt', wrong_attempts: event.wrongAttempts });
    default:
      return JSON.stringify({ event: event.kind });
  }
};
