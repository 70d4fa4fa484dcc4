import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { firstValueFrom, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args.js';
import { helpText } from '../../src/cli/help.js';
import { followInvite, followJoin, identityOf } from '../../src/cli/invite.js';
import { checkFreeName, checkWritable, directoryFileSink } from '../../src/cli/invite-sink.js';
import {
  inviteJson,
  inviteSentence,
  joinInstructions,
  joinSentence,
  reachableHosts,
} from '../../src/cli/invite-text.js';
import type { InviteEvent, JoinEvent } from '../../src/invite/types.js';

const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false) =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null }) as never;

describe('invite and join on the command line', () => {
  it('parses invite with its defaults and --for', () => {
    const p = parseCommandLine([
      'invite',
      '--name',
      'alice',
      '--directory',
      'd.json',
      '--for',
      'bob',
    ]);
    expect(p).toEqual(
      E.right(
        expect.objectContaining({
          command: 'invite',
          name: 'alice',
          for: 'bob',
          port: 5001,
          json: false,
        }),
      ),
    );
  });
  it('parses join with an IPv4 and an IPv6 address', () => {
    const a = parseCommandLine([
      'join',
      '192.0.2.10:5001',
      '7-crater-lamp',
      '--name',
      'bob',
      '--directory',
      'd',
    ]);
    expect(a).toEqual(
      E.right(
        expect.objectContaining({
          command: 'join',
          host: '192.0.2.10',
          hostPort: 5001,
          code: '7-crater-lamp',
        }),
      ),
    );
    const b = parseCommandLine([
      'join',
      '[2001:db8::1]:5002',
      '3 Abandon ability',
      '--name',
      'bob',
      '--directory',
      'd',
      '--port',
      '5003',
    ]);
    expect(b).toEqual(
      E.right(
        expect.objectContaining({
          host: '2001:db8::1',
          hostPort: 5002,
          port: 5003,
          code: '3-abandon-ability',
        }),
      ),
    );
  });
  it('parses join --json (off without it)', () => {
    const words = ['join', '192.0.2.10:5001', '7-crater-lamp', '--name', 'bob', '--directory', 'd'];
    expect(parseCommandLine([...words, '--json'])).toEqual(
      E.right(expect.objectContaining({ command: 'join', json: true })),
    );
    expect(parseCommandLine(words)).toEqual(E.right(expect.objectContaining({ json: false })));
  });
  it('refuses a mistyped code before anything starts, saying what is wrong with it', () => {
    const typo = parseCommandLine(['join', '192.0.2.10:5001', '7-crater-lanter', '--name', 'b']);
    expect(E.isLeft(typo) && typo.left).toMatchObject({ command: 'join', code: 'usage' });
    expect(E.isLeft(typo) && typo.left.message).toMatch(
      /"lanter" is not one of the code words; an invite code is a number from 1 to 100/,
    );
  });
  it('takes --expires as 30s, 10m or 1h, and refuses what is not a duration', () => {
    const at = (expires: string) =>
      parseCommandLine(['invite', '--name', 'a', '--directory', 'd', '--expires', expires]);
    expect(at('30s')).toEqual(E.right(expect.objectContaining({ expiresInMs: 30_000 })));
    expect(at('10')).toEqual(E.right(expect.objectContaining({ expiresInMs: 600_000 })));
    expect(at('1h')).toEqual(E.right(expect.objectContaining({ expiresInMs: 3_600_000 })));
    for (const bad of ['0s', '25h', 'soon', '-5m']) {
      const refused = at(bad);
      expect(E.isLeft(refused) && refused.left.message).toMatch(/is not a duration from 1s to 24h/);
    }
  });
  it('refuses a join without the code, or with a bad address, in a sentence', () => {
    const missing = parseCommandLine([
      'join',
      '192.0.2.10:5001',
      '--name',
      'bob',
      '--directory',
      'd',
    ]);
    expect(E.isLeft(missing) && missing.left.message).toMatch(/give the address and the code/);
    const bad = parseCommandLine([
      'join',
      '2001:db8::1:5001',
      'c',
      '--name',
      'bob',
      '--directory',
      'd',
    ]);
    expect(E.isLeft(bad) && bad.left.message).toMatch(/is not an address: write HOST:PORT/);
    const noName = parseCommandLine(['invite', '--directory', 'd']);
    expect(noName).toEqual(E.right(expect.objectContaining({ name: undefined, directory: 'd' })));
  });
  it('asks for a missing name and directory at a terminal; without one, names the flags', () => {
    const parsed = parseCommandLine(['join', '127.0.0.1:5001', '7-crater-lamp']);
    if (E.isLeft(parsed) || parsed.right.command !== 'join') throw new Error('not a join');
    const o = parsed.right;
    const noTerminal = identityOf(o, undefined, 'parley');
    expect(E.isLeft(noTerminal) && noTerminal.left).toEqual({
      code: 'usage',
      message:
        'no terminal to ask on, and --name and --directory are missing: run parley join … --name NAME --directory FILE (see parley join --help)',
    });
    const asked: string[] = [];
    const answers = ['', 'not a name\u0000', 'bob', 'bob.json'];
    const ask = (question: string) => {
      asked.push(question);
      return answers.shift() ?? '';
    };
    expect(identityOf(o, ask, 'parley')).toEqual(
      E.right(
        expect.objectContaining({ name: 'bob', directory: 'bob.json', code: '7-crater-lamp' }),
      ),
    );
    expect(asked).toEqual([
      'Your username: ',
      'Your username: ',
      'Your username: ',
      'Directory file (created if missing): ',
    ]);
    expect(identityOf({ ...o, name: 'carol', directory: 'c.json' }, undefined, 'parley')).toEqual(
      E.right(expect.objectContaining({ name: 'carol' })),
    );
  });
  it('has --help for both, and /invite in the console help', () => {
    expect(parseCommandLine(['join', '--help'])).toEqual(
      E.right({ command: 'help', topic: 'join' }),
    );
    expect(helpText('invite', 'parley')).toMatch(/expires in 10 minutes/);
    expect(helpText('join', 'parley')).toMatch(
      /parley join 192\.0\.2\.10:5001 7-crater-lamp --name bob/,
    );
  });
});

