/**
 * The help texts: the command named as it was run, every option explained, the size limit.
 */
import { describe, expect, it } from 'vitest';
import { CONSOLE_HELP, commandName, helpText } from '../../src/cli/help.js';

describe('the command as the person ran it', () => {
  it('npm start --, node with the script as typed, or the name of an installed command', () => {
    const at = (script: string, cwd = '/home/me/parley', npmEvent?: string) =>
      commandName({ script, cwd, npmEvent });
    expect(at('/home/me/parley/dist/main.js', '/home/me/parley', 'start')).toBe('npm start --');
    expect(at('/home/me/parley/dist/main.js')).toBe('node dist/main.js');
    expect(at('/home/me/parley/dist/main.js', '/tmp')).toBe('node /home/me/parley/dist/main.js');
    expect(at('/home/me/my parley/dist/main.js', '/tmp')).toBe(
      "node '/home/me/my parley/dist/main.js'",
    );
    expect(at('/usr/local/bin/parley', '/tmp')).toBe('parley');
  });

  it('every usage line of --help starts with that command', () => {
    const chat = helpText('chat', 'node dist/main.js');
    expect(chat).toContain('  node dist/main.js listen --port P --name NAME --directory FILE');
    expect(chat).not.toMatch(/^ *parley (listen|send|probe|help|\[)/m);
    expect(helpText('probe', 'parley')).toMatch(/^Usage: parley probe --name NAME/);
    expect(helpText('chat', 'npm start --')).toContain('scripts run node dist/main.js');
  });
});

describe('the top-level usage (issue 22.7)', () => {
  it("names each command's own flags (but the shared --group and --bind, explained below it)", () => {
    const top = helpText('chat', 'x');
    for (const command of ['listen', 'send', 'probe', 'outbox'] as const) {
      const own = helpText(command, 'x').split('\n')[0] ?? '';
      const line = top.split('\n').find((l) => l.startsWith(`  x ${command} `)) ?? '';
      for (const flag of own.match(/--[a-z-]+/g) ?? []) {
        if (flag === '--group' || flag === '--bind') continue;
        expect(line, `${command} ${flag}`).toContain(flag);
      }
    }
  });
});

describe('what --help explains', () => {
  it('--bind, where it is accepted, and --version everywhere', () => {
    for (const topic of ['chat', 'listen'] as const) {
      expect(helpText(topic, 'x')).toContain('127.0.0.1 only from this');
    }
    for (const topic of ['chat', 'listen', 'send', 'probe', 'outbox'] as const) {
      expect(helpText(topic, 'x')).toContain('--version');
    }
  });

  it('the outbox: where it is kept, its schedule, --queue and its exit status, quitting', () => {
    expect(helpText('chat', 'x')).toContain('then twice as long each time (at most 15 min apart)');
    expect(helpText('chat', 'x')).toContain('  x outbox [--name NAME] [--json]');
    expect(helpText('listen', 'x')).toContain(
      'and the outbox of NAME, are kept in\n$PARLEY_STATE_DIR',
    );
    expect(helpText('send', 'x')).toContain('--queue           if it is not delivered, keep it');
    expect(helpText('send', 'x')).toContain('4 not delivered and\nqueued');
    expect(helpText('outbox', 'x')).toMatch(/^Usage: x outbox \[--name NAME\] \[--json\]/);
    expect(helpText('outbox', 'x')).toContain('"on_start", "running"');
    expect(CONSOLE_HELP).toContain('goes out when you are back');
  });

  it('the size limit of one message, in --help and /help', () => {
    const limit =
      'A message holds at most 65,536 bytes of UTF-8 text (the parley/1 limit); a longer text, ' +
      'up to 64 such messages, goes as numbered parts that parley shows as one.';
    expect(helpText('chat', 'x')).toContain(limit);
    expect(helpText('send', 'x')).toContain(limit);
    expect(CONSOLE_HELP).toContain(limit);
  });
});
