import * as t from 'io-ts';
import { type ParleyError, parleyError } from '../errors.js';

/** The error codes of parley/1, as sent in `error` frames. */
export const ErrorCode = t.keyof({
  version_unsupported: null,
  unexpected_frame: null,
  malformed_frame: null,
  frame_too_large: null,
  unknown_recipient: null,
  unsupported_group: null,
  bad_public_key: null,
  auth_failed: null,
  bad_mac: null,
  inconsistent_header: null,
  timeout: null,
  busy: null,
  rate_limited: null,
  internal: null,
  // parley-invite/1's own (docs/PROTOCOL.md, "Invites").
  no_invite: null,
  name_taken: null,
  invite_burnt: null,
});
export type ErrorCode = t.TypeOf<typeof ErrorCode>;

/** A protocol failure as a value: the code for the wire and a sentence for people. */
export type ProtocolError = ParleyError<ErrorCode>;

export const protocolError = (code: ErrorCode, message: string): ProtocolError =>
  parleyError(code, message);

/** A frame over the size cap (parley/1 caps a frame at MAX_FRAME_BYTES): said the same everywhere. */
export const frameTooLarge = (maxFrameBytes: number): ProtocolError =>
  protocolError('frame_too_large', `a frame may be at most ${maxFrameBytes} bytes`);
