/**
 * Every option of `NodeOptions` is decoded before a node starts: a bad value is refused as a
 * `ParleyError` with code `bad_option`, naming the field and what it must be; a good one is
 * kept, and what is left out takes its default from limits.ts.
 */
import * as E from 'fp-ts/lib/Either.js';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { GROUPS } from '../../src/codecs/formats.js';
import {
  DEFAULT_AUTH_LIMIT,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_STEP_DEADLINE_MS,
  MAX_OUTBOX_BYTES,
  MAX_OUTBOX_MESSAGES,
  RETRY_FIRST_MS,
} from '../../src/limits.js';
import { createDedupeMemory } from '../../src/node/dedupe.js';
import { createNode, NodeStartError } from '../../src/node/node.js';
import { outboxCapsOf, resolveDeps } from '../../src/node/options.js';
import type { NodeOptions } from '../../src/node/types.js';

const refusal = (options: unknown) => {
  const resolved = resolveDeps(options as NodeOptions);
  if (E.isRight(resolved)) throw new Error('the options were taken');
  return { code: resolved.left.code, message: resolved.left.message };
};

const MS = 'a whole number of milliseconds from 1 to 2147483647';
const COUNT = 'a whole number of at least 1';
const GROUP = '"cpace-ristretto255", "modp14" or "x25519"';

describe('a bad option is refused with its field and the reason', () => {
  it("the issue's example: each of its bad values alone", () => {
    const alice = { name: 'alice' };
    expect(refusal({ ...alice, group: 'rot13' })).toEqual({
      code: 'bad_option',
      message: `option group: expected ${GROUP}, got "rot13"`,
    });
    expect(refusal({ ...alice, groups: ['nope'] }).message).toBe(
      `option groups.0: expected ${GROUP}, got "nope"`,
    );
    expect(refusal({ ...alice, stepDeadlineMs: Number.NaN }).message).toBe(
      `option stepDeadlineMs: expected ${MS}, got NaN`,
    );
    expect(refusal({ ...alice, maxConnections: -1 }).message).toBe(
      `option maxConnections: expected ${COUNT}, got -1`,
    );
  });

  it.each([
    [
      { name: '' },
      'option name: expected a username of 1–64 characters without control characters, got ""',
    ],
    [{ listen: 'yes' }, 'option listen: expected true or false, got "yes"'],
    [{ port: 70_000 }, 'option port: expected a port from 0 (any free one) to 65535, got 70000'],
    [{ port: 1.5 }, 'option port: expected a port from 0 (any free one) to 65535, got 1.5'],
    [{ host: 'a b' }, 'option host: expected a host name or an IP address, got "a b"'],
    [{ groups: [] }, 'option groups: expected a list of at least one DH group, got an empty list'],
    [{ stepDeadlineMs: 0 }, `option stepDeadlineMs: expected ${MS}, got 0`],
    [{ helloDeadlineMs: Infinity }, `option helloDeadlineMs: expected ${MS}, got Infinity`],
    [{ connectTimeoutMs: 2 ** 31 }, `option connectTimeoutMs: expected ${MS}, got 2147483648`],
    [{ closeDeadlineMs: '5000' }, `option closeDeadlineMs: expected ${MS}, got "5000"`],
    [{ maxConnectionsPerAddress: 0 }, `option maxConnectionsPerAddress: expected ${COUNT}, got 0`],
    [{ maxOutgoing: 2.5 }, `option maxOutgoing: expected ${COUNT}, got 2.5`],
    [{ maxQueued: -3 }, `option maxQueued: expected ${COUNT}, got -3`],
    [{ maxOutboxMessages: 0 }, `option maxOutboxMessages: expected ${COUNT}, got 0`],
    [{ maxOutboxBytes: Number.NaN }, `option maxOutboxBytes: expected ${COUNT}, got NaN`],
    [{ authLimit: { maxFailures: 0 } }, `option authLimit.maxFailures: expected ${COUNT}, got 0`],
    [{ authLimit: { windowMs: -1 } }, `option authLimit.windowMs: expected ${MS}, got -1`],
    [{ authLimit: { blockMs: 0.5 } }, `option authLimit.blockMs: expected ${MS}, got 0.5`],
    [{ authLimit: { maxAddresses: 0 } }, `option authLimit.maxAddresses: expected ${COUNT}, got 0`],
    [{ retry: { firstMs: 0 } }, `option retry.firstMs: expected ${MS}, got 0`],
    [{ retry: { maxMs: -1 } }, `option retry.maxMs: expected ${MS}, got -1`],
    [
      { ports: { store: { dedupe: createDedupeMemory(), outbox: { load: () => [] } } } },
      'option ports.store.outbox: expected an outbox store (load and save, see createOutboxFile), got an object',
    ],
    [
      { ports: { store: { dedupe: new Map(), outbox: undefined } } },
      'option ports.store.dedupe: expected a dedupe memory (remember, see createDedupeMemory), got an object',
    ],
    [{ localAddress: '' }, 'option localAddress: expected a host name or an IP address, got ""'],
    [{ trace: 1 }, 'option trace: expected true or false, got 1'],
    [
      { ports: { clock: {} } },
      'option ports.clock: expected an RxJS scheduler (now and schedule), got an object',
    ],
    [
      { ports: { random: { bytes: 'x' } } },
      'option ports.random: expected a source of randomness (bytes, uuid and fraction, see cryptoRandom), got an object',
    ],
    [
      { ports: { transport: {} } },
      'option ports.transport: expected a transport (listen$ and connect$, see tcpTransport), got an object',
    ],
    [{ keyPair: null }, 'option keyPair: expected a function, got null'],
  ])('%j', (bad, message) => {
    expect(refusal({ name: 'alice', ...bad })).toEqual({ code: 'bad_option', message });
  });

  it('no name, or options that are not an object at all', () => {
    expect(refusal({}).message).toBe(
      'option name is missing: expected a username of 1–64 characters without control characters',
    );
    expect(refusal(undefined).message).toBe(
      'the options must be an object with at least a name, got undefined',
    );
  });

  it('the directory by its own codec: the entry and the field, never the password', () => {
    const bad = refusal({
      name: 'alice',
      directory: [{ username: 'bob', password: 'hunter2', port: 0, ip: '127.0.0.1' }],
    });
    expect(bad).toEqual({
      code: 'bad_option',
      message: 'option directory: entry 1 (bob): port 0 is not a number between 1 and 65535',
    });
    const secret = refusal({
      name: 'alice',
      directory: [{ username: 'bob', password: 'x'.repeat(1025), port: 1, ip: '127.0.0.1' }],
    });
    expect(secret.message).toBe(
      'option directory: entry 1 (bob): password must be 1–1024 characters',
    );
    expect(refusal({ name: 'alice', directory: 'bob' }).message).toBe(
      'option directory: expected a JSON list of contacts [{username, password, port, ip}, …], got a string',
    );
  });

  it('createNode refuses them too, before anything starts', async () => {
    const attempt = createNode({ name: 'alice', maxQueued: 0, listen: false });
    await expect(attempt).rejects.toBeInstanceOf(NodeStartError);
    await expect(attempt).rejects.toMatchObject({
      code: 'bad_option',
      message: `option maxQueued: expected ${COUNT}, got 0`,
    });
  });
});

