/**
 * How fast an impostor tests password guesses offline, from one transcript, against modp14
 * and x25519 (docs/SECURITY.md): it answered us as the contact, so it knows DHSK and TH, and
 * our proof_I. Each guess costs two HMAC-SHA256 (K_auth, then the proof) and a comparison;
 * this measures that loop on one core with node:crypto (OpenSSL), as an attacker on this
 * machine would run it, and prints guesses per second per group.
 *
 *   npx tsx bench/offline-guess.ts
 *
 * Against cpace-ristretto255 the same loop confirms nothing (test/unit/offline-guessing.test.ts):
 * each guess needs a live connection.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const WARMUP_MS = 300;
const WINDOW_MS = 2_000;
const DHSK_BYTES = { modp14: 256, x25519: 32 } as const;

const hmac = (key: Buffer | string, ...parts: (Buffer | string)[]): Buffer => {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
};

/** One transcript's worth of what the impostor holds; the proof is for a password not guessed. */
const transcript = (dhskBytes: number) => {
  const dhsk = randomBytes(dhskBytes);
  const th = randomBytes(32).toString('hex');
  const proofI = hmac(hmac('not in the list', dhsk, 'auth'), 'parley/1 initiator\n', th);
  return { dhsk, th, proofI };
};

const guessesPerSecond = (dhskBytes: number): number => {
  const { dhsk, th, proofI } = transcript(dhskBytes);
  let found = 0;
  const run = (ms: number): number => {
    const until = performance.now() + ms;
    let n = 0;
    while (performance.now() < until) {
      for (let i = 0; i < 256; i++, n++) {
        const kAuth = hmac(`guess ${n}`, dhsk, 'auth');
        if (timingSafeEqual(hmac(kAuth, 'parley/1 initiator\n', th), proofI)) found += 1;
      }
    }
    return n;
  };
  run(WARMUP_MS);
  const started = performance.now();
  const n = run(WINDOW_MS);
  if (found !== 0) throw new Error('a wrong guess matched');
  return n / ((performance.now() - started) / 1000);
};

for (const [group, bytes] of Object.entries(DHSK_BYTES)) {
  console.log(`${group}: ${Math.round(guessesPerSecond(bytes))} guesses/s offline, one core`);
}
