import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { EMPTY_DIRECTORY } from '../../src/codecs/directory.js';
import { createOutboxFile } from '../../src/node/outbox-file.js';
import { initialNodeState, type NodeState } from '../../src/node/state.js';

const dirs: string[] = [];
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-outbox-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const MSG = '0b3c6e3a-8d1f-4a5e-9c2b-7f6a5d4c3b2a';
const FIRST = '1b3c6e3a-8d1f-4a5e-9c2b-7f6a5d4c3b2a';
const toBob = { username: 'bob', host: '127.0.0.1', port: 5002 };

/** A state with one message failed once and one on its first try. */
const pending = (): NodeState => ({
  ...initialNodeState(EMPTY_DIRECTORY),
  sending: new Map([
    [7, { msgId: FIRST, text: 'on its way', to: toBob, group: 'x25519' as const }],
  ]),
  outbox: [
    {
      job: { msgId: MSG, text: 'hello bob', to: toBob, group: 'x25519' },
      report: {
        outcome: 'not_delivered',
        msgId: MSG,
        to: toBob,
        failure: { cause: 'unreachable', code: 'ECONNREFUSED', message: 'refused' },
        reason: 'bob is not reachable',
        elapsedMs: 3,
      },
      attempts: 2,
      nextTryAt: 12_345,
      paused: false,
    },
  ],
});

it('keeps every pending message across a restart, with its id, attempts and pause', () => {
  const path = join(folder(), 'outbox-alice.json');
  createOutboxFile(path).store.save(pending());
  const again = createOutboxFile(path);
  expect(again.warnings).toEqual([]);
  expect(
    again.store.load().map((e) => [e.job.msgId, e.job.text, e.attempts, e.paused, e.nextTryAt]),
  ).toEqual([
    [MSG, 'hello bob', 2, false, 0],
    [FIRST, 'on its way', 0, false, 0],
  ]);
  expect(again.store.load()[0]?.job.to).toEqual(toBob);
});

it('is private (0600), holds no secret, and leaves no temporary file behind', () => {
  const dir = folder();
  const path = join(dir, 'outbox-alice.json');
  createOutboxFile(path).store.save(pending());
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(readFileSync(path, 'utf8')).not.toMatch(/secret|password/);
  expect(readdirSync(dir)).toEqual(['outbox-alice.json']);
});

it('an unreadable file is moved aside, never overwritten, and said', () => {
  const dir = folder();
  const path = join(dir, 'outbox-alice.json');
  writeFileSync(path, '{"version":1,"messages":[{"msg_id":"nope"}]}');
  const opened = createOutboxFile(path, 42);
  expect(opened.store.load()).toEqual([]);
  expect(opened.warnings).toEqual([
    `${path}: field 'messages.0.msg_id': expected a lowercase UUID (8-4-4-4-12 hex), got "nope"; moved to ${path}.unreadable-42, starting with an empty outbox`,
  ]);
  expect(readFileSync(`${path}.unreadable-42`, 'utf8')).toContain('"nope"');
});
