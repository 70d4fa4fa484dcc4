/**
 * PARLEY_RETRY_BASE_MS: the outbox's retry schedule, shortened, for tests (an end-to-end test
 * cannot wait 10 s and more for a message to go out again by itself). It sets the first wait
 * instead of 10 s, and the longest in proportion (15 min is 90 times 10 s); the doubling and
 * the jitter stay. It only shortens: from MIN_RETRY_FIRST_MS to RETRY_FIRST_MS.
 */
import * as E from 'fp-ts/lib/Either.js';
import { showValue } from '../codecs/report.js';
import { type ParleyError, parleyError } from '../errors.js';
import { MIN_RETRY_FIRST_MS, RETRY_FIRST_MS, RETRY_MAX_MS } from '../limits.js';

export const RETRY_BASE_VARIABLE = 'PARLEY_RETRY_BASE_MS';

const DIGITS = /^[0-9]+$/;

/** The retry option the variable asks for (none when it is unset or empty), or why it cannot. */
export const retryFromEnvironment = (
  env: NodeJS.ProcessEnv = process.env,
): E.Either<
  ParleyError<'bad_option'>,
  { readonly firstMs: number; readonly maxMs: number } | undefined
> => {
  const text = env[RETRY_BASE_VARIABLE];
  if (text === undefined || text === '') return E.right(undefined);
  const firstMs = DIGITS.test(text) ? Number(text) : Number.NaN;
  if (!(firstMs >= MIN_RETRY_FIRST_MS && firstMs <= RETRY_FIRST_MS)) {
    return E.left(
      parleyError(
        'bad_option',
        `${RETRY_BASE_VARIABLE} is ${showValue(text)}: set it to a whole number of ` +
          `milliseconds from ${MIN_RETRY_FIRST_MS} to ${RETRY_FIRST_MS} (the first wait before a ` +
          'message goes out again), or unset it',
      ),
    );
  }
  return E.right({ firstMs, maxMs: Math.round((firstMs * RETRY_MAX_MS) / RETRY_FIRST_MS) });
};
