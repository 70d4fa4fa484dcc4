/**
 * Reads V8 .cpuprofile files (from `npm run bench -- --profile`, or any `node --cpu-prof`)
 * and prints where the busy time went: by kind of work, functions by self time, the same by
 * package or file, and parley's own functions by total time (callees included).
 *
 *   npx tsx bench/profile.ts <profile or directory>... [--top 20]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface Entry {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

export interface Summary {
  readonly busyMs: number;
  readonly idleMs: number;
  readonly byKind: readonly Entry[];
  readonly bySelf: readonly Entry[];
  readonly byPlace: readonly Entry[];
  readonly parleyByTotal: readonly Entry[];
}

const IDLE = '(idle)';
const ROOT_URL = new URL('..', import.meta.url).href.replace(/\/$/, '');

/** Where code lives, shortly: `dist/crypto/dh.js`, `rxjs/…/timeout.js`, `node:net`. */
export const shortUrl = (url: string): string =>
  url.startsWith(ROOT_URL) ? url.slice(ROOT_URL.length + 1).replace(/^node_modules\//, '') : url;

/** The package or area a URL belongs to: `parley dist/actors`, `rxjs`, `node:crypto`… */
export const placeOf = (url: string): string => {
  const short = shortUrl(url);
  if (short === '') return '(native / V8)';
  if (short.startsWith('dist/')) return `parley ${short.split('/').slice(0, 2).join('/')}`;
  if (short.startsWith('node:internal/')) return `node:${short.split('/')[1]}`;
  if (short.startsWith('node:') || short.startsWith('bench/')) return short;
  return short.split('/')[0] ?? short;
};

/** Kinds of work, first match wins: what a delivery's CPU time is spent on. */
const KINDS: readonly (readonly [string, (name: string, url: string) => boolean])[] = [
  [
    'DH arithmetic',
    (n) => /^(dhGenerateKeys|dhComputeSecret|generateKeyPairSync|diffieHellman)$/.test(n),
  ],
  ['DH key encoding (DER, KeyObject)', (_, u) => u.includes('internal/crypto/keys')],
  ['HMAC, SHA-256, AES', (_, u) => /internal\/crypto\/(hash|cipher)/.test(u)],
  ['random bytes', (_, u) => u.includes('internal/crypto/random')],
  [
    'socket system calls (kernel TCP)',
    (n, u) => u === '' && /^(writeUtf8String|writeBuffer|close|shutdown|getpeername)$/.test(n),
  ],
  ['socket system calls (kernel TCP)', (n) => /^(internalConnect|Socket\.setNoDelay)$/.test(n)],
  ['garbage collection', (n) => n === '(garbage collector)'],
  ['RxJS', (_, u) => u.includes('/rxjs/')],
  ['fp-ts, io-ts', (_, u) => /\/(fp-ts|io-ts)\//.test(u)],
  ['JSON, codecs', (_, u) => u.includes('/dist/codecs/')],
  ['parley, other', (_, u) => u.includes('/dist/')],
  ['Node internals (net, streams, timers, loading)', (_, u) => u.startsWith('node:')],
];

export const kindOf = (frame: CallFrame): string =>
  KINDS.find(([, test]) => test(frame.functionName, frame.url))?.[0] ?? 'V8, native, other';

const nameOf = (frame: CallFrame): string =>
  frame.url === ''
    ? frame.functionName || '(anonymous)'
    : `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;

const add = (totals: Map<string, number>, key: string, ms: number) =>
  totals.set(key, (totals.get(key) ?? 0) + ms);

const ranked = (totals: Map<string, number>, busyMs: number, top: number): Entry[] =>
  [...totals]
    .filter(([name]) => name !== IDLE)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, ms, share: ms / busyMs }));

/** Each node's distinct function names from the root down to it (for totals). */
const ancestry = (profile: CpuProfile): Map<number, readonly string[]> => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const paths = new Map<number, readonly string[]>();
  const visit = (id: number, above: readonly string[]) => {
    const node = byId.get(id)!;
    const name = nameOf(node.callFrame);
    const path = above.includes(name) ? above : [...above, name];
    paths.set(id, path);
    for (const child of node.children ?? []) visit(child, path);
  };
  visit(profile.nodes[0]!.id, []);
  return paths;
};

export const summarise = (profile: CpuProfile, top = 20): Summary => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const paths = ancestry(profile);
  const self = new Map<string, number>();
  const place = new Map<string, number>();
  const kind = new Map<string, number>();
  const total = new Map<string, number>();
  // A sample stands for the time until the next one (V8 records the gap before it).
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const frame = byId.get(id)!.callFrame;
    add(self, nameOf(frame), ms);
    add(place, frame.functionName === IDLE ? IDLE : placeOf(frame.url), ms);
    add(kind, frame.functionName === IDLE ? IDLE : kindOf(frame), ms);
    for (const name of paths.get(id) ?? []) if (name.includes(' dist/')) add(total, name, ms);
  });
  const idleMs = self.get(IDLE) ?? 0;
  const busyMs = [...self.values()].reduce((a, b) => a + b, 0) - idleMs;
  return {
    busyMs,
    idleMs,
    byKind: ranked(kind, busyMs, top),
    bySelf: ranked(self, busyMs, top),
    byPlace: ranked(place, busyMs, top),
    parleyByTotal: ranked(total, busyMs, top),
  };
};

const formatEntries = (title: string, entries: readonly Entry[]): string[] => [
  title,
  ...entries.map(
    (e) =>
      `  ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.ms.toFixed(0).padStart(7)} ms  ${e.name}`,
  ),
];

export const renderSummary = (name: string, s: Summary): string =>
  [
    `${name}: ${(s.busyMs / 1000).toFixed(1)} s busy, ${(s.idleMs / 1000).toFixed(1)} s idle`,
    ...formatEntries('by kind of work (self time):', s.byKind),
    ...formatEntries('by self time:', s.bySelf),
    ...formatEntries('by package or file (self time):', s.byPlace),
    ...formatEntries('parley functions by total time (callees included):', s.parleyByTotal),
  ].join('\n');

export const readProfile = (path: string): CpuProfile =>
  JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;

/** The .cpuprofile files named, directories expanded. */
export const profilePaths = (args: readonly string[]): string[] =>
  args.flatMap((arg) =>
    statSync(arg).isDirectory()
      ? readdirSync(arg)
          .filter((f) => f.endsWith('.cpuprofile'))
          .sort()
          .map((f) => join(arg, f))
      : [arg],
  );

const main = (argv: readonly string[]) => {
  const topAt = argv.indexOf('--top');
  const top = topAt === -1 ? 20 : Number(argv[topAt + 1]);
  const args = argv.filter((_, i) => i !== topAt && i !== topAt + 1);
  if (args.length === 0) {
    console.error('usage: npx tsx bench/profile.ts <profile or directory>... [--top 20]');
    process.exit(2);
  }
  for (const path of profilePaths(args)) {
    console.log(`${renderSummary(path, summarise(readProfile(path), top))}\n`);
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
