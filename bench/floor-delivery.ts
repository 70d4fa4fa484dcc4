/**
 * One parley/1 delivery with both actors stepped against each other in memory: the real keys,
 * MACs, cipher, JSON and codecs, the dedupe memory answering `deliver`, and no socket, driver,
 * timer or pipeline. Shared by `bench/protocol-floor.ts` (a process of its own, for `--peers`)
 * and `bench/one-process.ts` (the floor in the same process and run as the nodes it is set
 * against).
 */
import { randomUUID } from 'node:crypto';
import type { Group } from '../src/index.js';
import type { Effect, Inbound } from '../src/protocol.js';
import { RECEIVER, SECRET, SENDER, TEXT } from './config.js';
import { loadParley, loadProtocol } from './parley.js';

const parley = await loadParley();
const protocol = await loadProtocol();

// The node's own actor dependencies (pooled nonces, the key pairs it makes), not stand-ins.
const resolved = parley.resolveDeps({ name: SENDER });
if (resolved._tag === 'Left') throw new Error(resolved.left.message);
const deps = resolved.right.actor;
const self = resolved.right.self;
const peer = protocol.mint(protocol.Username, RECEIVER);
const responderDeps = deps;
const memory = protocol.createDedupeMemory();
const remember = protocol.answerFrom(memory);
/** The node's answers: the dedupe memory, the directory (the sender is a contact), the budgets. */
const answer = <Ev>(effect: Effect<Ev>): Inbound | undefined => {
  if (effect.kind === 'lookup') return { kind: 'contact', secret: SECRET };
  if (effect.kind === 'may_guess') return { kind: 'budget', allowed: true };
  return remember(effect);
};

/** The frames a step sends, through the wire's encoding and the peer's decoding. */
const wire = <Ev>(effects: readonly Effect<Ev>[], into: Inbound[]): void => {
  for (const effect of effects) {
    if (effect.kind !== 'send') continue;
    const line = protocol.encodeFrame(effect.frame);
    const decoded = protocol.decodeLine(line.slice(0, -1));
    if (decoded._tag === 'Left') throw new Error(`frame did not decode: ${decoded.left.message}`);
    into.push({ kind: 'frame', frame: decoded.right });
  }
};

const delivered = <Ev>(effects: readonly Effect<Ev>[]): boolean =>
  effects.some((e) => e.kind === 'emit' && (e.event as { kind: string }).kind === 'delivered');

/** One delivery, both roles; throws unless the initiator saw a verified ack. */
export const deliverOnce = (group: Group): void => {
  const msgId = protocol.mint(protocol.Uuid, randomUUID());
  let [initiator, effects] = protocol.startInitiator(
    {
      self,
      expectedPeer: peer,
      secret: SECRET,
      group,
      intent: { kind: 'message', msgId, text: TEXT },
    },
    deps,
  );
  let [responder, answered] = protocol.startResponder({ self: peer, groups: [group] });
  let toResponder: Inbound[] = [];
  const toInitiator: Inbound[] = [];
  wire(effects, toResponder);
  wire(answered, toInitiator);
  for (let turn = 0; turn < 8; turn += 1) {
    const inputs = toResponder;
    toResponder = [];
    while (inputs.length > 0) {
      const input = inputs.shift() as Inbound;
      [responder, answered] = protocol.stepResponder(responder, input, responderDeps);
      for (const effect of answered) {
        const reply = answer(effect);
        if (reply) inputs.push(reply);
      }
      wire(answered, toInitiator);
    }
    for (const input of toInitiator.splice(0)) {
      [initiator, effects] = protocol.stepInitiator(initiator, input, deps);
      if (delivered(effects)) return;
      wire(effects, toResponder);
    }
  }
  throw new Error(`no delivery; the initiator ended in ${initiator.phase}`);
};

/** Deliveries for `ms` of wall time; how many. */
export const deliverFor = (group: Group, ms: number): number => {
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < ms) {
    deliverOnce(group);
    count += 1;
  }
  return count;
};
