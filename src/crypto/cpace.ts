/**
 * CPace over ristretto255 with SHA-512, as draft-irtf-cfrg-cpace specifies it (sections 8.1
 * and 8.3, appendix A): the generator is derived from the password, so a wrong guess yields
 * an unrelated key and each guess costs the attacker one live connection.
 *
 * The group arithmetic is libsodium's (its ristretto255 functions, through the WebAssembly
 * build libsodium-wrappers-sumo); hashing is node:crypto's. Nothing here does I/O.
 */
import { createHash, randomBytes } from 'node:crypto';
import sodium from 'libsodium-wrappers-sumo';

// The WebAssembly module is instantiated once, when this module is first imported; every
// function below is synchronous after that.
await sodium.ready;

/** G_Ristretto255.DSI. */
export const DSI = Buffer.from('CPaceRistretto255', 'ascii');
/** SHA-512's input block size (H.s_in_bytes): the zero padding fills the first block. */
export const S_IN_BYTES = 128;
/** Size of an encoded ristretto255 element and of a scalar. */
export const ELEMENT_BYTES = 32;
/** G.I: the encoding of the neutral element. */
export const IDENTITY: Readonly<Buffer> = Buffer.alloc(ELEMENT_BYTES);

/** LEB128 of a length: 7 bits per byte, least significant first, bit 7 set while more follow. */
const leb128 = (length: number): Buffer => {
  const bytes: number[] = [];
  let rest = length;
  do {
    const low = rest & 0x7f;
    rest = Math.floor(rest / 128);
    bytes.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return Buffer.from(bytes);
};

/** prepend_len(data) = LEB128(len(data)) ‖ data. */
export const prependLen = (data: Uint8Array): Buffer => Buffer.concat([leb128(data.length), data]);

/** lv_cat(a0, a1, …) = prepend_len(a0) ‖ prepend_len(a1) ‖ … */
export const lvCat = (...parts: readonly Uint8Array[]): Buffer =>
  Buffer.concat(parts.map(prependLen));

/**
 * generator_string(DSI, PRS, CI, sid, s_in_bytes) = lv_cat(DSI, PRS, zero_bytes(len_zpad), CI,
 * sid): the padding makes DSI and PRS fill the first hash block, so that the work of hashing
 * does not depend on the password's length (for passwords shorter than a block).
 */
export const generatorString = (
  dsi: Uint8Array,
  prs: Uint8Array,
  ci: Uint8Array,
  sid: Uint8Array,
  sInBytes: number,
): Buffer => {
  const lenZpad = Math.max(0, sInBytes - 1 - prependLen(prs).length - prependLen(dsi).length);
  return lvCat(dsi, prs, Buffer.alloc(lenZpad), ci, sid);
};

/** The 64-byte hash of the generator string, the input of ristretto255's element derivation. */
export const generatorHash = (prs: Uint8Array, ci: Uint8Array, sid: Uint8Array): Buffer =>
  createHash('sha512')
    .update(generatorString(DSI, prs, ci, sid, S_IN_BYTES))
    .digest();

/** G.calculate_generator(H, PRS, CI, sid), as the encoding of the generator g. */
export const calculateGenerator = (prs: Uint8Array, ci: Uint8Array, sid: Uint8Array): Buffer =>
  Buffer.from(sodium.crypto_core_ristretto255_from_hash(generatorHash(prs, ci, sid)));

/**
 * G.sample_scalar(): 32 random bytes with the bits above group_size_bits = 252 cleared, read
 * as a little-endian integer (the draft's recommended way: below the group order, no reduction).
 */
export const sampleScalar = (): Buffer => {
  const scalar = randomBytes(ELEMENT_BYTES);
  scalar[ELEMENT_BYTES - 1]! &= 0x0f;
  return scalar;
};

/**
 * y·X for an encoded element X, or G.I when X does not decode or the result is the neutral
 * element (libsodium refuses both; the draft returns G.I, which the caller must abort on).
 */
const multiply = (scalar: Uint8Array, element: Uint8Array): Buffer => {
  try {
    return Buffer.from(sodium.crypto_scalarmult_ristretto255(scalar, element));
  } catch {
    return Buffer.from(IDENTITY);
  }
};

/** G.scalar_mult(y, g) = encode(y·g): our public share Y. */
export const scalarMult = (scalar: Uint8Array, generator: Uint8Array): Buffer =>
  multiply(scalar, generator);

/** Why a peer's share is refused, or undefined when it is a canonical non-identity element. */
export const shareProblem = (share: Uint8Array): string | undefined => {
  if (share.length !== ELEMENT_BYTES || !sodium.crypto_core_ristretto255_is_valid_point(share)) {
    return 'is not a canonical ristretto255 encoding';
  }
  return IDENTITY.equals(share) ? 'is the identity element' : undefined;
};

/**
 * G.scalar_mult_vfy(y, X): encode(y·decode(X)), or G.I when X is not a canonical encoding, is
 * the neutral element, or gives the neutral element.
 */
export const scalarMultVfy = (scalar: Uint8Array, share: Uint8Array): Buffer =>
  shareProblem(share) === undefined ? multiply(scalar, share) : Buffer.from(IDENTITY);
