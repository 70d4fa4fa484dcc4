/**
 * Every limit parley enforces, in one place. The wire limits are fixed by parley/1
 * (docs/PROTOCOL.md); the defences are defaults that a node's options may change.
 */

/** The protocol version this implementation speaks. */
export const PROTOCOL_VERSION = 1;

/** Largest frame accepted, newline included (parley/1: `frame_too_large` above this). */
export const MAX_FRAME_BYTES = 1_048_576;

/**
 * Deepest nesting of arrays and objects a frame may have; deeper is `malformed_frame`, found by
 * a scan before parsing. parley/1's frames nest 2 deep; the rest is room for unknown fields (the
 * contract ignores them). Values nested 100,000 deep would otherwise overflow the stack of
 * whatever walks them (JSON.stringify, describing an error).
 */
export const MAX_FRAME_DEPTH = 32;

/**
 * Bytes that incoming connections may hold together in lines not yet finished (each at most
 * MAX_FRAME_BYTES). Past it, the connection holding the most is answered `busy` and closed:
 * 256 connections × 1 MiB would otherwise be 256 MiB held by peers who never finish a frame.
 * A real frame is under 100 KiB (a 64 KiB message in base64), so a contact is never the one.
 */
export const MAX_PENDING_LINE_BYTES = 32 * 1_048_576;

/** Largest plaintext a message may carry, in UTF-8 bytes. */
export const MAX_PLAINTEXT_BYTES = 65_536;

/**
 * A long text goes as at most this many parts of one message each (docs/PROTOCOL.md, "Long
 * texts: parts"): texts up to about 4 MiB, well within the outbox's byte cap.
 */
export const MAX_TEXT_PARTS = 64;

/** A part breaks at the last newline or space within this many bytes of its end, if any. */
export const PART_BREAK_WINDOW_BYTES = 1_024;

/**
 * Groups of parts a node holds in RAM while waiting for the rest (oldest dropped: its parts
 * stay in the history, found again there). At most 16 × 4 MiB from contacts that never finish.
 */
export const MAX_OPEN_PART_GROUPS = 16;

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

/** How much of a pasted line a question did not take is shown back (the console's notice). */
export const PASTED_SHOWN_CHARS = 40;

// The node's defences and queues (each a NodeOptions field of the same name).

/** Incoming connections in progress at most; more are answered `busy`. */
export const DEFAULT_MAX_CONNECTIONS = 256;

/** Of those, from any one source (address, or IPv6 /64), so one cannot starve the others. */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64;

/** Outgoing connections at once; more jobs wait their turn. */
export const DEFAULT_MAX_OUTGOING = 64;

/** Jobs waiting or running at most; more are refused. */
export const DEFAULT_MAX_QUEUED = 10_000;

/** The longest wait an option may ask for: a timer longer than this (2^31 − 1 ms) fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** How long closing lets exchanges in progress finish before their sockets are destroyed. */
export const DEFAULT_CLOSE_DEADLINE_MS = 5_000;

/** At start, this many contacts at most are told we are up (a probe each: announce.ts). */
export const ANNOUNCE_MAX_CONTACTS = 100;

/** The start's probes run this many at a time, so a user's own sends are not kept waiting. */
export const ANNOUNCE_AT_ONCE = 4;

/** How long a connection attempt waits for the peer to accept. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** How long a socket's graceful close waits for the peer before destroying it. */
export const DEFAULT_CLOSE_GRACE_MS = 2_000;

/** Where a node listens unless told otherwise: every interface. */
export const DEFAULT_LISTEN_HOST = '0.0.0.0';

/** The slowdown for sources that keep failing authentication. */
export const DEFAULT_AUTH_LIMIT = {
  /** Failed authentications from one source within `windowMs` before it is slowed down. */
  maxFailures: 5,
  windowMs: 60_000,
  /** How long such a source is answered `rate_limited`. */
  blockMs: 30_000,
  /** How many sources are remembered at most (the oldest are forgotten first). */
  maxAddresses: 10_000,
} as const;

