/** Where a moved contact's entry points (src/node/moves.ts), and the chat's overlay of moves. */
import { describe, expect, it } from 'vitest';
import { withKeptMoves } from '../../src/cli/moved.js';
import { moveOf, normaliseAddress, withMove } from '../../src/node/moves.js';
import { directoryOf } from '../support/nodes.js';

const SECRET = 'correct horse battery staple';
const dir = directoryOf([
  { username: 'bob', password: SECRET, port: 5002, ip: '192.0.2.20' },
  { username: 'carol', password: SECRET, port: 5003, ip: 'carol.example' },
]);

describe('moveOf', () => {
  it('a new address or a new port is a move, from the entry to (source, told port)', () => {
    expect(moveOf(dir, 'bob', '192.0.2.30', 5002)).toEqual({
      username: 'bob',
      from: { ip: '192.0.2.20', port: 5002 },
      to: { ip: '192.0.2.30', port: 5002 },
    });
    expect(moveOf(dir, 'bob', '192.0.2.20', 6000)?.to).toEqual({ ip: '192.0.2.20', port: 6000 });
  });

  it('the same address and port is none; IPv4 mapped into IPv6 is the IPv4 address', () => {
    expect(moveOf(dir, 'bob', '::ffff:192.0.2.20', 5002)).toBeUndefined();
    expect(normaliseAddress('::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect(normaliseAddress('2001:db8::1')).toBe('2001:db8::1');
  });

  it('an entry with a host name keeps its name: only its port follows', () => {
    expect(moveOf(dir, 'carol', '192.0.2.40', 5003)).toBeUndefined();
    expect(moveOf(dir, 'carol', '192.0.2.40', 6003)?.to).toEqual({
      ip: 'carol.example',
      port: 6003,
    });
  });

  it('a username not in the directory moves nothing', () => {
    expect(moveOf(dir, 'mallory', '192.0.2.66', 1)).toBeUndefined();
  });

  it('withMove changes that entry only, keeping its other fields and its place', () => {
    const move = moveOf(dir, 'bob', '192.0.2.30', 5004);
    if (move === undefined) throw new Error('a move expected');
    const next = withMove(dir, move);
    expect(next.map((c) => c.username)).toEqual(['bob', 'carol']);
    expect(next[0]).toEqual({ username: 'bob', password: SECRET, port: 5004, ip: '192.0.2.30' });
    expect(next[1]).toBe(dir[1]);
  });
});

describe('withKeptMoves (a move the file could not take, laid over a later rewrite)', () => {
  const moved = {
    kind: 'moved',
    username: 'bob',
    from: { ip: '192.0.2.20', port: 5002 },
    to: { ip: '192.0.2.30', port: 5004 },
  } as const;

  it('lays the move over what the file says', () => {
    const kept = new Map([['bob', moved]]);
    expect(withKeptMoves(dir, kept, 'carol')[0]).toMatchObject({ ip: '192.0.2.30', port: 5004 });
    expect(kept.size).toBe(1);
  });

  it('not over the contact the rewrite was about (the person’s new details win), forgetting it', () => {
    const kept = new Map([['bob', moved]]);
    expect(withKeptMoves(dir, kept, 'bob')[0]).toBe(dir[0]);
    expect(kept.size).toBe(0);
  });
});
