/**
 * parley-invite/1's two actors against any script an attacker can write from the valid
 * exchange (test/fixtures/invite-v1.json): frames reordered, dropped, duplicated, cut short,
 * replaced by others (any line of the vector, either side's, or an interruption), fields bent.
 * Driven through the pure steps directly (the inviter as the node's incoming logic, which
 * becomes the inviter on a hello with `invite: 1`), the node's answers given within the same
 * step by the fake desk of test/support/invite-actors.ts, as the driver's interpreter does.
 * The edits are test/support/script-edits.ts's, as for parley/1's actors.
 */
import fc from 'fast-check';
import { isObservable, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Answer } from '../../src/actors/driver.js';
import type { IncomingEvent } from '../../src/actors/incoming.js';
import { INVITE_GROUP } from '../../src/actors/invite-common.js';
import type { JoinerEvent } from '../../src/actors/invite-joiner.js';
import type { Effect, GuessReason, Inbound, Transition } from '../../src/actors/types.js';
import { type Json, RUNS } from '../hostile/support/arbitraries.js';
import { expectCleanEnd, sent } from '../support/actor-runs.js';
import {
  type AnyLogic,
  desk,
  INVITE,
  INVITER,
  inviterDeps,
  JOINER,
  joinerDeps,
  LINES,
  type LineName,
  vectorIncoming,
  vectorJoiner,
} from '../support/invite-actors.js';
import { applyEdit, editsOf, type Item, onTheWire, toInbound } from '../support/script-edits.js';

const lineJson = (name: LineName): Json => JSON.parse(LINES[name]);

/** Every line of the exchange, either side's: a reflected frame is an attack too. */
const ALL_FRAMES = (Object.keys(LINES) as LineName[]).map(lineJson);
const edits = editsOf(ALL_FRAMES);

/** The valid scripts: what each side reads of the vector exchange, in order. */
const TO_INVITER: Item[] = (
  ['joiner_hello', 'joiner_dh', 'joiner_auth', 'join', 'joined'] as const
).map((name) => ({ frame: lineJson(name) }));
const TO_JOINER: Item[] = (['inviter_hello', 'inviter_dh', 'inviter_auth', 'welcome'] as const).map(
  (name) => ({ frame: lineJson(name) }),
);

/** The node's answer to an effect, or none; an answer is given at once (a sync desk). */
type Answering = (effect: Effect<unknown>) => Inbound | undefined;
const now = (answer: Answer): Inbound | undefined => {
  if (isObservable(answer)) throw new Error('a desk here answers synchronously');
  return answer;
};
/** The desk needs a clock only to time what it was asked: no virtual time here. */
const NO_TIME = { now: () => 0 } as unknown as SchedulerLike;

interface Step<Ev> {
  readonly input: Inbound;
  readonly phase: string;
  readonly effects: readonly Effect<Ev>[];
}
interface Run<Ev> {
  readonly effects: Effect<Ev>[];
  /** The script's inputs the actor took before it closed (the node's answers not counted). */
  readonly consumed: Inbound[];
  /** Each transition on a script input: the input, the phase after it, every effect. */
  readonly steps: Step<Ev>[];
  readonly closed: boolean;
}

/** At most this many answers within one step: a step that keeps asking is a bug, not a hang. */
const MAX_ANSWERS = 16;

/**
 * Feed the script, answering each of the actor's questions within the same step (as the
 * driver's interpreter does with a desk that answers at once); a peer that stops writing ends
 * the connection. A closed actor must ignore whatever still comes.
 */