// The outbox: messages not (known to be) delivered wait there, on disk when a node has a
// state directory, and go out again by themselves.

/** Messages waiting at most; a new one beyond is refused (say so, and what to do). */
export const MAX_OUTBOX_MESSAGES = 1_000;

/** Their texts together at most, in UTF-8 bytes. */
export const MAX_OUTBOX_BYTES = 16 * 1_048_576;

/**
 * An outbox file of at most this many bytes is rewritten whole at each change (no more than
 * one long message costs); a larger one has each change appended to a log beside it, folded
 * into a fresh copy once it holds more than that copy (and this): a change then costs its own
 * record plus at most twice that on average, however full the outbox is.
 */
export const OUTBOX_REWRITE_MAX_BYTES = 65_536;

/**
 * When a message that did not go out is tried again: 10 s after the first failure, then twice
 * as long each time, at most 15 minutes apart, each wait shortened by a random 0–50 % so that
 * many senders do not retry in step. At once when the contact shows it is online.
 */
export const RETRY_FIRST_MS = 10_000;
export const RETRY_MAX_MS = 15 * 60_000;

/**
 * The shortest first wait PARLEY_RETRY_BASE_MS may set (the CLI's way for tests to shorten the
 * schedule; the longest it may set is RETRY_FIRST_MS: it only shortens).
 */
export const MIN_RETRY_FIRST_MS = 100;

// The files a name keeps in its state directory (src/cli/lock-file.ts, src/node/outbox-inbox.ts,
// src/node/atomic-file.ts).

/** How long a start waits while a rival removes a stale outbox lock, then gives up (said). */
export const LOCK_TAKEOVER_WAIT_MS = 2_000;
/** How often it looks again meanwhile. */
export const LOCK_RETRY_MS = 5;
/** A temporary file of ours unchanged this long is left by a killed write, and removed at start. */
export const STALE_TEMP_MS = 60_000;
/**
 * A file handed into the inbox at most: a message of MAX_PLAINTEXT_BYTES, every byte escaped
 * in JSON (`\u00XX`, six bytes), and the rest of its fields. A larger one is moved aside unread.
 */
export const MAX_HANDED_FILE_BYTES = 6 * 65_536 + 4_096;
/** The msg_ids an outbox holder remembers having taken from its inbox (a second file is said). */
export const INBOX_REMEMBERED_IDS = 10_000;

/** How long a new connection may take to say hello (then it is closed: `timeout`). */
export const DEFAULT_HELLO_DEADLINE_MS = 3_000;

/** The password-guessing budgets (src/node/guard.ts). */
export const GUARD_DEFAULTS = {
  /** Per source, as DEFAULT_AUTH_LIMIT. */
  perSource: DEFAULT_AUTH_LIMIT,
  /** Per claimed username: a name guessed at from many addresses. */
  perUsername: { maxFailures: 10, windowMs: 60_000, blockMs: 60_000, maxAddresses: 10_000 },
  /** Over all sources not trusted: 50 failures a minute, then a block from 30 s to 10 min. */
  global: { maxFailures: 50, windowMs: 60_000, firstBlockMs: 30_000, maxBlockMs: 600_000 },
  maxTrusted: 10_000,
} as const;

// The history: what was said, kept per name (history-<name> in its state directory).

/** Messages kept at most; the oldest are dropped when a compaction finds more, and said. */
export const HISTORY_MAX_MESSAGES = 10_000;

/** Their records together at most, in bytes as written (texts are up to 64 KiB each). */
export const HISTORY_MAX_BYTES = 32 * 1_048_576;

/**
 * A compaction waits until the file holds this share more than the caps (or twice as many
 * lines as messages: the states of sent ones), so that it is rare, not at every message.
 */
export const HISTORY_SLACK = 0.1;

/** The chat's start screen: the last lines of this many contacts, this many lines each. */
export const HISTORY_START_CONTACTS = 5;
export const HISTORY_START_LINES = 3;

/** /history without a number shows this many lines. */
export const HISTORY_DEFAULT_LINES = 20;
