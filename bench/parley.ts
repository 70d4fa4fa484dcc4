/**
 * The parley library as the bench's child processes load it: the built `dist/`, not the
 * sources, so that workers measure the code users run and pay no TypeScript start-up cost.
 */
import type * as Parley from '../src/index.js';

export type ParleyModule = typeof Parley;

// A computed URL: the type checker never needs dist/ to exist (a clean clone type-checks
// before it builds); `npm run bench` builds first.
const DIST_ENTRY = new URL('../dist/index.js', import.meta.url).href;

export const loadParley = (): Promise<ParleyModule> => import(DIST_ENTRY);

import type * as Protocol from '../src/protocol.js';

export type ProtocolModule = typeof Protocol;

const DIST_PROTOCOL = new URL('../dist/protocol.js', import.meta.url).href;

/** The second tier (`parley/protocol`): actors, codecs, key pairs. */
export const loadProtocol = (): Promise<ProtocolModule> => import(DIST_PROTOCOL);