describe('what to tell the other person', () => {
  const ifs = {
    eth0: [iface('192.0.2.10', 'IPv4'), iface('2001:db8::10', 'IPv6'), iface('fe80::1', 'IPv6')],
    lo: [iface('127.0.0.1', 'IPv4', true)],
  };
  it('lists every non-internal address for 0.0.0.0, then 127.0.0.1', () => {
    expect(reachableHosts('0.0.0.0', ifs)).toEqual(['192.0.2.10', '127.0.0.1']);
    expect(reachableHosts('::', ifs)).toEqual(['192.0.2.10', '2001:db8::10', '127.0.0.1']);
    expect(reachableHosts('0.0.0.0', {})).toEqual(['127.0.0.1']);
    expect(reachableHosts('192.0.2.10', ifs)).toEqual(['192.0.2.10']);
  });
  it('writes one join line per address, with --name when --for is given', () => {
    expect(
      joinInstructions('parley', ['192.0.2.10', '2001:db8::10'], 5001, '7-crater-lamp', 'bob'),
    ).toEqual([
      'ask them to run: parley join 192.0.2.10:5001 7-crater-lamp --name bob',
      'ask them to run: parley join [2001:db8::10]:5001 7-crater-lamp --name bob',
      '(or, in a chat of theirs: /join 192.0.2.10:5001 7-crater-lamp)',
    ]);
  });
});

