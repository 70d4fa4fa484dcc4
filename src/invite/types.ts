/**
 * The invite API (issue 19): what a node's `invite` and `join` emit, and the sink that files a
 * new contact durably. Shared by the wire actors and the CLI.
 */
import type { Observable } from 'rxjs';

export interface InviteOptions {
  /** How long the code is good for; default 600 000 ms (10 minutes). */
  readonly expiresInMs?: number;
  /** Wrong codes before the invite is burnt; default 3. */
  readonly maxWrongAttempts?: number;
  /**
   * Whom the invite is for: only a joiner of this username may use it (the join line the
   * inviter passes on names it). Without it, the joiner is filed under the name it gives.
   */
  readonly fileAs?: string;
}

/** A contact an invite made. Never the secret. */
export interface JoinedContact {
  readonly username: string;
  readonly ip: string;
  readonly port: number;
}

export type InviteEvent =
  | { readonly kind: 'open'; readonly code: string; readonly expiresAt: number }
  | { readonly kind: 'wrong_code'; readonly attemptsLeft: number; readonly remote: string }
  | {
      readonly kind: 'refused';
      readonly code: 'name_taken' | 'busy';
      readonly username: string;
      readonly remote: string;
      readonly message: string;
    }
  | { readonly kind: 'joined'; readonly contact: JoinedContact }
  /** Tried wrongly `wrongAttempts` times (the invite's maxWrongAttempts): the code is dead. */
  | { readonly kind: 'burnt'; readonly wrongAttempts: number }
  | { readonly kind: 'expired' }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

export type JoinFailure =
  | 'wrong_code'
  | 'burnt'
  | 'no_invite'
  | 'not_supported'
  | 'unreachable'
  | 'name_taken'
  /** The inviter's node is full, or another joiner holds the invite: the code is untouched. */
  | 'busy'
  /** The inviter's node refuses this address for a while (too many failures from it). */
  | 'rate_limited'
  | 'timeout'
  | 'file_failed'
  | 'protocol';

export type JoinEvent =
  | { readonly kind: 'joined'; readonly contact: JoinedContact }
  | { readonly kind: 'failed'; readonly code: JoinFailure; readonly message: string };

/**
 * Files a new contact durably (the CLI: the directory file, atomically); the exchange waits
 * for it. Errors with a ParleyError-shaped Error to refuse (e.g. the file is not writable).
 */
export type ContactSink = (
  contact: JoinedContact & { readonly password: string },
) => Observable<unknown>;

/** Whether an invite event is its last: after it, the code works no more. */
export const isInviteEnd = (event: InviteEvent): boolean =>
  event.kind === 'joined' ||
  event.kind === 'burnt' ||
  event.kind === 'expired' ||
  event.kind === 'cancelled' ||
  event.kind === 'failed';

/** The defaults of InviteOptions. */
export const INVITE_EXPIRES_MS = 600_000;
export const INVITE_MAX_WRONG = 3;
