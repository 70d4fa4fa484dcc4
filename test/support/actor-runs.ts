/** What the actors' property tests read of a run: its events, its frames, its clean end. */
import { expect } from 'vitest';
import type { Effect } from '../../src/actors/types.js';

/** A run of an actor over a script: every effect, and whether it closed. */
export interface RunEffects<Ev> {
  readonly effects: Effect<Ev>[];
  readonly closed: boolean;
}

export const events = <Ev>(run: RunEffects<Ev>): Ev[] =>
  run.effects.flatMap((e) => (e.kind === 'emit' ? [e.event] : []));

export const sent = <Ev>(run: RunEffects<Ev>, type: string) =>
  run.effects.filter((e) => e.kind === 'send' && e.frame.type === type);

/** Ends closed, with one event and one close, last; a rejection is answered with its code. */
export const expectCleanEnd = <Ev>(run: RunEffects<Ev>) => {
  expect(run.closed).toBe(true);
  expect(run.effects.at(-1)).toEqual({ kind: 'close' });
  expect(run.effects.filter((e) => e.kind === 'close')).toHaveLength(1);
  const [event, ...more] = events(run);
  expect(more).toEqual([]);
  const failure = (event as { failure?: { cause: string; code?: string } }).failure;
  if (failure?.cause === 'rejected') {
    expect(sent(run, 'error')).toEqual([
      { kind: 'send', frame: expect.objectContaining({ code: failure.code }) },
    ]);
  }
  return event as Ev & { kind: string };
};