describe('the sentences of an invite and a join', () => {
  it('says each invite event', () => {
    const now = Date.UTC(2026, 0, 1, 10, 0);
    expect(inviteSentence({ kind: 'open', code: '7-a-b', expiresAt: now + 600_000 }, now)).toMatch(
      /^the code 7-a-b works once and expires in 10 minutes \(at \d\d:\d\d\)$/,
    );
    expect(inviteSentence({ kind: 'wrong_code', attemptsLeft: 2, remote: '192.0.2.7' }, now)).toBe(
      'a wrong code was tried from 192.0.2.7 (2 attempts left)',
    );
    expect(inviteSentence({ kind: 'burnt', wrongAttempts: 3 }, now)).toBe(
      'the code was tried 3 times wrongly and no longer works; make a new one with parley invite',
    );
    // The invite's own limit (a program may set maxWrongAttempts), not always 3.
    expect(inviteSentence({ kind: 'burnt', wrongAttempts: 1 }, now, 'npx parley')).toBe(
      'the code was tried once wrongly and no longer works; make a new one with npx parley invite',
    );
    expect(
      inviteSentence(
        { kind: 'joined', contact: { username: 'bob', ip: '192.0.2.20', port: 5002 } },
        now,
      ),
    ).toBe('✓ bob is now in your contacts (192.0.2.20:5002)');
  });
  it('says each join failure', () => {
    const f = (code: Extract<JoinEvent, { kind: 'failed' }>['code'], message = 'm') =>
      joinSentence({ kind: 'failed', code, message }, '192.0.2.10:5001');
    expect(f('no_invite', '')).toBe(
      'nobody is inviting at 192.0.2.10:5001, or the code expired: ask for a new code',
    );
    expect(f('no_invite', 'this invite is for carol, not bob')).toBe(
      'nobody is inviting at 192.0.2.10:5001, or the code expired: ask for a new code (192.0.2.10:5001 says: this invite is for carol, not bob)',
    );
    expect(f('file_failed', 'alice is already in the directory')).toBe(
      'the contact was not filed: alice is already in the directory; nothing was added on either side: fix it and join again (the code works until it expires)',
    );
    expect(f('not_supported')).toBe(
      'the peer at 192.0.2.10:5001 speaks parley/1 but not invites: add it by hand with /add',
    );
    expect(f('busy', 'an invite is being answered')).toBe(
      '192.0.2.10:5001 is busy (an invite is being answered): try again in a minute; the code was not tried and still works',
    );
    // An inviter's words reach a terminal: escapes are shown, not obeyed, and cut.
    expect(f('busy', '\u001b[2J✓ delivered\u202e')).toBe(
      '192.0.2.10:5001 is busy (\\u001b[2J✓ delivered\\u202e): try again in a minute; the code was not tried and still works',
    );
    expect(f('protocol', 'x'.repeat(5_000))).toBe(`the join failed: ${'x'.repeat(200)}…`);
    expect(f('rate_limited')).toBe(
      '192.0.2.10:5001 refuses your address for now after too many failed attempts: wait a few minutes and try again; the code was not tried',
    );
    expect(f('name_taken', 'the inviter already has a contact named bob')).toBe(
      'the inviter already has a contact named bob: join again with another --name (the code still works)',
    );
    expect(joinSentence({ kind: 'failed', code: 'wrong_code', message: '' }, 'x', 2)).toMatch(
      /try again \(2 attempts left\)$/,
    );
    // The count the inviter told, unauthenticated as every error: a hint, said as such.
    expect(f('wrong_code', 'wrong code: 1 attempt left')).toBe(
      'that code is not right: check it with the person who invited you and try again (1 attempt left)',
    );
    expect(f('wrong_code', 'authentication failed')).toBe(
      'that code is not right: check it with the person who invited you and try again',
    );
  });
  it('writes JSON lines in snake_case', () => {
    expect(JSON.parse(inviteJson({ kind: 'wrong_code', attemptsLeft: 1, remote: 'r' }))).toEqual({
      event: 'wrong_code',
      attempts_left: 1,
      remote: 'r',
    });
    expect(JSON.parse(inviteJson({ kind: 'burnt', wrongAttempts: 5 }))).toEqual({
      event: 'burnt',
      wrong_attempts: 5,
    });
  });
});

