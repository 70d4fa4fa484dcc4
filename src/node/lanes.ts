/**
 * Jobs in lanes: those of one lane (one contact's messages) run one after another, in the order
 * they came, so that what one contact is sent arrives in the order it was written; jobs of no
 * lane (probes) and of different lanes run side by side, at most `concurrency` at once.
 */
import { Observable, type OperatorFunction, type Subscription } from 'rxjs';

/** The lane of a message to `to`: its contact's name, else the address typed by hand. */
export const laneOf = (to: {
  readonly username?: string | undefined;
  readonly host: string;
  readonly port: number;
}): string => (to.username !== undefined ? `user:${to.username}` : `addr:${to.host}:${to.port}`);

/**
 * `run` over each value, one at a time per lane (`keyOf`; undefined: no lane), at most
 * `concurrency` runs in all. A value waits for a free slot in the order it became ready (its
 * lane's previous run ended, or it came to an idle lane). Completes once the source has and
 * every run has ended; an error of a run or of the source is passed on.
 */
export const inLanes =
  <T, R>(
    keyOf: (value: T) => string | undefined,
    run: (value: T) => Observable<R>,
    concurrency: number,
  ): OperatorFunction<T, R> =>
  (source$) =>
    new Observable<R>((subscriber) => {
      /** Values behind the one running, by lane; a lane is here while one of it runs. */
      const lanes = new Map<string, T[]>();
      const ready: T[] = [];
      const runs = new Set<Subscription>();
      let sourceDone = false;

      const finishIfDone = () => {
        if (sourceDone && runs.size === 0 && ready.length === 0) subscriber.complete();
      };
      const ended = (value: T) => {
        const key = keyOf(value);
        if (key !== undefined) {
          const behind = lanes.get(key);
          const next = behind?.shift();
          if (next === undefined) lanes.delete(key);
          else ready.push(next);
        }
        pump();
      };
      const start = (value: T) => {
        let done = false;
        let inner: Subscription | undefined;
        // `run` may end synchronously, before `inner` is assigned.
        inner = run(value).subscribe({
          next: (r) => subscriber.next(r),
          error: (err: unknown) => subscriber.error(err),
          complete: () => {
            done = true;
            if (inner !== undefined) runs.delete(inner);
            ended(value);
          },
        });
        if (!done) runs.add(inner);
        else inner = undefined;
      };
      let pumping = false;
      const pump = () => {
        if (pumping) return;
        pumping = true;
        while (ready.length > 0 && runs.size < concurrency && !subscriber.closed) {
          start(ready.shift() as T);
        }
        // A run that ends synchronously inside the loop readies its lane's next: the loop takes it.
        pumping = false;
        finishIfDone();
      };
      const upstream = source$.subscribe({
        next: (value) => {
          const key = keyOf(value);
          if (key === undefined) ready.push(value);
          else {
            const behind = lanes.get(key);
            if (behind !== undefined) behind.push(value);
            else {
              lanes.set(key, []);
              ready.push(value);
            }
          }
          pump();
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          finishIfDone();
        },
      });
      return () => {
        upstream.unsubscribe();
        for (const inner of runs) inner.unsubscribe();
        runs.clear();
      };
    });
