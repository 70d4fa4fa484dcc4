/**
 * Every limit parley enforces, in one place. The wire limits are fixed by parley/1
 * (docs/PROTOCOL.md); the defences are defaults that a node's options may change.
 */

/** The protocol version this implementation speaks. */
export const PROTOCOL_VERSION = 1;

/** Largest frame accepted, newline included (parley/1: `frame_too_large` above this). */
export const MAX_FRAME_BYTES = 1_048_576;

/** Largest plaintext a message may carry, in UTF-8 bytes. */
export const MAX_PLAINTEXT_BYTES = 65_536;

/** Usernames: 1–64 Unicode characters (code points). */
export const MAX_USERNAME_CHARS = 64;

/** User secrets: 1–1024 characters. */
export const MAX_SECRET_CHARS = 1024;

/** Default deadline for each protocol step (no frame from the peer within it: `timeout`). */
export const DEFAULT_STEP_DEADLINE_MS = 10_000;

/** A `msg_id` seen within this window is acknowledged again but not delivered twice. */
export const DEDUPE_WINDOW_MS = 10 * 60_000;

/** How many `msg_id`s the dedupe memory holds at most (oldest forgotten first). */
export const DEFAULT_DEDUPE_CAPACITY = 100_000;

/** A sender clock further than this from ours is pointed out to the user (not rejected). */
export const CLOCK_SKEW_NOTICE_MS = 5 * 60_000;

/** How much of a peer's own words (an error frame's message) is shown: the rest is cut. */
export const MAX_SHOWN_PEER_WORDS = 200;

/** How much of an error code a peer sent is shown (ours are at most 19 characters). */
export const MAX_SHOWN_PEER_CODE = 32;
