/**
 * The pipeline's sources: each is subscribed once, whatever the other sources are. A lines
 * source (a keyboard) re-subscribed would be a terminal opened twice, or input lost.
 */
import * as E from 'fp-ts/lib/Either.js';
import { defer, EMPTY, map, Subject } from 'rxjs';
import { expect, it } from 'vitest';
import { resolveDeps } from '../../src/node/options.js';
import { parley$ } from '../../src/node/pipeline.js';

const depsWith = (handedIn: (() => typeof EMPTY) | undefined) => {
  const resolved = resolveDeps({ name: 'alice' });
  if (E.isLeft(resolved)) throw new Error(resolved.left.message);
  const outbox = { load: () => [], save: () => {}, ...(handedIn ? { handedIn } : {}) };
  const { ports } = resolved.right;
  return { ...resolved.right, ports: { ...ports, store: { ...ports.store, outbox } } };
};

it.each([
  ['no inbox', undefined],
  ['an inbox that ends at once', () => EMPTY],
])('subscribes to the lines once, and the epic sees every line (%s)', (_, handedIn) => {
  const lines = new Subject<string>();
  let subscriptions = 0;
  const lines$ = defer(() => {
    subscriptions += 1;
    return lines;
  });
  const views: string[] = [];
  const running = parley$(
    { lines$, linesEpic: (l$) => l$.pipe(map((view) => ({ kind: 'view' as const, view }))) },
    depsWith(handedIn),
  ).subscribe((out) => {
    if (out.kind === 'view') views.push(out.view);
  });
  lines.next('one');
  lines.next('two');
  running.unsubscribe();
  expect(subscriptions).toBe(1);
  expect(views).toEqual(['one', 'two']);
});