describe('good options are kept, the rest take their defaults', () => {
  it('the defaults of limits.ts, resolved here', () => {
    const resolved = resolveDeps({ name: 'alice' });
    expect(E.isRight(resolved)).toBe(true);
    if (E.isLeft(resolved)) return;
    const deps = resolved.right;
    expect(deps.groups).toEqual(GROUPS);
    expect(deps.stepDeadlineMs).toBe(DEFAULT_STEP_DEADLINE_MS);
    expect(deps.maxConnections).toBe(DEFAULT_MAX_CONNECTIONS);
    expect(deps.authLimit).toEqual(DEFAULT_AUTH_LIMIT);
    expect(deps.retry.firstMs).toBe(RETRY_FIRST_MS);
    expect([deps.maxOutboxMessages, deps.maxOutboxBytes]).toEqual([
      MAX_OUTBOX_MESSAGES,
      MAX_OUTBOX_BYTES,
    ]);
    expect(outboxCapsOf({})).toEqual({
      maxMessages: MAX_OUTBOX_MESSAGES,
      maxBytes: MAX_OUTBOX_BYTES,
    });
  });

  it('each option as given', () => {
    const scheduler = new VirtualTimeScheduler();
    const resolved = resolveDeps({
      name: 'alice',
      port: 0,
      host: '::1',
      group: 'x25519',
      groups: ['modp14'],
      stepDeadlineMs: 1,
      helloDeadlineMs: 2_147_483_647,
      maxConnections: 1,
      authLimit: { maxFailures: 2 },
      retry: { firstMs: 100 },
      maxOutboxBytes: 10,
      localAddress: '127.0.0.2',
      trace: true,
      ports: { clock: scheduler },
    });
    if (E.isLeft(resolved)) throw new Error(resolved.left.message);
    expect(resolved.right).toMatchObject({
      self: 'alice',
      group: 'x25519',
      groups: ['modp14'],
      stepDeadlineMs: 1,
      helloDeadlineMs: 2_147_483_647,
      maxConnections: 1,
      authLimit: { ...DEFAULT_AUTH_LIMIT, maxFailures: 2 },
      retry: { firstMs: 100 },
      maxOutboxMessages: MAX_OUTBOX_MESSAGES,
      maxOutboxBytes: 10,
      localAddress: '127.0.0.2',
      trace: true,
    });
    expect(resolved.right.ports.clock).toBe(scheduler);
  });
});
