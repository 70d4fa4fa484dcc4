import { BehaviorSubject, NEVER, type SchedulerLike, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { EMPTY_DIRECTORY } from '../../src/codecs/directory.js';
import type { Job } from '../../src/node/jobs.js';
import type { SendFailure } from '../../src/node/reports.js';
import {
  autoRetry$,
  DEFAULT_RETRY_POLICY,
  retryDelayMs,
  waitingAhead,
} from '../../src/node/retry.js';
import { initialNodeState, type OutboxEntry } from '../../src/node/state.js';

describe('the retry schedule', () => {
  it('doubles from 10 s and stops growing at 15 minutes', () => {
    const waits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12].map((n) =>
      retryDelayMs(n, DEFAULT_RETRY_POLICY, 0),
    );
    expect(waits).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000, 900_000, 900_000, 900_000,
    ]);
  });

  it('jitter shortens a wait by up to half, never lengthens it', () => {
    expect(retryDelayMs(1, DEFAULT_RETRY_POLICY, 0.5)).toBe(7_500);
    expect(retryDelayMs(3, DEFAULT_RETRY_POLICY, 0.999_999)).toBe(20_000);
    expect(retryDelayMs(8, DEFAULT_RETRY_POLICY, 1 - 1e-9)).toBe(450_000);
  });
});

describe('a new message goes after what waits for its contact (issue 22.1)', () => {
  const to = { username: 'bob', host: '127.0.0.1', port: 5002 };
  const waiting = (n: number, failure: SendFailure, username = 'bob'): OutboxEntry => ({
    job: { msgId: `m${n}`, text: `m${n}`, to: { ...to, username }, group: 'x25519' },
    report: {
      outcome: 'not_delivered',
      msgId: `m${n}`,
      to: { ...to, username },
      failure,
      reason: 'why',
      elapsedMs: 1,
    },
    attempts: 1,
    nextTryAt: 99_999,
    paused: false,
  });
  const away: SendFailure = { cause: 'unreachable', code: 'ECONNREFUSED', message: 'no' };
  const refused: SendFailure = { cause: 'peer_error', code: 'auth_failed', message: 'no' };
  const job = { id: 9, kind: 'message', to: { ...to, secret: 's' } } as unknown as Job;

  it('the waiting ones of that contact, oldest first; none refused over the password', () => {
    const state = {
      ...initialNodeState(EMPTY_DIRECTORY),
      outbox: [waiting(1, away), waiting(2, away, 'carol'), waiting(3, refused), waiting(4, away)],
    };
    // A password refusal is not tried again ahead of each new message: each try costs one
    // of the receiver's guesses, and would lock us out sooner than the schedule does.
    expect(waitingAhead(state, job).map((e) => e.job.msgId)).toEqual(['m1', 'm4']);
  });
});

describe('the retry timer', () => {
  it('a timer that fires a millisecond early still sends what fell due (it is never re-armed)', () => {
    // Node's timers and Date.now are different clocks: a timer may fire when the clock still
    // says a millisecond before its time. This clock's timers all do.
    const virtual = new VirtualTimeScheduler();
    const early: SchedulerLike = {
      now: () => virtual.now(),
      schedule: (work, delay = 0, state) =>
        virtual.schedule(work as never, Math.max(0, delay - 1), state),
    };
    const to = { username: 'bob', host: '127.0.0.1', port: 5002 };
    const entry: OutboxEntry = {
      job: { msgId: 'm1', text: 'm1', to, group: 'x25519' },
      report: {
        outcome: 'not_delivered',
        msgId: 'm1',
        to,
        failure: { cause: 'unreachable', code: 'ECONNREFUSED', message: 'no' },
        reason: 'why',
        elapsedMs: 1,
      },
      attempts: 1,
      nextTryAt: 100,
      paused: false,
    };
    const state$ = new BehaviorSubject({ ...initialNodeState(EMPTY_DIRECTORY), outbox: [entry] });
    const jobs: Job[] = [];
    const running = autoRetry$(state$, NEVER, { clock: early, nextId: () => -1 }).subscribe((j) =>
      jobs.push(j),
    );
    virtual.flush();
    running.unsubscribe();
    expect(jobs).toEqual([{ id: -1, kind: 'retry', msgId: 'm1', to: undefined }]);
  });
});
