/**
 * draft-irtf-cfrg-cpace's own test vectors (appendix A.1 and B.3, "CPace using group
 * ristretto255 and hash SHA-512"), copied from the draft, reproduced through parley's code.
 * They are the check that our reading of the draft is right.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  calculateGenerator,
  DSI,
  generatorHash,
  generatorString,
  IDENTITY,
  lvCat,
  prependLen,
  S_IN_BYTES,
  sampleScalar,
  scalarMult,
  scalarMultVfy,
  shareProblem,
} from '../../src/crypto/cpace.js';
import { cpaceInputs } from '../../src/crypto/dh.js';
import { bindingOf, VECTOR_CASES } from '../support/vectors.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s: string): Buffer => Buffer.from(s, 'ascii');
const range = (n: number): Buffer => Buffer.from([...Array(n).keys()]);

describe('A.1 string utilities', () => {
  it('prepend_len', () => {
    expect(prependLen(ascii(''))).toEqual(hex('00'));
    expect(prependLen(ascii('1234'))).toEqual(hex('0431323334'));
    expect(prependLen(range(127))).toEqual(Buffer.concat([hex('7f'), range(127)]));
    expect(prependLen(range(128))).toEqual(Buffer.concat([hex('8001'), range(128)]));
  });

  it('lv_cat', () => {
    expect(lvCat(ascii('1234'), ascii('5'), ascii(''), ascii('678'))).toEqual(
      hex('043132333401350003363738'),
    );
  });
});

// B.3.1 – B.3.4
const PRS = ascii('Password');
const CI = hex('0b415f696e69746961746f720b425f726573706f6e646572');
const SID = hex('7e4b4791d6a8ef019b936c79fb7f2c57');
const YA = hex('da3d23700a9e5699258aef94dc060dfda5ebb61f02a5ea77fad53f4ff0976d08');
const YB = hex('d2316b454718c35362d83d69df6320f38578ed5984651435e2949762d900b80d');
const Ya = hex('d6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0eec482b9157');
const Yb = hex('3ea7e0b19560d7c0b0f5734f63b955286dfa8232b5ebe63324e2d9e7433f7258');
const K = hex('80b69a8a76457ab6a4d7f887a4bf6b55a2f80ac19c333f917a05fc9887c8b40f');

describe('B.3 CPace, ristretto255, SHA-512', () => {
  it('B.3.1 the generator string (ZPAD length 100), its hash, and the generator', () => {
    expect(CI).toEqual(lvCat(ascii('A_initiator'), ascii('B_responder')));
    const genStr = generatorString(DSI, PRS, CI, SID, S_IN_BYTES);
    expect(genStr).toEqual(
      hex(`11435061636552697374726574746f3235350850617373776f726464
           ${'00'.repeat(100)}
           180b415f696e69746961746f720b425f726573706f6e646572107e4b4791d6a8ef019b936c79fb7f
           2c57`),
    );
    expect(genStr.length).toBe(170);
    expect(generatorHash(PRS, CI, SID)).toEqual(
      hex(`da6d3ddc8802fca9058755ffd3ebde08a9c2c74945901a258482a288
           b6663af06bf645c93cd1c51512307199c80e84908916d983b34af772
           05f90851a657ee27`),
    );
    expect(calculateGenerator(PRS, CI, SID)).toEqual(
      hex('222b6b195fe84b1652badb6f6a3ae3d24341e7306967f0b8115b40d5698c7e56'),
    );
  });

  it('B.3.2 / B.3.3 the messages Ya and Yb', () => {
    const g = calculateGenerator(PRS, CI, SID);
    expect(scalarMult(YA, g)).toEqual(Ya);
    expect(scalarMult(YB, g)).toEqual(Yb);
  });

  it('B.3.4 the secret point K, the same on both sides', () => {
    expect(scalarMultVfy(YA, Yb)).toEqual(K);
    expect(scalarMultVfy(YB, Ya)).toEqual(K);
  });

  const S = hex('7cd0e075fa7955ba52c02759a6c90dbbfc10e6d40aea8d283e407d88cf538a05');

  it('B.3.10 scalar_mult_vfy with valid inputs', () => {
    const X = hex('2c3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c');
    const expected = hex('7c13645fe790a468f62c39beb7388e541d8405d1ade69d1778c5fe3e7f6b600e');
    expect(scalarMult(S, X)).toEqual(expected);
    expect(scalarMultVfy(S, X)).toEqual(expected);
  });

  it('B.3.11 invalid inputs give G.I: a non-encoding, and the identity itself', () => {
    const Yi1 = hex('2b3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c');
    expect(scalarMultVfy(S, Yi1)).toEqual(IDENTITY);
    expect(scalarMultVfy(S, IDENTITY)).toEqual(IDENTITY);
    expect(shareProblem(Yi1)).toBe('is not a canonical ristretto255 encoding');
    expect(shareProblem(IDENTITY)).toBe('is the identity element');
    expect(shareProblem(Ya)).toBeUndefined();
  });
});

describe('sample_scalar', () => {
  it('clears the bits above 252 and varies', () => {
    const scalars = Array.from({ length: 64 }, sampleScalar);
    for (const s of scalars) {
      expect(s.length).toBe(32);
      expect(s[31]! & 0xf0).toBe(0);
    }
    expect(new Set(scalars.map((s) => s.toString('hex'))).size).toBe(64);
  });
});

describe('non-canonical encodings', () => {
  it('refuses the field element p + 1 (an encoding of 1 that is not reduced)', () => {
    // p = 2^255 - 19; p + 1 little-endian is ee ff … ff 7f. RFC 9496 decoding rejects values ≥ p.
    const notReduced = Buffer.alloc(32, 0xff);
    notReduced[0] = 0xee;
    notReduced[31] = 0x7f;
    expect(shareProblem(notReduced)).toBe('is not a canonical ristretto255 encoding');
    // A negative field element (odd, the low bit set) is never a canonical encoding either.
    expect(shareProblem(hex(`01${'00'.repeat(31)}`))).toBe(
      'is not a canonical ristretto255 encoding',
    );
  });
});

// parley/1's own cases (shared/vectors/parley-v1.json, copied to test/fixtures): each gives
// CPace's intermediate values, computed by an independent implementation.
const PARLEY_CPACE = VECTOR_CASES.flatMap((v) =>
  v.cpace === undefined ? [] : [[v, v.cpace] as const],
);

describe.each(
  PARLEY_CPACE.map(
    ([v, c]) =>
      [
        `${v.initiator.username} → ${v.responder.username}, y_I ${v.initiator.private.slice(0, 8)}…`,
        v,
        c,
      ] as const,
  ),
)('parley/1 cpace-ristretto255 vector, %s', (_, v, c) => {
  const { prs, ci, sid } = cpaceInputs(bindingOf(v));
  const yI = hex(v.initiator.private);
  const yR = hex(v.responder.private);

  it('PRS, CI and sid from the handshake', () => {
    expect(c.suite).toBe('CPACE-RISTR255-SHA512');
    expect(DSI).toEqual(ascii(c.dsi));
    expect(prs).toEqual(hex(c.prs));
    expect(ci).toEqual(hex(c.ci));
    expect(sid).toEqual(hex(c.sid));
  });

  it('the generator string, SHA-512 of it, and the generator g', () => {
    const gen = generatorString(DSI, prs, ci, sid, S_IN_BYTES);
    expect(gen).toEqual(hex(c.generator_string));
    expect(generatorHash(prs, ci, sid)).toEqual(hex(c.generator_hash));
    expect(calculateGenerator(prs, ci, sid)).toEqual(hex(c.generator));
  });

  it('both shares from g, and K the same on both sides: DHSK = K', () => {
    const g = calculateGenerator(prs, ci, sid);
    expect(scalarMult(yI, g)).toEqual(hex(v.initiator.public));
    expect(scalarMult(yR, g)).toEqual(hex(v.responder.public));
    expect(scalarMultVfy(yI, hex(v.responder.public))).toEqual(hex(c.K));
    expect(scalarMultVfy(yR, hex(v.initiator.public))).toEqual(hex(c.K));
    expect(c.K).toBe(v.dhsk);
  });

  it("the draft's ISK is what its formula gives, and not what parley/1 uses", () => {
    const transcript = Buffer.concat([
      lvCat(hex(v.initiator.public), Buffer.alloc(0)),
      lvCat(hex(v.responder.public), Buffer.alloc(0)),
    ]);
    expect(transcript).toEqual(hex(c.transcript_ir));
    const isk = createHash('sha512')
      .update(
        Buffer.concat([lvCat(Buffer.concat([DSI, ascii('_ISK')]), sid, hex(c.K)), transcript]),
      )
      .digest();
    expect(isk).toEqual(hex(c.isk));
    expect(c.isk.startsWith(v.dhsk)).toBe(false);
  });
});

it('the 150-byte password: its length in two LEB128 bytes, no padding, gen 226 bytes', () => {
  const long = PARLEY_CPACE.find(([v]) => Buffer.byteLength(v.secret) === 150);
  expect(long).toBeDefined();
  const [v] = long!;
  const { prs, ci, sid } = cpaceInputs(bindingOf(v));
  const gen = generatorString(DSI, prs, ci, sid, S_IN_BYTES);
  expect(gen.length).toBe(226);
  expect(gen.subarray(18, 20)).toEqual(hex('9601'));
  expect(gen[20 + 150]).toBe(0); // len_zpad = 0: the padding field is its length byte alone
});
