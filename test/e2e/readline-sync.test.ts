/**
 * readline-sync as parley asks it, in a real terminal (security review, issue 13 item 9): a
 * password answered at a hidden question must not come back at a later one. With its default
 * history, `!!` at the next question is replaced by the last answer, and printed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HAS_TMUX, tempFolder, tmuxServer } from './harness.js';

const STARTUP = fileURLToPath(new URL('../../dist/cli/startup.js', import.meta.url));
const PASSWORD = 'hunter2-never-shown';

let folder: ReturnType<typeof tempFolder>;
let tmux: ReturnType<typeof tmuxServer>;
beforeEach(() => {
  folder = tempFolder();
  tmux = tmuxServer();
});
afterEach(() => {
  tmux.close();
  folder.remove();
});

describe.skipIf(!HAS_TMUX)('a password asked at start-up', () => {
  it('is not echoed, and `!!` at the next question does not bring it back', async () => {
    const script = join(folder.path, 'ask-twice.mjs');
    writeFileSync(
      script,
      [
        `import { askOnTerminal } from ${JSON.stringify(STARTUP)};`,
        "const secret = askOnTerminal('Password: ', true);",
        "const next = askOnTerminal('Name: ', false);",
        "console.log(next === secret ? 'LEAKED' : 'kept apart: ' + next);",
      ].join('\n'),
    );
    const pane = tmux.open('ask', [], {}, script);
    await pane.waitFor('Password: ');
    pane.line(PASSWORD);
    await pane.waitFor('Name: ');
    pane.line('!!');
    await pane.waitFor('[exited 0]');
    expect(pane.screen()).toContain('kept apart: !!');
    expect(pane.screen()).not.toContain(PASSWORD);
  });
});