describe('following an invite and a join (a fake node)', () => {
  it('prints the join lines, each event, and exits 0 once joined', async () => {
    const events = new Subject<InviteEvent>();
    const lines: string[] = [];
    const f = followInvite(
      events,
      { say: (l) => lines.push(l) },
      (code) => [`ask them to run: parley join h:1 ${code}`],
      () => 0,
    );
    events.next({ kind: 'open', code: '7-a-b', expiresAt: 600_000 });
    events.next({ kind: 'wrong_code', attemptsLeft: 2, remote: '192.0.2.7' });
    events.next({ kind: 'joined', contact: { username: 'bob', ip: '192.0.2.20', port: 5002 } });
    events.complete();
    expect(await f.done).toBe(0);
    expect(lines[0]).toBe('ask them to run: parley join h:1 7-a-b');
    expect(lines.at(-1)).toBe('✓ bob is now in your contacts (192.0.2.20:5002)');
  });
  it('exits non-zero when burnt, and cancel unsubscribes', async () => {
    const events = new Subject<InviteEvent>();
    const burnt = followInvite(
      events,
      { say: () => {} },
      () => [],
      () => 0,
    );
    events.next({ kind: 'burnt', wrongAttempts: 3 });
    events.complete();
    expect(await burnt.done).toBe(1);
    const open = new Subject<InviteEvent>();
    const lines: string[] = [];
    const c = followInvite(
      open,
      { say: (l) => lines.push(l) },
      () => [],
      () => 0,
    );
    c.cancel();
    expect(await c.done).toBe(1);
    expect(open.observed).toBe(false);
    expect(lines).toEqual(['the invite was cancelled: the code no longer works']);
  });
  it('a join says its end and exits 3 for a wrong code', async () => {
    const events = new Subject<JoinEvent>();
    const lines: string[] = [];
    const done = followJoin(events, 'h:1', { say: (l) => lines.push(l) });
    events.next({ kind: 'failed', code: 'wrong_code', message: '' });
    events.complete();
    expect(await done).toBe(3);
    expect(lines[0]).toMatch(/^that code is not right/);
  });
  it('a join with --json prints its end as one JSON line and no sentence', async () => {
    const events = new Subject<JoinEvent>();
    const said: string[] = [];
    const printed: string[] = [];
    const done = followJoin(events, 'h:1', {
      say: (l) => said.push(l),
      json: (l) => printed.push(l),
    });
    events.next({ kind: 'failed', code: 'busy', message: 'an invite is being answered' });
    events.complete();
    expect(await done).toBe(1);
    expect(said).toEqual([]);
    expect(printed.map((l) => JSON.parse(l))).toEqual([
      { event: 'failed', code: 'busy', message: 'an invite is being answered' },
    ]);
    const joined = new Subject<JoinEvent>();
    const lines: string[] = [];
    const ok = followJoin(joined, 'h:1', { say: () => {}, json: (l) => lines.push(l) });
    joined.next({ kind: 'joined', contact: { username: 'alice', ip: '192.0.2.10', port: 5001 } });
    joined.complete();
    expect(await ok).toBe(0);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { event: 'joined', username: 'alice', ip: '192.0.2.10', port: 5001 },
    ]);
  });
});

describe('the contact sink', () => {
  const contact = { username: 'bob', ip: '192.0.2.20', port: 5002, password: 'a'.repeat(43) };
  it('creates a missing file 0600 and files the contact', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sink-')), 'd.json');
    const filed: unknown[] = [];
    await firstValueFrom(directoryFileSink(file, (d) => filed.push(d))(contact));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([
      expect.objectContaining({ username: 'bob', ip: '192.0.2.20', port: 5002 }),
    ]);
    expect(filed).toHaveLength(1);
  });
  it('keeps unknown fields and refuses a username already there', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sink-')), 'd.json');
    const carol = {
      username: 'carol',
      password: 'p'.repeat(20),
      ip: '192.0.2.30',
      port: '5003',
      note: 'kept',
    };
    writeFileSync(file, JSON.stringify([carol]), { mode: 0o600 });
    await firstValueFrom(directoryFileSink(file)(contact));
    const after = readFileSync(file, 'utf8');
    expect(JSON.parse(after)[0]).toEqual({ ...carol, port: 5003 }); // as /add rewrites it
    await expect(firstValueFrom(directoryFileSink(file)(contact))).rejects.toMatchObject({
      code: 'contact_exists',
    });
    expect(readFileSync(file, 'utf8')).toBe(after);
    expect(E.isLeft(checkFreeName(file, 'carol'))).toBe(true);
    const refused = checkFreeName(file, 'carol');
    expect(E.isLeft(refused) && refused.left.message).toBe(
      'carol is already in your contacts: choose another name with --for',
    );
    expect(E.isRight(checkFreeName(file, 'dave'))).toBe(true);
  });
});

describe('a directory file that cannot take the new contact', () => {
  it('is refused before anything starts: a missing folder is named, a writable file passes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-invite-w-'));
    const missing = checkWritable(join(dir, 'no-such-folder', 'alice.json'));
    expect(E.isLeft(missing) && missing.left.message).toBe(
      `cannot write the directory file ${join(dir, 'no-such-folder', 'alice.json')} (its folder ${join(dir, 'no-such-folder')} does not exist); nothing was started, so nobody was filed`,
    );
    expect(E.isRight(checkWritable(join(dir, 'new.json')))).toBe(true);
    writeFileSync(join(dir, 'there.json'), '[]', { mode: 0o600 });
    expect(E.isRight(checkWritable(join(dir, 'there.json')))).toBe(true);
  });
});
