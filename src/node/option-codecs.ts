/**
 * The codec of `NodeOptions`: every option a program gives `createNode` is decoded before the
 * node starts, so that `maxConnections: -1` or `groups: []` is a start-up error naming the
 * field and the reason, never a node that quietly refuses every connection. The directory
 * has its own codec and sentences (codecs/directory.ts), which never repeat a password.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { SchedulerLike } from 'rxjs';
import { Host } from '../codecs/directory.js';
import { Group, Username } from '../codecs/formats.js';
import { expectation, showValue } from '../codecs/report.js';
import type { KeyPairFactory } from '../crypto/dh.js';
import { type ParleyError, parleyError } from '../errors.js';
import type { ContactSink } from '../invite/types.js';
import { MAX_TIMER_MS } from '../limits.js';
import type { Random, Transport } from '../ports/ports.js';
import type { HistoryStore } from '../store/history-store.js';
import type { OutboxStore } from '../store/outbox-file.js';
import type { DedupeMemory, DeliverySink } from './dedupe.js';
import type { NodeOptions } from './types.js';

/** An option refused: `bad_option`, and which field, what it must be, what it was. */
export type OptionError = ParleyError<'bad_option'>;

/** A codec that checks with `is` and changes nothing (io-ts' own `t.Type`, spelled once). */
const checked = <A>(name: string, is: (u: unknown) => u is A) =>
  new t.Type<A, A, unknown>(
    name,
    is,
    (u, c) => (is(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  );

const integerIn = (name: string, min: number, max: number) =>
  checked(
    name,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max,
  );

/** How many of something (connections, jobs, messages, bytes): at least one. */
const Count = integerIn('Count', 1, Number.MAX_SAFE_INTEGER);
/** A wait, in ms: at least 1, and at most what a timer can wait (a longer one fires at once). */
const Millis = integerIn('Millis', 1, MAX_TIMER_MS);
/** The port to listen on: 0 picks a free one. */
const ListenPort = integerIn('ListenPort', 0, 65_535);

/** The groups accepted as a responder: known ones, at least one (none would refuse everyone). */
const Groups = t.refinement(t.readonlyArray(Group), (gs) => gs.length > 0, 'Groups');

/** An object that offers these methods (a store, a memory, a scheduler a program brings). */
const offering = <A>(name: string, methods: readonly string[]) =>
  checked(
    name,
    (u): u is A =>
      typeof u === 'object' &&
      u !== null &&
      methods.every((m) => typeof Reflect.get(u, m) === 'function'),
  );

const Fn = <F>() => checked('Function', (u): u is F => typeof u === 'function');

const Scheduler = offering<SchedulerLike>('Scheduler', ['now', 'schedule']);

/** Every option but the directory (decoded by its own codec), as `NodeOptions` declares it. */
export const NodeOptionsCodec = t.intersection([
  t.type({ name: Username }),
  t.partial({
    listen: t.boolean,
    port: ListenPort,
    host: Host,
    group: Group,
    groups: Groups,
    stepDeadlineMs: Millis,
    helloDeadlineMs: Millis,
    connectTimeoutMs: Millis,
    maxConnections: Count,
    maxConnectionsPerAddress: Count,
    maxOutgoing: Count,
    maxQueued: Count,
    authLimit: t.partial({
      maxFailures: Count,
      windowMs: Millis,
      blockMs: Millis,
      maxAddresses: Count,
    }),
    retry: t.partial({ firstMs: Millis, maxMs: Millis }),
    maxOutboxMessages: Count,
    maxOutboxBytes: Count,
    closeDeadlineMs: Millis,
    localAddress: Host,
    trace: t.boolean,
    announce: t.boolean,
    inOrder: t.boolean,
    ports: t.partial({
      transport: offering<Transport>('Transport', ['listen$', 'connect$']),
      store: t.intersection([
        t.type({ dedupe: offering<DedupeMemory>('DedupeMemory', ['remember']) }),
        t.partial({
          outbox: offering<OutboxStore>('OutboxStore', ['load', 'save']),
          history: offering<HistoryStore>('HistoryStore', ['keep', 'records']),
        }),
      ]),
      clock: Scheduler,
      random: offering<Random>('Random', ['bytes', 'uuid', 'fraction']),
    }),
    keyPair: Fn<KeyPairFactory>(),
    deliver: Fn<DeliverySink>(),
    fileContact: Fn<ContactSink>(),
  }),
]);
export type DecodedOptions = t.TypeOf<typeof NodeOptionsCodec>;

/**
 * Every field of NodeOptions has its codec above (the directory has its own): a field added
 * there and not here fails to compile, naming it, rather than going in undecoded.
 */
type Undecoded = Exclude<keyof NodeOptions, keyof DecodedOptions | 'directory'>;
const everyOptionDecoded: [Undecoded] extends [never] ? true : Undecoded = true;
void everyOptionDecoded;

/** What each option's codec expects, in words. */
const EXPECTED: Readonly<Record<string, string>> = {
  Count: 'a whole number of at least 1',
  Millis: `a whole number of milliseconds from 1 to ${MAX_TIMER_MS}`,
  ListenPort: 'a port from 0 (any free one) to 65535',
  Groups: 'a list of at least one DH group',
  Host: 'a host name or an IP address',
  Scheduler: 'an RxJS scheduler (now and schedule)',
  Transport: 'a transport (listen$ and connect$, see tcpTransport)',
  Random: 'a source of randomness (bytes, uuid and fraction, see cryptoRandom)',
  OutboxStore: 'an outbox store (load and save, see createOutboxFile)',
  HistoryStore: 'a history store (keep and records, see memoryHistory)',
  DedupeMemory: 'a dedupe memory (remember, see createDedupeMemory)',
  Function: 'a function',
  boolean: 'true or false',
};

/** A found value, briefly, and never an object's contents (it may hold a secret). */
const shown = (value: unknown): string => {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  return showValue(value);
};

/**
 * The dotted path of the option, e.g. `authLimit.maxFailures`: io-ts keys an intersection's
 * halves '0' and '1', which are no field of the options.
 */
const optionPath = (error: t.ValidationError): string =>
  error.context
    .slice(1)
    .filter((_, i) => !(error.context[i]!.type instanceof t.IntersectionType))
    .map((entry) => entry.key)
    .join('.');

const describeOptionError = (error: t.ValidationError | undefined): string => {
  if (error === undefined) return 'the options are not valid';
  const path = optionPath(error);
  const last = error.context.at(-1)?.type.name ?? '';
  const expected = EXPECTED[last] ?? expectation(error);
  if (path === '')
    return `the options must be an object with at least a name, got ${shown(error.value)}`;
  if (error.value === undefined) return `option ${path} is missing: expected ${expected}`;
  return `option ${path}: expected ${expected}, got ${shown(error.value)}`;
};

/** Decode the options (the directory aside); a refusal names the first bad field. */
export const decodeOptions = (value: unknown): E.Either<OptionError, DecodedOptions> =>
  E.mapLeft((errors: t.Errors) => parleyError('bad_option', describeOptionError(errors[0])))(
    NodeOptionsCodec.decode(value),
  );
