import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeLine } from '../../src/codecs/line.js';

const mac = 'ab'.repeat(32);
const decode = (o: unknown) => decodeLine(JSON.stringify(o));
const message = (o: unknown) => {
  const r = decode(o);
  return E.isLeft(r) ? `${r.left.code}: ${r.left.message}` : 'ok';
};

describe('parley-invite/1 frames', () => {
  it('a hello may carry invite; parley/1 hellos still decode without it', () => {
    const hello = { type: 'hello', version: 1, from: 'bob', to: null, nonce: '00'.repeat(16) };
    expect(decode({ ...hello, invite: 1 })).toEqual(E.right({ ...hello, invite: 1 }));
    expect(decode(hello)).toEqual(E.right(hello));
    expect(message({ ...hello, invite: 'yes' })).toMatch(
      /^malformed_frame: hello frame: field 'invite'/,
    );
  });

  it('decodes join, welcome and joined', () => {
    expect(message({ type: 'join', port: 5002, hmac: mac })).toBe('ok');
    expect(
      message({
        type: 'welcome',
        port: 5001,
        secret: Buffer.alloc(48).toString('base64'),
        hmac: mac,
      }),
    ).toBe('ok');
    expect(message({ type: 'joined', hmac: mac, extra: 'ignored' })).toBe('ok');
  });

  it.each([
    [{ type: 'join', port: '5002', hmac: mac }, "field 'port'"],
    [{ type: 'join', port: 5002 }, "field 'hmac'"],
    [{ type: 'join', port: 5002, hmac: 'AB'.repeat(32) }, "field 'hmac'"],
    [{ type: 'welcome', port: 5001, secret: 'not base64!', hmac: mac }, "field 'secret'"],
    [{ type: 'welcome', port: 5001, hmac: mac }, "field 'secret'"],
    [{ type: 'joined' }, "field 'hmac'"],
  ])('refuses %j as malformed, naming the field', (frame, field) => {
    const text = message(frame);
    expect(text).toMatch(/^malformed_frame/);
    expect(text).toContain(field);
  });
});
