/**
 * parley's one shape of error: a code a program can switch on and a sentence a person can
 * act on (which file, which field, what to do). Protocol errors, directory errors, connection
 * failures, start-up and usage errors are all this shape, each with its own set of codes:
 *
 * - the wire's (`ErrorCode` in codecs/errors.ts: `auth_failed`, `timeout`, …);
 * - `invalid_json`, `invalid_directory`: a directory's text or contacts (codecs/directory.ts);
 * - `invalid_input`: a value handed in or typed (a message text, a password; codecs/inputs.ts);
 * - `usage`: the command line, or an answer typed that the command line would refuse;
 * - `no_terminal`, `no_answer`: a question that could not be asked, or not answered;
 * - `no_contact`, `contact_exists`: a contact that the directory lacks, or has already;
 * - `directory_file`: the directory file cannot be read, written or trusted;
 * - `state_directory`: the state directory may not be used, or cannot be;
 * - `outbox_file`, `outbox_full`, `inbox_file`: the outbox file, its room, a handed-in file;
 * - `lock_held` (with the holder's `pid`), `lock_failed`: the outbox lock;
 * - `bad_option`: an option or environment setting; the start-up's own (`EADDRINUSE`, …:
 *   `NodeStartError`); `not_listening`: the chat ended before it listened; `internal`.
 *
 * Strings appear only at the CLI's edge, where a command says the message.
 */
export interface ParleyError<Code extends string = string> {
  readonly code: Code;
  readonly message: string;
}

export const parleyError = <Code extends string>(
  code: Code,
  message: string,
): ParleyError<Code> => ({ code, message });

/** The same error, its sentence inside another (`${before}${message}${after}`). */
export const reworded = <Code extends string>(
  error: ParleyError<Code>,
  before: string,
  after = '',
): ParleyError<Code> => parleyError(error.code, `${before}${error.message}${after}`);

/** What went wrong, in words, from anything thrown (an Error's message, else its text). */
export const whyOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The errno code of a Node error (`ENOENT`, …); undefined for anything else. */
export const errnoCode = (err: unknown): string | undefined => {
  const code: unknown =
    typeof err === 'object' && err !== null ? Reflect.get(err, 'code') : undefined;
  return typeof code === 'string' ? code : undefined;
};
