/**
 * Answers that arrive in any order, let out in the order they were asked for: each as soon as
 * every one before it is known. A list of contacts then reads in the directory's order while
 * it fills in, whichever contact answers first.
 */
import { map, merge, mergeMap, type Observable, type OperatorFunction, scan } from 'rxjs';
import type { DirectoryEntry } from '../codecs/directory.js';
import { destinationOf } from '../console/destinations.js';
import type { ParleyNode } from '../node/node.js';
import type { ProbeReport } from '../node/reports.js';

export interface Reorder<T> {
  /** The index of the next answer to let out. */
  readonly next: number;
  /** Answers that came early, by index; never more than were asked for. */
  readonly early: ReadonlyMap<number, T>;
}

export const startReorder = <T>(): Reorder<T> => ({ next: 0, early: new Map() });

/** One answer arrives: the new state, and the answers now free to go, in order. */
export const arrive = <T>(
  state: Reorder<T>,
  index: number,
  value: T,
): readonly [Reorder<T>, readonly T[]] => {
  const early = new Map(state.early).set(index, value);
  const ready: T[] = [];
  let next = state.next;
  while (early.has(next)) {
    ready.push(early.get(next) as T);
    early.delete(next);
    next += 1;
  }
  return [{ next, early }, ready];
};

/** `[index, answer]` pairs in any order (indices 0, 1, 2, … once each) → answers in order. */
export const inOrder =
  <T>(): OperatorFunction<readonly [number, T], T> =>
  (source) =>
    source.pipe(
      scan(([state], [index, value]: readonly [number, T]) => arrive(state, index, value), [
        startReorder<T>(),
        [],
      ] as readonly [Reorder<T>, readonly T[]]),
      mergeMap(([, ready]) => ready),
    );

/** Probe every contact at once; the reports come in the contacts' order. */
export const probeInOrder = (
  node: Pick<ParleyNode, 'probe'>,
  contacts: readonly DirectoryEntry[],
): Observable<ProbeReport> =>
  merge(
    ...contacts.map((c, i) => node.probe(destinationOf(c)).pipe(map((r) => [i, r] as const))),
  ).pipe(inOrder());
