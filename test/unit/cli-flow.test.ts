/**
 * The console's prompt flow, line by line, without a terminal or a network.
 */
import { describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../../src/codecs/directory.js';
import { lossWarning } from '../../src/console/commands.js';
import { editedText } from '../../src/console/edit-form.js';
import {
  type ConsoleState,
  type Input,
  initialState,
  type Output,
  step,
  type View,
} from '../../src/console/flow.js';
import type { OutboxEntry } from '../../src/node/node.js';

const contact = (username: string, port: number): DirectoryEntry =>
  ({ username, password: `${username}-secret`, port, ip: '127.0.0.1' }) as DirectoryEntry;

const bob = contact('bob', 5002);
const carol = contact('carol', 5003);

const failed = (msgId: string, text: string, username?: string): OutboxEntry => ({
  job: { msgId, text, to: { username, host: '10.0.0.5', port: 5001 }, group: 'modp14' },
  attempts: 1,
  nextTryAt: undefined,
  paused: false,
  report: {
    outcome: 'not_delivered',
    msgId,
    to: { username, host: '10.0.0.5', port: 5001 },
    failure: { cause: 'peer_error', code: 'auth_failed', message: 'no' },
    reason: 'bob rejected the password',
    elapsedMs: 3,
  },
});

const view = (over: Partial<View> = {}): View => ({
  self: 'alice',
  contacts: [contact('alice', 5001), bob, carol],
  outbox: [],
  sending: 0,
  durable: false,
  nowMs: 0,
  ...over,
});

const line = (text: string): Input => ({ kind: 'line', text });
const ctrlC = (typed = ''): Input => ({ kind: 'interrupt', typed });
const ctrlD: Input = { kind: 'eof' };
const end: Input = { kind: 'end' };

/** Feed inputs in order; the outputs of the last one, and the state after it. */
const run = (inputs: readonly Input[], v: View = view()) => {
  let state: ConsoleState = initialState;
  let outputs: readonly Output[] = [];
  for (const input of inputs) [state, outputs] = step(state, input, v);
  return { state, outputs, work: outputs.filter((o) => o.kind !== 'show' && o.kind !== 'ask') };
};

const shown = (outputs: readonly Output[]) =>
  outputs.flatMap((o) => (o.kind === 'show' ? [o.text] : []));
const prompt = (outputs: readonly Output[]) => outputs.find((o) => o.kind === 'ask');

const toBob = { username: 'bob', host: '127.0.0.1', port: 5002, secret: 'bob-secret' };

describe('a message and its destination', () => {
  it('Enter ends the message; the menu lists the contacts (not ourselves) and a manual option', () => {
    const { state, outputs } = run([line('hello bob')]);
    expect(state.mode).toEqual({ kind: 'choosing', draft: { kind: 'new', text: 'hello bob' } });
    expect(shown(outputs)[0]).toBe(
      [
        'Send to:',
        '  1) bob    127.0.0.1:5002',
        '  2) carol  127.0.0.1:5003',
        '  m) someone else (enter ip, port and password)',
        '  (Enter alone cancels)',
      ].join('\n'),
    );
    expect(prompt(outputs)).toEqual({
      kind: 'ask',
      prompt: 'send to> ',
      secret: false,
      answer: true,
    });
  });

  it('a number or a name picks the contact; the message goes with its secret', () => {
    for (const pick of ['1', 'bob', ' 1 ']) {
      const { state, work, outputs } = run([line('hello bob'), line(pick)]);
      expect(work).toEqual([{ kind: 'send', to: toBob, text: 'hello bob' }]);
      expect(shown(outputs)).toEqual(['sending to bob…']);
      expect(state.mode).toEqual({ kind: 'composing', lines: [] });
      expect(prompt(outputs)).toEqual({ kind: 'ask', prompt: 'alice> ', secret: false });
    }
  });

  it('a wrong pick is asked again; Enter alone cancels', () => {
    const wrong = run([line('hi'), line('7')]);
    expect(shown(wrong.outputs)).toEqual(['pick 1–2, a name, or m']);
    expect(wrong.state.mode.kind).toBe('choosing');
    const cancelled = run([line('hi'), line('')]);
    expect(shown(cancelled.outputs)).toEqual(['not sent']);
    expect(cancelled.work).toEqual([]);
  });

  it('manual: ip, port, then the password without echo; each checked as typed', () => {
    const inputs = [line('psst'), line('m'), line('10.0.0.9')];
    expect(prompt(run(inputs).outputs)).toEqual({
      kind: 'ask',
      prompt: 'port: ',
      secret: false,
      answer: true,
    });
    expect(shown(run([...inputs, line('99999')]).outputs)).toEqual([
      "port '99999' is not a number from 1 to 65535",
    ]);
    const asked = run([...inputs, line('5009')]).outputs;
    expect(prompt(asked)).toEqual({
      kind: 'ask',
      prompt: 'password (not shown): ',
      secret: true,
      answer: true,
    });
    const { work, outputs } = run([...inputs, line('5009'), line(' spaced secret ')]);
    expect(work).toEqual([
      {
        kind: 'send',
        to: { host: '10.0.0.9', port: 5009, secret: ' spaced secret ' },
        text: 'psst',
      },
    ]);
    expect(shown(outputs)).toEqual(['sending to 10.0.0.9:5009…']);
  });

  it('a bad host is refused, in words', () => {
    const { outputs, state } = run([line('x'), line('m'), line('not a host!')]);
    expect(shown(outputs)).toEqual(["'not a host!' is not a host name or an IP address"]);
    expect(state.mode.kind).toBe('manualHost');
  });

  it('@name text sends at once; an unknown name sends nothing', () => {
    expect(run([line('@bob  see you at 5')]).work).toEqual([
      { kind: 'send', to: toBob, text: 'see you at 5' },
    ]);
    const unknown = run([line('@zed hi')]);
    expect(unknown.work).toEqual([]);
    expect(shown(unknown.outputs)).toEqual([
      'not sent: no contact is called zed (/contacts lists them)',
    ]);
  });

  it('@name text: the name is decoded as a username is, with the same sentence as --name', () => {
    const long = 'z'.repeat(65);
    const refused = run([line(`@${long} hi`)]);
    expect(refused.work).toEqual([]);
    expect(shown(refused.outputs)).toEqual([
      `not sent: '${long}' is not a username (1–64 characters, no control characters)`,
    ]);
  });

  it('a line ending in a backslash continues the message; two end it with a backslash', () => {
    const first = run([line('roses are red,\\')]);
    expect(prompt(first.outputs)).toEqual({ kind: 'ask', prompt: '... ', secret: false });
    expect(run([line('@bob roses are red,\\'), line('violets are blue')]).work).toEqual([
      { kind: 'send', to: toBob, text: 'roses are red,\nviolets are blue' },
    ]);
    expect(run([line('@bob C:\\dir\\\\')]).work).toEqual([
      { kind: 'send', to: toBob, text: 'C:\\dir\\' },
    ]);
  });

  it('//text sends a message starting with a slash; empty lines send nothing', () => {
    const { state } = run([line('//etc is a folder')]);
    expect(state.mode).toEqual({
      kind: 'choosing',
      draft: { kind: 'new', text: '/etc is a folder' },
    });
    expect(run([line('   ')]).outputs).toEqual([{ kind: 'ask', prompt: 'alice> ', secret: false }]);
  });

  it('a message over 64 parts is refused before the menu, saying what to do; a long one goes', () => {
    const { outputs, work } = run([line('x'.repeat(64 * 65_536 + 1))]);
    expect(work).toEqual([]);
    expect(shown(outputs)).toEqual([
      'not sent: the message is 4,194,305 bytes, more than 64 parts of 65,536 bytes can ' +
        'carry; send it as several shorter messages, or as a file by other means',
    ]);
    expect(run([line('x'.repeat(65_536))]).state.mode.kind).toBe('choosing');
    // Over one message: it goes as parts (node.send splits it).
    expect(run([line('x'.repeat(102_400))]).state.mode.kind).toBe('choosing');
  });

  it('@name text: only the text counts against the limit, not the @name prefix', () => {
    const text = 'é'.repeat(32_767); // 65,534 bytes
    expect(run([line(`@bob ${text}`)]).work).toEqual([{ kind: 'send', to: toBob, text }]);
    expect(run([line(`@bob ${text}xy`)]).work).toEqual([
      { kind: 'send', to: toBob, text: `${text}xy` },
    ]);
    // One byte over one message: it goes, as parts (node.send splits it).
    expect(run([line(`@bob ${text}xyz`)]).work).toHaveLength(1);
    expect(run([line(`@bob ${'x'.repeat(200_000)}`)]).work).toHaveLength(1);
    const over = run([line(`@bob ${'x'.repeat(64 * 65_536 + 1)}`)]);
    expect(over.work).toEqual([]);
    expect(shown(over.outputs)[0]).toMatch(/^not sent: the message is 4,194,305 bytes/);
  });
});

describe('commands', () => {
  it('/contacts, /who, /help, and an unknown one', () => {
    expect(shown(run([line('/contacts')]).outputs)[0]).toContain('2) carol  127.0.0.1:5003');
    expect(run([line('/who')]).work).toEqual([{ kind: 'probeAll' }]);
    expect(shown(run([line('/help')]).outputs)[0]).toContain('/retry [N]');
    expect(shown(run([line('/frobnicate')]).outputs)).toEqual([
      'unknown command /frobnicate: /help lists the commands',
    ]);
    const alone = view({ contacts: [contact('alice', 1)] });
    expect(shown(run([line('/who')], alone).outputs)).toEqual([
      'no contacts to check: /add adds one',
    ]);
  });

  it('/add asks each field, refuses a name already taken, and hides the password', () => {
    const start = [line('/add')];
    expect(prompt(run(start).outputs)).toMatchObject({ prompt: 'username: ' });
    expect(shown(run([...start, line('bob')]).outputs)).toEqual([
      'bob is already a contact; pick another name',
    ]);
    const fields = [...start, line('dave'), line('192.168.1.20'), line('5004')];
    expect(prompt(run(fields).outputs)).toEqual({
      kind: 'ask',
      prompt: 'password (not shown): ',
      secret: true,
      answer: true,
    });
    expect(run([...fields, line('pw')]).work).toEqual([
      {
        kind: 'addContact',
        contact: { username: 'dave', password: 'pw', port: 5004, ip: '192.168.1.20' },
      },
    ]);
    expect(shown(run([...start, line('dave'), line('')]).outputs)).toEqual(['cancelled']);
  });

  it('/edit NAME asks each field with its value, Enter keeping it, the password hidden', () => {
    expect(shown(run([line('/edit')]).outputs)).toEqual([
      'which contact? /edit NAME (/contacts lists them)',
    ]);
    expect(shown(run([line('/edit zed')]).outputs)).toEqual([
      'no contact is called zed (/contacts lists them)',
    ]);
    const start = run([line('/edit bob')]);
    expect(shown(start.outputs)).toEqual([
      'Editing bob: Enter keeps a value as it is; Ctrl-C cancels.',
    ]);
    expect(prompt(start.outputs)).toEqual({
      kind: 'ask',
      prompt: 'ip [127.0.0.1]: ',
      secret: false,
      answer: true,
    });
    expect(prompt(run([line('/edit bob'), line('')]).outputs)).toEqual({
      kind: 'ask',
      prompt: 'port [5002]: ',
      secret: false,
      answer: true,
    });
    expect(prompt(run([line('/edit bob'), line(''), line('')]).outputs)).toEqual({
      kind: 'ask',
      prompt: 'password (not shown; Enter keeps it): ',
      secret: true,
      answer: true,
    });
    const password = run([line('/edit bob'), line(''), line(''), line(' right one ')]);
    expect(password.work).toEqual([
      {
        kind: 'editContact',
        username: 'bob',
        changes: { password: ' right one ' },
        what: 'password',
      },
    ]);
    expect(password.state.mode).toEqual({ kind: 'composing', lines: [] });
    expect(run([line('/edit bob'), line('10.0.0.9'), line('6002'), line('')]).work).toEqual([
      {
        kind: 'editContact',
        username: 'bob',
        changes: { ip: '10.0.0.9', port: 6002 },
        what: 'ip 10.0.0.9, port 6002',
      },
    ]);
  });

  it('/edit: a wrong answer is asked again; nothing changed writes nothing; Ctrl-C cancels', () => {
    const wrong = run([line('/edit bob'), line(''), line('port?')]);
    expect(shown(wrong.outputs)).toEqual(["port 'port?' is not a number from 1 to 65535"]);
    expect(prompt(wrong.outputs)).toMatchObject({ prompt: 'port [5002]: ' });
    const same = run([line('/edit bob'), line('127.0.0.1'), line(''), line('')]);
    expect(same.work).toEqual([]);
    expect(shown(same.outputs)).toEqual(['nothing changed: bob is as it was']);
    const cancelled = run([line('/edit bob'), line(''), line(''), ctrlC('half')]);
    expect(cancelled.work).toEqual([{ kind: 'discardLine' }]);
    expect(shown(cancelled.outputs)).toEqual(['cancelled: bob is unchanged']);
  });

  it('/outbox lists undelivered messages; /retry N offers the same or another destination', () => {
    const v = view({ outbox: [failed('m-1', 'first'), failed('m-2', 'second', 'bob')] });
    expect(shown(run([line('/outbox')], v).outputs)[0]).toBe(
      [
        '  1) to 10.0.0.5:5001 "first" — not delivered (1 attempt): bob rejected the password; /retry 1 sends it now',
        '  2) to bob "second" — not delivered (1 attempt): as 1); /retry 2 sends it now',
      ].join('\n'),
    );
    expect(shown(run([line('/retry')], v).outputs)).toEqual([
      'which one? /retry 1 to /retry 2 (see /outbox)',
    ]);
    const menu = run([line('/retry 2')], v);
    expect(shown(menu.outputs)[0]).toContain('Enter: bob again, as before');
    // Enter: the contact's current entry (its password may have been corrected since).
    expect(run([line('/retry 2'), line('')], v).work).toEqual([
      { kind: 'retry', msgId: 'm-2', to: toBob },
    ]);
    // A destination typed by hand: the node keeps it; another pick: that one.
    expect(run([line('/retry 1'), line('')], v).work).toEqual([
      { kind: 'retry', msgId: 'm-1', to: undefined },
    ]);
    expect(run([line('/retry 1'), line('carol')], v).work).toEqual([
      {
        kind: 'retry',
        msgId: 'm-1',
        to: { username: 'carol', host: '127.0.0.1', port: 5003, secret: 'carol-secret' },
      },
    ]);
    expect(shown(run([line('/retry')]).outputs)).toEqual([
      'nothing to retry: no undelivered messages',
    ]);
  });

  it('/quit quits at once when nothing would be lost', () => {
    expect(run([line('/quit')]).outputs).toEqual([{ kind: 'quit' }]);
  });

  it('/quit with undelivered messages asks first', () => {
    const v = view({ outbox: [failed('m-1', 'first')] });
    const asked = run([line('/quit')], v);
    expect(shown(asked.outputs)).toEqual([
      '1 message was not delivered (see /outbox); quitting now loses it.',
    ]);
    expect(prompt(asked.outputs)).toMatchObject({ prompt: 'quit anyway? [y/N] ' });
    expect(run([line('/quit'), line('y')], v).work).toEqual([{ kind: 'quit' }]);
    expect(shown(run([line('/quit'), line('')], v).outputs)).toEqual(['not quitting']);
  });

  it('/quit with messages still being sent quits, finishing them first', () => {
    expect(run([line('/quit')], view({ sending: 2 })).outputs).toEqual([
      { kind: 'show', text: 'finishing 2 messages still being sent…' },
      { kind: 'quit' },
    ]);
  });
});

describe('Ctrl-C and Ctrl-D', () => {
  const pending = view({ outbox: [failed('m-1', 'x')] });
  const warning = '1 message was not delivered (see /outbox); quitting now loses it.';

  it('Ctrl-C on a typed line forgets the line; on an empty prompt it quits, as /quit does', () => {
    expect(run([ctrlC('half a thought')]).outputs).toEqual([
      { kind: 'discardLine' },
      { kind: 'ask', prompt: 'alice> ', secret: false },
    ]);
    expect(run([ctrlC('half a thought'), ctrlC()]).outputs).toEqual([{ kind: 'quit' }]);
    expect(run([ctrlC()]).outputs).toEqual([{ kind: 'quit' }]);
  });

  it('typed text, Ctrl-C, Ctrl-C: still asks before losing undelivered messages', () => {
    const asked = run([ctrlC('a draft'), ctrlC()], pending);
    expect(asked.work).toEqual([]);
    expect(shown(asked.outputs)).toEqual([warning]);
    expect(prompt(asked.outputs)).toMatchObject({ prompt: 'quit anyway? [y/N] ' });
    // The question is a question: Ctrl-C or Ctrl-D there cancels it; only "y" quits.
    for (const key of [ctrlC(), ctrlD]) {
      const kept = run([ctrlC('a draft'), ctrlC(), key], pending);
      expect(kept.work).toEqual([]);
      expect(shown(kept.outputs)).toEqual(['not quitting']);
    }
    expect(run([ctrlC(), line('y')], pending).work).toEqual([{ kind: 'quit' }]);
  });

  it('Ctrl-C in a question cancels it, saying so, and a second Ctrl-C does not quit', () => {
    const questions: [readonly Input[], string][] = [
      [[line('hi')], 'cancelled: the message was not sent'],
      [[line('hi'), line('m')], 'cancelled: the message was not sent'],
      [
        [line('hi'), line('m'), line('10.0.0.9'), line('5009')],
        'cancelled: the message was not sent',
      ],
      [[line('/add')], 'cancelled: no contact added'],
      [[line('/add'), line('dave'), line('10.0.0.9'), line('5004')], 'cancelled: no contact added'],
    ];
    for (const [inputs, note] of questions) {
      const once = run([...inputs, ctrlC()]);
      expect(shown(once.outputs)).toEqual([note]);
      expect(once.state.mode).toEqual({ kind: 'composing', lines: [] });
      expect(prompt(once.outputs)).toEqual({ kind: 'ask', prompt: 'alice> ', secret: false });
      const twice = run([...inputs, ctrlC(), ctrlC()]);
      expect(twice.work).toEqual([]);
      expect(shown(twice.outputs)).toEqual([
        '(the question was cancelled; press again, or /quit, to leave)',
      ]);
      expect(run([...inputs, ctrlC(), ctrlC(), ctrlC()]).work).toEqual([{ kind: 'quit' }]);
    }
  });

  it('Ctrl-C at the hidden password prompt forgets what was typed and says so', () => {
    const atPassword = [line('/add'), line('dave'), line('10.0.0.9'), line('5004')];
    expect(run([...atPassword, ctrlC('half a passw')]).outputs).toEqual([
      { kind: 'discardLine' },
      { kind: 'show', text: 'cancelled: no contact added' },
      { kind: 'ask', prompt: 'alice> ', secret: false },
    ]);
  });

  it('a retry cancelled keeps its message in the outbox, and says so', () => {
    const v = view({ outbox: [failed('m-2', 'second', 'bob')] });
    expect(shown(run([line('/retry'), ctrlC()], v).outputs)).toEqual([
      'cancelled: the message stays in /outbox',
    ]);
  });

  it('Ctrl-C or Ctrl-D in a continued message drops the message, not parley', () => {
    for (const key of [ctrlC(), ctrlD]) {
      const { outputs, work } = run([line('one\\'), key]);
      expect(shown(outputs)).toEqual(['message discarded']);
      expect(work).toEqual([]);
    }
  });

  it('Ctrl-D on an empty prompt is /quit: at once, or the same question when messages wait', () => {
    expect(run([ctrlD]).outputs).toEqual([{ kind: 'quit' }]);
    const asked = run([ctrlD], pending);
    expect(asked.work).toEqual([]);
    expect(shown(asked.outputs)).toEqual([warning]);
    expect(prompt(asked.outputs)).toMatchObject({ prompt: 'quit anyway? [y/N] ' });
    expect(run([ctrlD, line('y')], pending).work).toEqual([{ kind: 'quit' }]);
  });

  it('Ctrl-D in a question cancels the question only', () => {
    const inQuestion = run([line('hi'), line('m'), ctrlD]);
    expect(inQuestion.work).toEqual([]);
    expect(shown(inQuestion.outputs)).toEqual(['cancelled: the message was not sent']);
    expect(run([line('hi'), line('m'), ctrlD, ctrlD]).work).toEqual([]);
  });

  it('the end of the input quits, saying what is lost (nothing more can be asked)', () => {
    expect(run([end]).outputs).toEqual([{ kind: 'quit' }]);
    expect(run([end], view({ outbox: [failed('m-1', 'x')], sending: 1 })).outputs).toEqual([
      { kind: 'show', text: warning },
      { kind: 'show', text: 'finishing 1 message still being sent…' },
      { kind: 'quit' },
    ]);
  });
});

describe('quitting with the outbox on disk', () => {
  const kept = view({ durable: true, outbox: [failed('m-1', 'x'), failed('m-2', 'y', 'bob')] });

  it('/quit, Ctrl-D and Ctrl-C on an empty line quit at once, saying what will be sent', () => {
    for (const quit of [line('/quit'), ctrlD, ctrlC()]) {
      expect(run([quit], kept).outputs).toEqual([
        { kind: 'show', text: '2 messages will be sent when you are back' },
        { kind: 'quit' },
      ]);
    }
    const one = view({ durable: true, outbox: [failed('m-1', 'x')], sending: 1 });
    expect(run([line('/quit')], one).outputs).toEqual([
      { kind: 'show', text: '1 message will be sent when you are back' },
      { kind: 'show', text: 'finishing 1 message still being sent…' },
      { kind: 'quit' },
    ]);
    expect(run([line('/quit')], view({ durable: true })).outputs).toEqual([{ kind: 'quit' }]);
  });

  it('counts the paused ones apart: they do not go out by themselves', () => {
    const paused = { ...failed('m-3', 'z', 'bob'), paused: true };
    expect(shown(run([ctrlD], view({ durable: true, outbox: [paused] })).outputs)).toEqual([
      '1 message waits paused after a password mismatch (/outbox says what sends it)',
    ]);
    const mixed = view({ durable: true, outbox: [failed('m-1', 'x'), paused, paused] });
    expect(shown(run([line('/quit')], mixed).outputs)).toEqual([
      '1 message will be sent when you are back; 2 messages wait paused after a password mismatch (/outbox says what sends them)',
    ]);
  });

  it('the end of the input that quitting brings about says nothing twice', () => {
    // Quitting closes the terminal, whose input then ends: that end is not a second quit.
    expect(run([line('/quit'), end], kept).outputs).toEqual([]);
    const inMemory = view({ outbox: [failed('m-1', 'x')] });
    expect(run([line('/quit'), line('y'), end], inMemory).outputs).toEqual([]);
  });

  it('the end of the input says what is kept, not what is lost', () => {
    expect(shown(run([end], kept).outputs)).toEqual(['2 messages will be sent when you are back']);
  });
});

describe('/outbox', () => {
  it('shows each message: to whom, its first words, attempts, and when it goes next', () => {
    const soon = { ...failed('m-1', 'first line\nsecond', 'bob'), attempts: 2, nextTryAt: 18_000 };
    const paused = { ...failed('m-2', 'psst', 'carol'), paused: true };
    const { outputs } = run([line('/outbox')], view({ outbox: [soon, paused], nowMs: 10_000 }));
    expect(shown(outputs)).toEqual([
      [
        '  1) to bob "first line…" — not delivered (2 attempts): bob rejected the password; next try in 8 s, or /retry 1 now',
        '  2) to carol "psst" — not delivered (1 attempt): as 1); paused after a password mismatch: it does not go out by itself, until carol reaches you; /retry 2 tries again',
      ].join('\n'),
    ]);
  });
});

describe('editedText', () => {
  it('says what changed (never the password) and that what waits for the contact goes out now', () => {
    const edit = {
      kind: 'editContact',
      username: 'bob',
      changes: { password: 'new' },
      what: 'password',
    } as const;
    const outbox = [failed('m-1', 'to someone', undefined), failed('m-2', 'to bob', 'bob')];
    expect(editedText(edit, 'alice.json', outbox)).toBe(
      'bob updated in alice.json (password); 1 waiting message goes out again now with the new details',
    );
    expect(editedText(edit, 'alice.json', [])).toBe('bob updated in alice.json (password)');
  });
});

describe('lossWarning', () => {
  it('is silent when nothing would be lost, and counts in words otherwise', () => {
    expect(lossWarning(0)).toBeUndefined();
    expect(lossWarning(2)).toBe(
      '2 messages were not delivered (see /outbox); quitting now loses them.',
    );
  });
});

describe('lines pasted together never answer a question (issue 22.2)', () => {
  const pasted = (text: string, read: number): Input => ({ kind: 'line', text, read });
  /** Every output of every input, in order. */
  const all = (inputs: readonly Input[]) => {
    let state: ConsoleState = initialState;
    const outputs: Output[] = [];
    for (const input of inputs) {
      const [next, out] = step(state, input, view());
      state = next;
      outputs.push(...out);
    }
    return { state, outputs };
  };

  it('a paste of "todo list⏎1⏎private notes" sends nothing: the menu waits for a choice', () => {
    const { state, outputs } = all([
      pasted('todo list', 7),
      pasted('1', 7),
      pasted('private notes', 7),
    ]);
    expect(outputs.filter((o) => o.kind === 'send')).toEqual([]);
    expect(state.mode).toEqual({ kind: 'choosing', draft: { kind: 'new', text: 'todo list' } });
    expect(shown(outputs).slice(-2)).toEqual([
      'not taken as the answer: "1" came in one paste with the line before, before the question was shown; type the answer (Ctrl-C cancels)',
      'not taken as the answer: "private notes" came in one paste with the line before, before the question was shown; type the answer (Ctrl-C cancels)',
    ]);
    // Typed afterwards (a later read), the choice is taken.
    const [, out] = step(state, pasted('1', 8), view());
    expect(out.filter((o) => o.kind === 'send')).toEqual([
      { kind: 'send', to: toBob, text: 'todo list' },
    ]);
  });

  it('a pasted "m" starts no manual questions, and a pasted password is never echoed', () => {
    const menu = all([pasted('hello', 1), pasted('m', 1)]);
    expect(menu.state.mode.kind).toBe('choosing');
    const asked = all([
      pasted('hello', 1),
      pasted('m', 2),
      pasted('10.0.0.9', 3),
      pasted('5009', 4),
      pasted('hunter2', 4),
    ]);
    expect(asked.state.mode.kind).toBe('manualSecret');
    expect(shown(asked.outputs).at(-1)).toBe(
      'not taken as the answer: a line came in one paste with the line before, before the question was shown; type the answer (Ctrl-C cancels)',
    );
    expect(JSON.stringify(asked.outputs)).not.toContain('hunter2');
  });

  it('pasted lines at the prompt are messages as before: five @bob lines all go, in order', () => {
    const { outputs } = all(['a', 'b', 'c', 'd', 'e'].map((t) => pasted(`@bob ${t}`, 3)));
    expect(outputs.flatMap((o) => (o.kind === 'send' ? [o.text] : []))).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);
  });

  it('on a pipe (no read numbers) a script answers the menu as before', () => {
    const { outputs } = all([line('todo list'), line('1')]);
    expect(outputs.filter((o) => o.kind === 'send')).toHaveLength(1);
  });
});

