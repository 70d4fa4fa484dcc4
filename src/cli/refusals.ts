/**
 * The slowdown after wrong passwords, told on both sides: the sender learns how long a
 * parley peer refuses (the node's own words say only "for a while"), and the receiver learns
 * that it is refusing an address, once per address and block, however often it knocks.
 */

import { DEFAULT_AUTH_LIMIT, sourceOf } from '../node/defences.js';
import type { NodeEvent } from '../node/node.js';
import type { DeliveryReport, ProbeReport } from '../node/reports.js';

const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`;
const { blockMs, maxFailures, windowMs } = DEFAULT_AUTH_LIMIT;

/** The reason of a failed send or probe, saying how long a refusal lasts where it is one. */
export const reasonOf = (report: DeliveryReport | ProbeReport): string => {
  if (!('failure' in report)) return '';
  const { failure } = report;
  if (failure.cause !== 'peer_error' || failure.code !== 'rate_limited') return report.reason;
  // The peer's word, unauthenticated: told as what the address says, as every error frame is.
  const { to } = report;
  return (
    `the peer at ${to.host}:${to.port} says it is refusing us after failed attempts (a parley ` +
    `peer refuses for ${seconds(blockMs)} by default), which may not be ` +
    `${to.username ?? 'the one you meant'}; wait that long before trying again`
  );
};

/**
 * A contact whose password /edit may correct: we checked its proof ourselves and it failed.
 * Never on the peer's own word (an error frame), which anyone at the address can send: an
 * impostor who says "wrong password" would have the person try other passwords on it.
 */
export const passwordTrouble = (report: DeliveryReport): boolean =>
  report.outcome !== 'delivered' &&
  report.to.username !== undefined &&
  report.failure.cause === 'rejected' &&
  report.failure.code === 'auth_failed';

/** The address a refusal event is about, if it is one (a connection, or a guess, refused). */
const refusedAddress = (event: NodeEvent): string | undefined => {
  if (event.kind === 'refused') return event.code === 'rate_limited' ? event.remote : undefined;
  if (event.kind !== 'incoming' || event.event.kind !== 'rejected') return undefined;
  const { failure } = event.event;
  return failure.cause === 'rejected' && failure.code === 'rate_limited' ? event.remote : undefined;
};

/** What the receiver is told when it refuses an address (our node uses the default limit). */
export const refusalNotice = (remote: string): string =>
  `! refusing ${remote} for ${seconds(blockMs)}: ${maxFailures} wrong passwords from there within ` +
  `${seconds(windowMs)} (a contact with an old password, or someone guessing)`;

/** Addresses told about recently: when each was last told. Bounded, oldest forgotten first. */
export type Told = ReadonlyMap<string, number>;
const MAX_TOLD = 1_000;

/** The refusal to tell about for this event, unless its address was told about in this block. */
export const refusalToTell = (
  told: Told,
  event: NodeEvent,
  nowMs: number,
): readonly [Told, string | undefined] => {
  const remote = refusedAddress(event);
  if (remote === undefined) return [told, undefined];
  const key = sourceOf(remote);
  const last = told.get(key);
  if (last !== undefined && nowMs - last < blockMs) return [told, undefined];
  const next = new Map(told);
  next.delete(key); // re-inserted last: the Map stays ordered oldest first
  next.set(key, nowMs);
  if (next.size > MAX_TOLD) next.delete(next.keys().next().value as string);
  return [next, refusalNotice(remote)];
};

/** A teller for one stream of node events (the console's, or listen's). */
export const refusalTeller = (now: () => number = Date.now) => {
  let told: Told = new Map();
  return (event: NodeEvent): string | undefined => {
    const [next, notice] = refusalToTell(told, event, now());
    told = next;
    return notice;
  };
};
