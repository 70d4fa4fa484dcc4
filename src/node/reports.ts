/**
 * What a send or a probe came to, as data for programs and as a sentence for people.
 */

import type { Failure } from '../actors/types.js';
import type { DirectoryEntry } from '../codecs/directory.js';
import type { Group } from '../codecs/formats.js';
import { printable } from '../codecs/printable.js';
import { MAX_SHOWN_PEER_CODE, MAX_SHOWN_PEER_WORDS } from '../limits.js';

/** Where to send: a directory contact, or an address and secret entered by hand. */
export interface Destination {
  /** The contact's username; undefined for a destination entered by hand. */
  readonly username?: string;
  readonly host: string;
  readonly port: number;
  /** The secret shared with that contact. Never logged or shown. */
  readonly secret: string;
  /** The DH group the contact's directory entry names, if it names one. */
  readonly group?: Group;
}

/** A contact's address, password and group, from its directory entry. */
export const destinationOf = (c: DirectoryEntry): Destination => ({
  username: c.username,
  host: c.ip,
  port: c.port,
  secret: c.password,
  ...(c.group === undefined ? {} : { group: c.group }),
});

export interface SendJob {
  /** A destination, or the username of a contact in the node's directory. */
  readonly to: Destination | string;
  readonly text: string;
  /** Reuse the id of an undelivered message to retry it (the receiver shows it once). */
  readonly msgId?: string;
  readonly group?: Group;
}

/** Why a send did not succeed. */
export type SendFailure =
  | Failure
  /** No connection could be made. */
  | { readonly cause: 'unreachable'; readonly code: string; readonly message: string }
  /** Refused before it started (node closing, queue full, message too long). */
  | { readonly cause: 'refused'; readonly message: string };

/** The destination without its secret: safe to show, log and keep. */
export interface Address {
  readonly username: string | undefined;
  readonly host: string;
  readonly port: number;
}

export type DeliveryReport =
  | {
      readonly outcome: 'delivered';
      readonly msgId: string;
      readonly to: Address;
      /** The responder's username as its hello gave it. */
      readonly peer: string;
      readonly elapsedMs: number;
    }
  | {
      /** `unknown`: the message was written but no valid ack came; the peer may have it. */
      readonly outcome: 'not_delivered' | 'unknown';
      readonly msgId: string;
      readonly to: Address;
      readonly failure: SendFailure;
      /** The failure in a person's words, with what to try. */
      readonly reason: string;
      readonly elapsedMs: number;
    };

export type ProbeReport =
  | {
      readonly outcome: 'online';
      readonly to: Address;
      readonly peer: string;
      readonly elapsedMs: number;
    }
  | {
      /**
       * `wrong_password`: the passwords did not match, by the peer's unauthenticated word
       * (`auth_failed`) or because it could not prove it knows ours. Either side may hold
       * another password, or the peer may not be the contact: nothing proves which.
       */
      readonly outcome: 'offline' | 'wrong_password' | 'failed';
      readonly to: Address;
      readonly failure: SendFailure;
      readonly reason: string;
      readonly elapsedMs: number;
    };

export const addressOf = ({
  username,
  host,
  port,
}: {
  readonly username?: string | undefined;
  readonly host: string;
  readonly port: number;
}): Address => ({
  username,
  host,
  port,
});

const whoIs = (to: Address): string => to.username ?? `the peer at ${to.host}:${to.port}`;

/**
 * A peer that refuses the group we asked for: say which, why it matters, and how to choose
 * another for that contact. We never retry with another group on our own: an impostor in the
 * middle could answer `unsupported_group` just to make us fall back to one it can attack.
 */
const explainUnsupportedGroup = (who: string, to: Address, group: Group | undefined): string => {
  const asked = group === undefined ? 'the DH group we asked for' : `the DH group ${group}`;
  const example = group === 'x25519' ? 'modp14' : 'x25519';
  const how =
    to.username === undefined
      ? `start parley with --group (for example --group ${example})`
      : `set "group" in ${to.username}'s directory entry (for example "group": "${example}") ` +
        'or start parley with --group';
  return (
    `${who} does not accept ${asked}: it may run an older parley, or be an impostor trying to ` +
    `make us use a weaker group. Nothing was sent with another group. If you trust it to need ` +
    `another one, ${how}`
  );
};

/** The failure in a person's words: what happened and, where it helps, what to try. */
export const explainFailure = (failure: SendFailure, to: Address, group?: Group): string => {
  const who = whoIs(to);
  if (
    (failure.cause === 'peer_error' || failure.cause === 'rejected') &&
    failure.code === 'unsupported_group'
  ) {
    return explainUnsupportedGroup(who, to, group);
  }
  switch (failure.cause) {
    case 'unreachable':
      return `${who} is not reachable at ${to.host}:${to.port}: ${failure.message}; is parley running there?`;
    case 'refused':
      return failure.message;
    case 'timeout':
      return `${who} stopped answering (no reply within the step deadline)`;
    case 'closed':
      return `${who} closed the connection before the exchange was complete`;
    case 'rejected':
      if (failure.code === 'auth_failed') {
        return `${who} could not prove it knows the password: a wrong password, or an impostor`;
      }
      return `${who} sent something invalid (${failure.code}): ${failure.message}`;
    case 'peer_error':
      return explainPeerError(
        printable(failure.code, MAX_SHOWN_PEER_CODE),
        printable(failure.message, MAX_SHOWN_PEER_WORDS),
        to,
      );
  }
};

/**
 * An error frame carries no MAC: whoever answers at the address, or anyone on the path, can
 * send one. So it is told as what the peer at that address says, never as the contact's
 * verdict, and never with advice to change the password: an impostor who says "wrong
 * password" would have the person try their other passwords on it, one proof each.
 */
const explainPeerError = (code: string, message: string, to: Address): string => {
  const says = `the peer at ${to.host}:${to.port} says`;
  const mayNotBe = `which may not be ${to.username ?? 'the one you meant'}`;
  switch (code) {
    case 'auth_failed':
      return `${says} the password does not match (auth_failed), ${mayNotBe}: check with ${to.username ?? 'them'} another way rather than trying other passwords`;
    case 'busy':
      return `${says} it is busy, ${mayNotBe}; try again in a moment`;
    case 'rate_limited':
      return `${says} it is refusing us for a while after failed attempts, ${mayNotBe}; wait before trying again`;
    case 'unknown_recipient':
      return `${says} it is not ${to.username ?? 'the one you meant'}: "${message}"`;
    default:
      return `${says} "${message}" (${code}), ${mayNotBe}`;
  }
};
