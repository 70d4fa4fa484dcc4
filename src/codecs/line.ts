/**
 * From a line on the wire to a typed frame, or to the protocol error that answers it.
 * The size is checked before anything is parsed.
 */
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { MAX_FRAME_BYTES } from '../limits.js';
import { frameTooLarge, type ProtocolError, protocolError } from './errors.js';
import { FRAME_CODECS, type Frame, isFrameType } from './frames.js';
import { describeErrors, showValue } from './report.js';

const malformed = (message: string): ProtocolError => protocolError('malformed_frame', message);

// Plain try/if rather than fp-ts combinators here: this runs for every frame on every
// connection, and the closures they allocate show in the profile.
const parseJson = (line: string): E.Either<ProtocolError, unknown> => {
  try {
    return E.right(JSON.parse(line) as unknown);
  } catch {
    return E.left(malformed('the line is not valid JSON'));
  }
};

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const decodeObject = (value: unknown): E.Either<ProtocolError, Frame> => {
  if (!isPlainObject(value)) return E.left(malformed('a frame must be a JSON object'));
  const type = value.type;
  if (type === undefined) return E.left(malformed("field 'type' is missing"));
  if (!isFrameType(type)) {
    return E.left(malformed(`unknown frame type ${showValue(type)}`));
  }
  const codec = FRAME_CODECS[type] as (typeof FRAME_CODECS)[typeof type];
  const decoded = codec.decode(value) as E.Either<t.Errors, Frame>;
  return E.isRight(decoded)
    ? decoded
    : E.left(malformed(`${type} frame: ${describeErrors(decoded.left)}`));
};

/**
 * Decode one line (without its newline). `byteLength` is the line's size on the wire, newline
 * included, when the caller already knows it (the framing operator does).
 */
export const decodeLine = (
  line: string,
  byteLength = Buffer.byteLength(line, 'utf8') + 1,
): E.Either<ProtocolError, Frame> => {
  if (byteLength > MAX_FRAME_BYTES) {
    return E.left(frameTooLarge(MAX_FRAME_BYTES));
  }
  const parsed = parseJson(line);
  return E.isRight(parsed) ? decodeObject(parsed.right) : parsed;
};

/** Serialise a frame as one line, newline included. */
export const encodeFrame = (frame: Frame): string => `${JSON.stringify(frame)}\n`;