const drive = <Ev>(logic: AnyLogic<Ev>, answer: Answering, inputs: readonly Inbound[]): Run<Ev> => {
  const stepAnswering = (
    state: { readonly phase: string },
    input: Inbound,
  ): Transition<{ readonly phase: string }, Ev> => {
    const effects: Effect<Ev>[] = [];
    const pending: Inbound[] = [input];
    let current = state;
    for (let answers = 0; pending.length > 0; answers += 1) {
      if (answers > MAX_ANSWERS) throw new Error('more answers in one step than any exchange asks');
      const [next, out] = logic.step(current, pending.shift()!);
      current = next;
      effects.push(...out);
      for (const effect of out) {
        const reply = answer(effect);
        if (reply) pending.push(reply);
      }
    }
    return [current, effects];
  };
  let [state, out] = logic.start();
  const effects = [...out];
  for (const effect of out) expect(answer(effect)).toBeUndefined();
  const consumed: Inbound[] = [];
  const steps: Step<Ev>[] = [];
  for (const input of [...inputs, { kind: 'end' } as const]) {
    if (state.phase === 'closed') {
      expect(logic.step(state, input)).toEqual([state, []]);
      continue;
    }
    consumed.push(input);
    [state, out] = stepAnswering(state, input);
    effects.push(...out);
    steps.push({ input, phase: state.phase, effects: out });
  }
  return { effects, consumed, steps, closed: state.phase === 'closed' };
};

const asked = <Ev>(run: Run<Ev>, kind: Effect<Ev>['kind']) =>
  run.effects.filter((e) => e.kind === kind);
const indexOf = <Ev>(run: Run<Ev>, found: (e: Effect<Ev>) => boolean) =>
  run.effects.findIndex(found);

/** The first `count` inputs are exactly those of `valid`, after `bound` (equal by `toEqual`). */
const equalPrefix = (
  inputs: readonly Inbound[],
  valid: readonly Inbound[],
  count: number,
  bound: (i: Inbound) => unknown = (i) => i,
) => {
  if (inputs.length < count) return false;
  try {
    expect(inputs.slice(0, count).map(bound)).toEqual(valid.slice(0, count).map(bound));
    return true;
  } catch {
    return false;
  }
};

/** Every reason a guess may be charged for (exhaustive: a new reason must be added here). */
const KNOWN_REASONS: Record<GuessReason, true> = {
  proof_failed: true,
  no_proof: true,
  bad_share: true,
  refused_group: true,
};

// ─── The inviter ────────────────────────────────────────────────────────────────────────────

/**
 * The node's side for the inviter, as the fake desk plays it: invite_claim → the vector's
 * code and port (no name taken), may_guess → allowed, invite_wrong → 2 left, file_contact →
 * filed. A hello without `invite` goes to the parley/1 responder: its lookup finds a stranger.
 */
const inviterAnswers = (): Answering => {
  const d = desk({ scheduler: NO_TIME });
  return (effect) =>
    effect.kind === 'lookup' ? { kind: 'contact', secret: undefined } : now(d.answer(effect));
};
const runInviter = (script: readonly Item[], deps = inviterDeps()) =>
  drive<IncomingEvent>(vectorIncoming(deps), inviterAnswers(), script.map(toInbound));

/**
 * What the inviter's handshake binds of an input. The joiner's hello says `to: null` (any
 * inviter) or names us: the inviter checks it against its own name and binds nothing of it
 * (the joiner's `from` and nonce are in CI, sid and TH). Everything else counts.
 */
const inviterBound = (input: Inbound): unknown =>
  input.kind === 'frame' && input.frame.type === 'hello' && input.frame.to === INVITER.username
    ? { ...input, frame: { ...input.frame, to: null } }
    : input;

/**
 * The guess the inviter charges when its key pair was made and no proof verified, from what
 * it read: a dh in another group is refused_group; a dh whose share fails its check is
 * bad_share (possible only for a share other than the valid one); a wrong proof after an
 * accepted share is proof_failed; anything else (an end, a timeout, a frame out of order, a
 * line that did not decode) is no_proof.
 */
const expectedGuesses = (consumed: readonly Inbound[]): GuessReason[] => {
  const [, dh, auth] = consumed;
  if (dh?.kind !== 'frame' || dh.frame.type !== 'dh') return ['no_proof'];
  if (dh.frame.group !== INVITE_GROUP) return ['refused_group'];
  const after: GuessReason =
    auth?.kind === 'frame' && auth.frame.type === 'auth' ? 'proof_failed' : 'no_proof';
  return dh.frame.public === INVITE.joiner_public ? [after] : ['bad_share', after];
};

