/**
 * What the console says, in a person's words. Pure functions from reports and messages to
 * lines of text; nothing here writes anywhere.
 */
import type { ReceivedMessage } from '../actors/responder.js';
import type { DirectoryEntry } from '../codecs/directory.js';
import { printable, printableText } from '../codecs/printable.js';
import { CLOCK_SKEW_NOTICE_MS, MAX_USERNAME_CHARS } from '../limits.js';
import type { OutboxEntry } from '../node/node.js';
import type { Address, DeliveryReport, ProbeReport } from '../node/reports.js';
import { reasonOf } from './refusals.js';
import { type Waiting, waitingHint, waitNote } from './waiting.js';

/** A username as received (the codecs already refuse unsafe ones; this holds if they did not). */
const shownName = (name: string): string => printable(name, MAX_USERNAME_CHARS);

const two = (n: number): string => String(n).padStart(2, '0');

/** Local wall-clock time, `HH:MM:SS`. */
export const clockTime = (date: Date): string =>
  `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;

/** A long duration roughly, as a person says it: `7 minutes`, `3 hours`, `2 days`. */
export const roughly = (ms: number): string => {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 'second'],
  ];
  const [size, unit] = units.find(([size]) => Math.abs(ms) >= size) ?? [1, 'millisecond'];
  const n = Math.round(Math.abs(ms) / size);
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
};

/** The note for a sender whose clock is far from ours (parley/1 shows it, never rejects). */
export const clockNote = (m: ReceivedMessage): string | undefined => {
  if (Math.abs(m.clockSkewMs) < CLOCK_SKEW_NOTICE_MS) return undefined;
  // clockSkewMs is our clock minus the timestamp: positive when it says the past. A message
  // carries when it was written, so one that waited in an outbox says so too.
  if (m.clockSkewMs > 0) {
    return `(written ${roughly(m.clockSkewMs)} ago, at ${m.timestamp}: it waited to be delivered, or ${shownName(m.from)}'s clock is behind ours)`;
  }
  return `(${shownName(m.from)}'s clock is ${roughly(m.clockSkewMs)} ahead of ours: it says it sent this at ${m.timestamp})`;
};

/** `[12:03:45] alice: hello`, later lines of the message indented under the first. */
export const formatReceived = (m: ReceivedMessage, receivedAt: Date): string => {
  const head = `[${clockTime(receivedAt)}] ${shownName(m.from)}: `;
  const body = printableText(m.text)
    .split('\n')
    .join(`\n${' '.repeat(head.length)}`);
  const note = clockNote(m);
  return note === undefined ? `${head}${body}` : `${head}${body}\n  ${note}`;
};

/** A destination as a person calls it: the username, or the address entered by hand. */
export const nameOf = (to: Address): string => to.username ?? `${to.host}:${to.port}`;

/** The one line that ends a send; `waiting`: where it waits if it failed, and till when. */
export const formatDelivery = (report: DeliveryReport, waiting?: Waiting): string => {
  if (report.outcome === 'delivered') {
    const peer = report.to.username === undefined ? ` (${shownName(report.peer)})` : '';
    return `✓ delivered to ${nameOf(report.to)}${peer} in ${report.elapsedMs} ms`;
  }
  const hint = waitingHint(waiting);
  if (report.outcome === 'unknown') {
    return `? ${nameOf(report.to)} may or may not have it: ${reasonOf(report)}${hint} (a retry is shown only once)`;
  }
  return `✗ not delivered to ${nameOf(report.to)}: ${reasonOf(report)}${hint}`;
};

/**
 * A waiting message that went out by itself, saying which (its first words): several may go
 * at once, and "delivered to bob" three times would not tell them apart.
 */
export const formatWentByItself = (report: DeliveryReport, text: string | undefined): string =>
  `${formatDelivery(report)}${text === undefined ? '' : `: ${excerpt(text)}`} (it went out by itself)`;

const PROBE_WORDS: Readonly<Record<ProbeReport['outcome'], string>> = {
  online: 'online',
  offline: 'offline',
  // Not "wrong password": it may be the peer's word, and the peer may not be the contact.
  wrong_password: 'password mismatch',
  failed: 'failed',
};

/** `bob    online (12 ms)` or `carol  offline: carol is not reachable at …`. */
export const formatProbe = (report: ProbeReport, width = 0): string => {
  const who = nameOf(report.to).padEnd(width);
  return report.outcome === 'online'
    ? `${who}  online (${report.elapsedMs} ms)`
    : `${who}  ${PROBE_WORDS[report.outcome]}: ${reasonOf(report)}`;
};

/** `3 contacts: 1 online, 1 offline, 1 password mismatch`. */
export const probeSummary = (reports: readonly ProbeReport[]): string => {
  const counts = new Map<string, number>();
  for (const r of reports) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  const parts = (Object.keys(PROBE_WORDS) as ProbeReport['outcome'][])
    .filter((o) => counts.has(o))
    .map((o) => `${counts.get(o)} ${PROBE_WORDS[o]}`);
  return `${reports.length} contact${reports.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
};

export const widest = (names: readonly string[]): number =>
  Math.max(0, ...names.map((n) => [...n].length));

/** `  1) bob    127.0.0.1:5002`; never a password. */
export const formatContacts = (contacts: readonly DirectoryEntry[]): string => {
  const width = widest(contacts.map((c) => c.username));
  return contacts
    .map((c, i) => `  ${i + 1}) ${c.username.padEnd(width)}  ${c.ip}:${c.port}`)
    .join('\n');
};

/** The first line of a message, shortened, for lists. */
export const excerpt = (text: string, max = 40): string => {
  const first = printableText(text.split('\n')[0] ?? '');
  const chars = [...first];
  const more = chars.length > max || text.includes('\n');
  return `"${chars.slice(0, max).join('')}${more ? '…' : ''}"`;
};

const attemptsOf = (n: number): string => (n === 1 ? '1 attempt' : `${n} attempts`);

/**
 * /outbox: each message, to whom, its first words, its attempts, and when it goes next. A
 * reason said for an earlier entry is not said again (several messages to a contact that is
 * away share one, often a long one): "as 1)".
 */
export const formatOutbox = (entries: readonly OutboxEntry[], nowMs: number): string => {
  const saidAt = new Map<string, number>();
  return entries
    .map((entry, i) => {
      const { job, report, attempts } = entry;
      const state = report.outcome === 'unknown' ? 'maybe delivered' : 'not delivered';
      const reason = report.outcome === 'delivered' ? undefined : reasonOf(report);
      const earlier = reason === undefined ? undefined : saidAt.get(reason);
      if (reason !== undefined && earlier === undefined) saidAt.set(reason, i + 1);
      const why =
        reason === undefined ? '' : earlier === undefined ? `: ${reason}` : `: as ${earlier})`;
      const next = waitNote({ number: i + 1, entry, nowMs });
      return `  ${i + 1}) to ${nameOf(report.to)} ${excerpt(job.text)} — ${state} (${attemptsOf(attempts)})${why}; ${next}`;
    })
    .join('\n');
};

/** The destination menu shown after a message is typed. */
export const destinationMenu = (contacts: readonly DirectoryEntry[], again?: Address): string => {
  const lines = ['Send to:', formatContacts(contacts)].filter((l) => l !== '');
  lines.push('  m) someone else (enter ip, port and password)');
  if (again !== undefined) lines.push(`  Enter: ${nameOf(again)} again, as before`);
  else lines.push('  (Enter alone cancels)');
  return lines.join('\n');
};
