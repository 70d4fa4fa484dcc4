/**
 * The chat's side of invites: the lines an invite or a join event draws, and whether an
 * invite is open (two at once are refused). Pure: the console epic feeds it node events.
 */

import type { NetworkInterfaceInfo } from 'node:os';
import { type InviteEvent, isInviteEnd } from '../invite/types.js';
import type { NodeEvent } from '../node/types.js';
import {
  clockTime,
  inviteSentence,
  joinInstructions,
  joinSentence,
  reachableHosts,
} from './invite-text.js';

/** The open invite, if any: when its code expires. */
export type OpenInvite = { readonly expiresAt: number } | undefined;

/** The open invite after an event of it. */
export const openAfter = (open: OpenInvite, event: InviteEvent): OpenInvite =>
  event.kind === 'open' ? { expiresAt: event.expiresAt } : isInviteEnd(event) ? undefined : open;

/** /invite while one is open. */
export const alreadyOpen = (open: { readonly expiresAt: number }): string =>
  `an invite is already open (code expires at ${clockTime(open.expiresAt)}); /invite cancel first`;

export const NOTHING_TO_CANCEL = 'no invite is open: /invite makes one';

/** The chat's lines for an invite event: the join lines first when it opens. */
export const inviteScreen = (
  event: InviteEvent,
  nowMs: number,
  where: {
    readonly run: string;
    readonly hosts: readonly string[];
    readonly port: number;
    readonly fileAs?: string;
  },
): string[] => [
  ...(event.kind === 'open'
    ? joinInstructions(where.run, where.hosts, where.port, event.code, where.fileAs)
    : []),
  inviteSentence(event, nowMs, where.run),
];

/** An invite or join event of the node. */
export type InviteNodeEvent = Extract<NodeEvent, { kind: 'invite' | 'join' }>;

/** /invite or /invite cancel against the open invite: a refusal line, or undefined (go). */
export const inviteRefusal = (open: OpenInvite, cancel: boolean): string | undefined => {
  if (cancel) return open === undefined ? NOTHING_TO_CANCEL : undefined;
  return open === undefined ? undefined : alreadyOpen(open);
};

/** What the chat keeps of invites: the open one, the name it files under, joins under way (job id → address). */
export interface InviteBook {
  open: OpenInvite;
  fileAs: string | undefined;
  readonly joining: Map<number, string>;
}

/** The lines an invite or join event draws in the chat; the book follows the event. */
export const inviteLines = (
  event: InviteNodeEvent,
  book: InviteBook,
  where: {
    readonly run: string;
    readonly interfaces: NodeJS.Dict<readonly NetworkInterfaceInfo[]>;
    readonly at: { readonly host: string; readonly port: number } | undefined;
  },
  nowMs: number,
): string[] => {
  if (event.kind === 'join') {
    const address = book.joining.get(event.jobId) ?? 'that address';
    book.joining.delete(event.jobId);
    return [joinSentence(event.event, address)];
  }
  book.open = openAfter(book.open, event.event);
  return inviteScreen(event.event, nowMs, {
    run: where.run,
    hosts: reachableHosts(where.at?.host ?? '0.0.0.0', where.interfaces),
    port: where.at?.port ?? 0,
    ...(book.fileAs === undefined ? {} : { fileAs: book.fileAs }),
  });
};
