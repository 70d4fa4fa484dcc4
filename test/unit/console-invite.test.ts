import { describe, expect, it } from 'vitest';
import { CONSOLE_HELP } from '../../src/cli/help.js';
import {
  alreadyOpen,
  type InviteBook,
  inviteLines,
  inviteRefusal,
  inviteScreen,
  openAfter,
} from '../../src/cli/invite-console.js';
import { initialState, type Output, step, type View } from '../../src/console/flow.js';

const view: View = { self: 'alice', contacts: [], outbox: [], sending: 0, durable: true, nowMs: 0 };
const outputs = (text: string): readonly Output[] =>
  step(initialState, { kind: 'line', text }, view)[1].filter((o) => o.kind !== 'ask');

describe('/invite and /join in the chat', () => {
  it('/invite, /invite NAME and /invite cancel become their outputs', () => {
    expect(outputs('/invite')).toEqual([{ kind: 'invite' }]);
    expect(outputs('/invite bob')).toEqual([{ kind: 'invite', fileAs: 'bob' }]);
    expect(outputs('/invite cancel')).toEqual([{ kind: 'inviteCancel' }]);
    expect(outputs('/invite bob carol')).toEqual([
      {
        kind: 'show',
        text: 'which invite? /invite, /invite NAME (to file them as NAME), /invite cancel',
      },
    ]);
  });
  it('/join ADDRESS CODE, IPv6 in brackets; a bad address or a missing code is said', () => {
    expect(outputs('/join 192.0.2.10:5001 7-crater-lamp')).toEqual([
      { kind: 'join', host: '192.0.2.10', port: 5001, code: '7-crater-lamp' },
    ]);
    expect(outputs('/join [::1]:5001 7-a-b')).toEqual([
      { kind: 'join', host: '::1', port: 5001, code: '7-a-b' },
    ]);
    expect(outputs('/join 192.0.2.10:5001')[0]).toMatchObject({
      text: expect.stringMatching(/^join whom\?/),
    });
    expect(outputs('/join nowhere 7-a-b')[0]).toMatchObject({
      text: expect.stringMatching(/is not an address/),
    });
  });
  it('/help lists them', () => {
    expect(CONSOLE_HELP).toMatch(/\/invite \[NAME\]/);
    expect(CONSOLE_HELP).toMatch(/\/join ADDRESS CODE/);
  });
  it('tracks the open invite, refuses a second, and draws the join lines', () => {
    const at = new Date(2026, 0, 1, 10, 7).getTime();
    const open = openAfter(undefined, { kind: 'open', code: '7-a-b', expiresAt: at });
    expect(alreadyOpen(open!)).toBe(
      'an invite is already open (code expires at 10:07); /invite cancel first',
    );
    expect(openAfter(open, { kind: 'wrong_code', attemptsLeft: 2, remote: 'r' })).toEqual(open);
    expect(openAfter(open, { kind: 'burnt', wrongAttempts: 3 })).toBeUndefined();
    const lines = inviteScreen({ kind: 'open', code: '7-a-b', expiresAt: at }, at - 600_000, {
      run: 'parley',
      hosts: ['192.0.2.10', '127.0.0.1'],
      port: 5001,
      fileAs: 'bob',
    });
    expect(lines.slice(0, 2)).toEqual([
      'ask them to run: parley join 192.0.2.10:5001 7-a-b --name bob',
      'ask them to run: parley join 127.0.0.1:5001 7-a-b --name bob',
    ]);
    expect(lines[2]).toBe('(or, in a chat of theirs: /join 192.0.2.10:5001 7-a-b)');
    expect(lines[3]).toMatch(/expires in 10 minutes \(at 10:07\)/);
  });
  it('the chat refuses a second invite and a cancel with none open, and names a join by its address', () => {
    const book: InviteBook = {
      open: undefined,
      fileAs: 'bob',
      joining: new Map([[4, '192.0.2.10:5001']]),
    };
    const where = { run: 'parley', interfaces: {}, at: { host: '0.0.0.0', port: 5001 } };
    expect(inviteRefusal(book.open, true)).toBe('no invite is open: /invite makes one');
    expect(inviteRefusal(book.open, false)).toBeUndefined();
    const lines = inviteLines(
      { kind: 'invite', jobId: 1, event: { kind: 'open', code: '7-a-b', expiresAt: 600_000 } },
      book,
      where,
      0,
    );
    expect(lines[0]).toBe('ask them to run: parley join 127.0.0.1:5001 7-a-b --name bob');
    expect(inviteRefusal(book.open, false)).toMatch(/^an invite is already open/);
    inviteLines({ kind: 'invite', jobId: 1, event: { kind: 'expired' } }, book, where, 0);
    expect(book.open).toBeUndefined();
    const joined = inviteLines(
      { kind: 'join', jobId: 4, event: { kind: 'failed', code: 'no_invite', message: '' } },
      book,
      where,
      0,
    );
    expect(joined).toEqual([
      'nobody is inviting at 192.0.2.10:5001, or the code expired: ask for a new code',
    ]);
  });
});