describe('parley-invite/1 actors under attack: the inviter (incoming logic)', () => {
  const valid = TO_INVITER.map(toInbound);

  it('the valid script: both proofs, the welcome, bob filed (the baseline of the properties below)', () => {
    const run = runInviter(TO_INVITER);
    expect(expectCleanEnd(run)).toEqual({
      kind: 'invite_joined',
      username: JOINER.username,
      port: JOINER.port,
    });
    expect(sent(run, 'welcome')).toHaveLength(1);
    expect(asked(run, 'file_contact')).toEqual([
      {
        kind: 'file_contact',
        username: JOINER.username,
        port: JOINER.port,
        password: INVITE.password,
      },
    ]);
    expect(asked(run, 'guess')).toEqual([]);
  });

  it(
    'any edited script: closed, never throws; proof_R and the welcome iff the script begins with the valid ' +
      'hello (to null or alice), dh, auth and join; file_contact (and invite_joined) iff it begins with those ' +
      'and the valid joined; one guess of the expected reason iff our key pair was made and proof_I did not verify',
    () => {
      fc.assert(
        fc.property(edits, (es) => {
          const deps = inviterDeps();
          const run = runInviter(es.reduce(applyEdit, TO_INVITER), deps);
          const event = expectCleanEnd(run);
          const prefix = (count: number) => equalPrefix(run.consumed, valid, count, inviterBound);

          // proof_R and the welcome (the sealed secret) go out in one write, only to a joiner
          // whose proof_I verified and whose join's MAC did: never to a guesser.
          const welcomed = prefix(4);
          expect(sent(run, 'welcome')).toHaveLength(welcomed ? 1 : 0);
          expect(sent(run, 'auth')).toHaveLength(welcomed ? 1 : 0);

          // The joiner is filed only after its joined verified, with what its join said.
          const joined = prefix(5);
          expect(asked(run, 'file_contact')).toEqual(
            joined
              ? [
                  {
                    kind: 'file_contact',
                    username: JOINER.username,
                    port: JOINER.port,
                    password: INVITE.password,
                  },
                ]
              : [],
          );
          expect(event.kind === 'invite_joined').toBe(joined);
          if (joined) {
            expect(indexOf(run, (e) => e.kind === 'file_contact')).toBeGreaterThan(
              indexOf(run, (e) => e.kind === 'send' && e.frame.type === 'welcome'),
            );
          }

          // A hello with `invite: 1` first makes the connection the inviter's, for good; it
          // claims the invite only for version 1, addressed to nobody or to us.
          const [first] = run.consumed;
          const hello =
            first?.kind === 'frame' && first.frame.type === 'hello' ? first.frame : null;
          const inviting = hello?.invite === 1;
          expect(event.kind.startsWith('invite_')).toBe(inviting);
          const claimed =
            inviting && hello.version === 1 && (hello.to === null || hello.to === INVITER.username);
          expect(asked(run, 'invite_claim')).toHaveLength(claimed ? 1 : 0);

          // Every guess has a known reason; on the invite's path exactly one is charged when
          // our key pair was made (may_guess asked, answered allowed) and proof_I did not verify.
          const charged = asked(run, 'guess').map((e) => (e as { reason: GuessReason }).reason);
          for (const reason of charged) expect(KNOWN_REASONS[reason]).toBe(true);
          if (inviting) {
            const keyPairMade = asked(run, 'may_guess').length > 0;
            expect(keyPairMade).toBe(claimed);
            expect(deps.keyPairs()).toBe(keyPairMade ? 1 : 0);
            if (!keyPairMade || prefix(3)) expect(charged).toEqual([]);
            else {
              expect(charged).toHaveLength(1);
              expect(expectedGuesses(run.consumed)).toContain(charged[0]);
            }
          }
        }),
        RUNS,
      );
    },
  );
});

// ─── The joiner ─────────────────────────────────────────────────────────────────────────────

/** How the joiner's node answers its file_contact: filed, a failed sink, or (yet) nothing. */
type Filing = 'filed' | 'sink_failed' | 'silent';
const filing = fc.constantFrom<Filing>('filed', 'filed', 'sink_failed', 'silent');
const SINK_FAILED: Inbound = {
  kind: 'invalid',
  error: { code: 'internal', message: 'the directory could not be written' },
};

