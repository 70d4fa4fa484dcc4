/**
 * parley's one shape of error: a code a program can switch on and a sentence a person can
 * act on (which file, which field, what to do). Protocol errors, directory errors, connection
 * failures, start-up and usage errors are all this shape, each with its own set of codes.
 */
export interface ParleyError<Code extends string = string> {
  readonly code: Code;
  readonly message: string;
}

export const parleyError = <Code extends string>(
  code: Code,
  message: string,
): ParleyError<Code> => ({ code, message });

/** What went wrong, in words, from anything thrown (an Error's message, else its text). */
export const whyOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
