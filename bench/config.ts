/**
 * The bench's fixed choices in one place: who talks to whom, what is sent, how long each
 * phase runs. Sizes and counts bound the run; the durations keep it under three minutes.
 */
import type { Group } from '../src/index.js';

/** Everything stays on this machine. */
export const LOCALHOST = '127.0.0.1';

export const SENDER = 'alice';
export const RECEIVER = 'bob';
export const SECRET = 'parley bench: correct horse battery staple';

/** A chat line of 100 ASCII bytes: the size of a typical message. */
export const TEXT = 'parley bench message: '.padEnd(100, '.');
export const TEXT_BYTES = Buffer.byteLength(TEXT, 'utf8');

export const GROUPS: readonly Group[] = ['modp14', 'x25519', 'cpace-ristretto255'];
export const CONCURRENCY = [1, 8, 64] as const;

/** Sequential deliveries per latency figure (the issue asks for at least 200). */
export const LATENCY_COUNT = 300;
/** Deliveries one after another, then at the highest concurrency, before anything counts. */
export const WARMUP_SEQUENTIAL = 100;
export const WARMUP_CONCURRENT_MS = 1_000;

/**
 * Each throughput run: a warm-up then a counted window, capped in attempts. Every figure is
 * the median of a few runs, parley and plain TCP taking turns, so that a burst of other work
 * on the machine moves one run, not the figure.
 */
export const RUN_WARMUP_MS = 300;
export const RUN_WINDOW_MS = 2_000;
export const RUN_REPEATS = 3;
export const RUN_MAX_ATTEMPTS = 40_000;

/** The DH bound: each worker warms up, then counts for this long. */
export const DH_WARMUP_MS = 300;
export const DH_WINDOW_MS = 1_500;

/** Connections held open mid-handshake for the memory figure, opened in batches, after a
 * few deliveries of each group so that the code they run is loaded and compiled. */
export const HELD_CONNECTIONS = 1_000;
export const HOLD_BATCH = 100;
export const MEMORY_WARMUP_DELIVERIES = 50;

/** The receiver's options: room for the held connections, and deadlines that outlast them. */
export const RECEIVER_MAX_CONNECTIONS = 2_000;
export const RECEIVER_STEP_DEADLINE_MS = 60_000;

/** The whole bench is stopped, children and all, if it runs longer than this. */
export const BENCH_TIME_LIMIT_MS = 240_000;

/**
 * `--peers`: what a user could pick instead of parley, each doing parley's unit of work (a new
 * TCP connection, one 100-byte message, an application acknowledgement), at this many
 * concurrent senders, taking turns with parley in each round.
 */
export const PEER_CONCURRENCY = 64;
export const PEER_WARMUP_MS = 1_000;
/** Many short rounds rather than a few long ones: a burst of other work hits one round. */
export const PEER_ROUNDS = 5;
export const PEER_RUN_WARMUP_MS = 200;
export const PEER_WINDOW_MS = 1_000;
/** How long each round weighs the protocol alone (bench/protocol-floor.ts), one core. */
export const PROTOCOL_FLOOR_WINDOW_MS = 300;
export const PROTOCOL_FLOOR_WARMUP_MS = 1_000;
/** The acknowledgement the peers' receivers send back, inside their secure channel. */
export const PEER_ACK = 'delivered';
/** No delivery waits longer than this (a stuck peer fails its delivery, not the bench). */
export const PEER_DEADLINE_MS = 10_000;
/** Nothing a peer's receiver reads per connection is larger than this. */
export const PEER_MAX_BYTES = 4_096;
