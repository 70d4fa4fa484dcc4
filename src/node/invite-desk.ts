/**
 * The node's one open invite (issue 19): its code, when it expires, the wrong codes it still
 * takes, and the one joiner allowed to try it at a time. The inviter actors ask it through
 * their effects (src/node/incoming.ts interprets them); the invites epic opens, expires and
 * cancels it. Everything it has to say goes out as an `invite` event of the job that opened
 * it. It keeps no secret but the code, and says the code only in the `open` event.
 */

import type { Inbound } from '../actors/types.js';
import { type Directory, findContact } from '../codecs/directory.js';
import { makeCode } from '../invite/code.js';
import type { InviteEvent, JoinedContact } from '../invite/types.js';
import type { NodeEvent } from './types.js';

export const INVITE_OPEN =
  'an invite is already open: cancel it (/invite cancel, or Ctrl-C where it runs) first';
export const NOT_LISTENING = 'this node does not listen, so nobody could join it';
const NO_INVITE = 'no invite is open here (it may have expired, been used or cancelled)';
export const INVITE_ENDED = 'the invite was cancelled or expired during the exchange';
const BUSY_INVITE = 'someone else is joining with this invite right now; try again in a minute';

interface Open {
  readonly jobId: number;
  readonly code: string;
  readonly expiresAt: number;
  readonly forName: string | undefined;
  readonly maxWrong: number;
  wrongLeft: number;
  /** The connection trying it now (one at a time): released when it ends. */
  holder: object | undefined;
}

export interface InviteDesk {
  /** Opens an invite for job `jobId`: its `open` event, or why not (`failed`). */
  open(
    jobId: number,
    options: {
      readonly expiresInMs: number;
      readonly maxWrong: number;
      readonly forName?: string;
    },
    at: { readonly now: number; readonly listening: boolean },
  ): InviteEvent;
  /** A joiner's hello: the code for `holder`, or why it may not try (the answer to `invite_claim`). */
  claim(username: string, holder: object, directory: Directory, now: number, port: number): Inbound;
  /**
   * A wrong code from `holder`: what is left (the answer to `invite_wrong`); 0 burns it. An
   * invite that ended meanwhile answers `no_invite`.
   */
  wrong(holder: object, remote: string): Inbound;
  /**
   * Whether `holder` still holds the open invite: not once it was cancelled or expired (or
   * the node closed) mid-exchange. Only a holder's joiner may be filed.
   */
  holds(holder: object): boolean;
  /** `holder`'s joiner is filed: the invite is spent. */
  joined(holder: object, contact: JoinedContact): void;
  /** Filing `holder`'s joiner failed: the invite ends, saying why. */
  fileFailed(holder: object, message: string): void;
  /** `holder`'s connection ended: another joiner may try. */
  release(holder: object): void;
  /** Refused before any work (a name that is a contact, another joiner): told to the invite. */
  refused(event: Extract<InviteEvent, { kind: 'refused' }>): void;
  /** Ends the invite of `jobId` (all, if none is given) with `event` (expired, cancelled). */
  close(event: InviteEvent, jobId?: number): void;
}

/** The desk; `tell` publishes its events, `randomBytes` draws the codes. */
export const createInviteDesk = (
  tell: (event: NodeEvent) => void,
  randomBytes: (size: number) => Buffer,
): InviteDesk => {
  let current: Open | undefined;
  const say = (jobId: number, event: InviteEvent) => tell({ kind: 'invite', jobId, event });
  const end = (event: InviteEvent) => {
    if (current === undefined) return;
    const { jobId } = current;
    current = undefined;
    say(jobId, event);
  };
  const held = (holder: object): Open | undefined =>
    current?.holder === holder ? current : undefined;
  return {
    open: (jobId, options, at) => {
      if (!at.listening) return { kind: 'failed', code: 'not_listening', message: NOT_LISTENING };
      if (current !== undefined)
        return { kind: 'failed', code: 'invite_open', message: INVITE_OPEN };
      const code = makeCode(randomBytes);
      const expiresAt = at.now + options.expiresInMs;
      current = {
        jobId,
        code,
        expiresAt,
        forName: options.forName,
        maxWrong: options.maxWrong,
        wrongLeft: options.maxWrong,
        holder: undefined,
      };
      return { kind: 'open', code, expiresAt };
    },
    claim: (username, holder, directory, now, port) => {
      if (current === undefined || now >= current.expiresAt) {
        return { kind: 'invitation_refused', code: 'no_invite', message: NO_INVITE };
      }
      if (current.forName !== undefined && current.forName !== username) {
        const message = `this invite is for ${current.forName}, not ${username}`;
        return { kind: 'invitation_refused', code: 'no_invite', message };
      }
      if (current.holder !== undefined) {
        return { kind: 'invitation_refused', code: 'busy', message: BUSY_INVITE };
      }
      current.holder = holder;
      const nameTaken = findContact(directory, username) !== undefined;
      return { kind: 'invitation', code: current.code, port, nameTaken };
    },
    wrong: (holder, remote) => {
      const open = held(holder);
      // The invite ended (cancelled, expired) while this joiner was at it: none to burn.
      if (open === undefined)
        return { kind: 'invitation_refused', code: 'no_invite', message: INVITE_ENDED };
      open.wrongLeft -= 1;
      open.holder = undefined;
      if (open.wrongLeft > 0) {
        say(open.jobId, { kind: 'wrong_code', attemptsLeft: open.wrongLeft, remote });
      } else end({ kind: 'burnt', wrongAttempts: open.maxWrong });
      return { kind: 'attempts', left: Math.max(0, open.wrongLeft) };
    },
    holds: (holder) => held(holder) !== undefined,
    joined: (holder, contact) => {
      if (held(holder) !== undefined) end({ kind: 'joined', contact });
    },
    fileFailed: (holder, message) => {
      if (held(holder) !== undefined) end({ kind: 'failed', code: 'file_failed', message });
    },
    release: (holder) => {
      const open = held(holder);
      if (open !== undefined) open.holder = undefined;
    },
    refused: (event) => {
      if (current !== undefined) say(current.jobId, event);
    },
    close: (event, jobId) => {
      if (current !== undefined && (jobId === undefined || current.jobId === jobId)) end(event);
    },
  };
};