const joinerAnswers = (how: Filing): Answering => {
  const d = desk({ scheduler: NO_TIME });
  return (effect) => {
    if (effect.kind !== 'file_contact') return now(d.answer(effect));
    if (how === 'filed') return { kind: 'filed' };
    return how === 'sink_failed' ? SINK_FAILED : undefined;
  };
};
const runJoiner = (script: readonly Item[], how: Filing = 'filed', deps = joinerDeps()) =>
  drive<JoinerEvent>(vectorJoiner({}, deps), joinerAnswers(how), script.map(toInbound));

describe('parley-invite/1 actors under attack: the joiner', () => {
  const valid = TO_JOINER.map(toInbound);

  it('the valid script: alice filed, then joined (the baseline of the properties below)', () => {
    const run = runJoiner(TO_JOINER);
    expect(expectCleanEnd(run)).toEqual({
      kind: 'joined',
      username: INVITER.username,
      port: INVITER.port,
    });
    expect(run.effects.filter((e) => e.kind === 'send')).toEqual(
      (['joiner_hello', 'joiner_dh', 'joiner_auth', 'join', 'joined'] as const).map((name) => ({
        kind: 'send',
        frame: (onTheWire(lineJson(name)) as { frame: unknown }).frame,
      })),
    );
  });

  it(
    'any edited script: closed, never throws; file_contact iff the script begins with exactly the valid ' +
      'hello, dh, proof_R and welcome; joined written iff that file_contact was answered filed, after it; ' +
      'the final event joined only then',
    () => {
      fc.assert(
        fc.property(edits, filing, (es, how) => {
          const run = runJoiner(es.reduce(applyEdit, TO_JOINER), how);
          const event = expectCleanEnd(run);
          // Everything the inviter writes is checked or bound: no field may differ.
          const welcomed = equalPrefix(run.consumed, valid, 4);

          // Alice is filed only after her proof_R verified and her welcome's MAC did.
          expect(asked(run, 'file_contact')).toEqual(
            welcomed
              ? [
                  {
                    kind: 'file_contact',
                    username: INVITER.username,
                    port: INVITER.port,
                    password: INVITE.password,
                  },
                ]
              : [],
          );
          // joined goes out only once the node said filed, and after it was asked.
          const confirmed = welcomed && how === 'filed';
          expect(sent(run, 'joined')).toHaveLength(confirmed ? 1 : 0);
          if (confirmed) {
            expect(indexOf(run, (e) => e.kind === 'send' && e.frame.type === 'joined')).toBe(
              indexOf(run, (e) => e.kind === 'file_contact') + 1,
            );
          }
          expect(event.kind === 'joined').toBe(confirmed);
          if (event.kind === 'joined') {
            expect(event).toEqual({
              kind: 'joined',
              username: INVITER.username,
              port: INVITER.port,
            });
          }
        }),
        RUNS,
      );
    },
  );
});

// ─── Determinism ────────────────────────────────────────────────────────────────────────────

/** What a run says: every effect in order, and step by step the input, the phase after it, its effects. */
const transitions = <Ev>(run: Run<Ev>) => ({ effects: run.effects, steps: run.steps });

/**
 * Twice with the same deps object, as a node runs every connection with one set (and the steps
 * cache their table per set): a second run equal to the first shows that neither the module,
 * nor the table, nor the deps carry anything from one connection to the next.
 */
describe('parley-invite/1 actors under attack: determinism', () => {
  it('the inviter: the same script twice gives equal transitions (phases, effects deep-equal)', () => {
    fc.assert(
      fc.property(edits, (es) => {
        const script = es.reduce(applyEdit, TO_INVITER);
        const deps = inviterDeps();
        const first = transitions(runInviter(script, deps));
        expect(transitions(runInviter(script, deps))).toEqual(first);
      }),
      RUNS,
    );
  });

  it('the joiner: the same script and filing twice gives equal transitions (phases, effects deep-equal)', () => {
    fc.assert(
      fc.property(edits, filing, (es, how) => {
        const script = es.reduce(applyEdit, TO_JOINER);
        const deps = joinerDeps();
        const first = transitions(runJoiner(script, how, deps));
        expect(transitions(runJoiner(script, how, deps))).toEqual(first);
      }),
      RUNS,
    );
  });
});
