/**
 * From a line on the wire to a typed frame, or to the protocol error that answers it.
 * The size is checked before anything is parsed.
 */
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { MAX_FRAME_BYTES, MAX_FRAME_DEPTH } from '../limits.js';
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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/** Where the string opened by the quote at `open` ends (its closing quote), or -1. */
const stringEnd = (line: string, open: number): number => {
  for (let q = line.indexOf('"', open + 1); q !== -1; q = line.indexOf('"', q + 1)) {
    let backslashes = 0;
    while (line.charCodeAt(q - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return q;
  }
  return -1;
};

/**
 * Whether a line's arrays and objects nest deeper than `maxDepth`: one pass, strings skipped
 * with indexOf (a message's base64 costs next to nothing). For text that is not JSON the
 * answer does not matter: JSON.parse refuses it next.
 */
export const nestsDeeperThan = (line: string, maxDepth: number): boolean => {
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(line, i);
      if (i === -1) return false;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) depth -= 1;
  }
  return false;
};

const tooDeep = (): ProtocolError =>
  malformed(`a frame may nest arrays and objects at most ${MAX_FRAME_DEPTH} deep`);

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
  if (nestsDeeperThan(line, MAX_FRAME_DEPTH)) return E.left(tooDeep());
  const parsed = parseJson(line);
  return E.isRight(parsed) ? decodeObject(parsed.right) : parsed;
};

/** Serialise a frame as one line, newline included. */
export const encodeFrame = (frame: Frame): string => `${JSON.stringify(frame)}\n`;