describe('@name with no message (issue 22.7)', () => {
  it('sends nothing (not the text "@bob") and says how to write it', () => {
    for (const typed of ['@bob', '@bob   ']) {
      const { state, outputs, work } = run([line(typed)]);
      expect(work).toEqual([]);
      expect(state.mode).toEqual({ kind: 'composing', lines: [] });
      expect(shown(outputs)).toEqual([
        'not sent: nothing to send to bob; write @bob and the message',
      ]);
    }
  });
});

describe('/remove (issue 22.7)', () => {
  it('/remove N drops message N; a wrong number or an empty outbox says so', () => {
    const outbox = [failed('m-1', 'first', 'bob'), failed('m-2', 'second', 'bob')];
    expect(run([line('/remove 2')], view({ outbox })).work).toEqual([
      { kind: 'remove', msgId: 'm-2', text: 'second' },
    ]);
    expect(shown(run([line('/remove 3')], view({ outbox })).outputs)).toEqual([
      'which one? /remove 1 to /remove 2 (see /outbox)',
    ]);
    expect(shown(run([line('/remove')], view({ outbox })).outputs)).toEqual([
      'which one? /remove 1 to /remove 2 (see /outbox)',
    ]);
    expect(shown(run([line('/remove 1')]).outputs)).toEqual([
      'nothing to remove: the outbox is empty',
    ]);
  });
});
