/** A TestScheduler whose assertions are Vitest's, run in one call. */
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';

type RunHelpers = Parameters<Parameters<TestScheduler['run']>[0]>[0];

export const marbles = (body: (scheduler: TestScheduler, helpers: RunHelpers) => void): void => {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  scheduler.run((helpers) => body(scheduler, helpers));
};
