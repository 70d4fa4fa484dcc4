/**
 * The state directory (where the seen file lives): created private, refused when another user
 * owns it or may write to it, with the command that fixes it.
 */
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, describe, expect, it } from 'vitest';
import { parleyError } from '../../src/errors.js';
import {
  parentProblem,
  prepareStateDirectory,
  stateDirectory,
  stateDirectoryProblem,
} from '../../src/store/state-dir.js';

const dirs: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-state-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const folder = (uid: number, mode: number) => ({ uid, mode, isDirectory: () => true });
const isRoot = process.getuid?.() === 0;

describe('stateDirectoryProblem', () => {
  it('accepts a folder of ours that only we may write to', () => {
    expect(stateDirectoryProblem('/s', folder(1000, 0o40700), 1000)).toBeUndefined();
    expect(stateDirectoryProblem('/s', folder(1000, 0o40755), 1000)).toBeUndefined();
  });

  it('refuses one that others may write to, with the chmod to run', () => {
    expect(stateDirectoryProblem('/s', folder(1000, 0o40777), 1000)).toBe(
      "the state directory /s is writable by every user (permissions 0777), who could change parley's record of seen messages; run: chmod 700 /s",
    );
    expect(stateDirectoryProblem('/s', folder(1000, 0o40770), 1000)).toBe(
      "the state directory /s is writable by your group (permissions 0770), who could change parley's record of seen messages; run: chmod 700 /s",
    );
    expect(stateDirectoryProblem('/tmp', folder(1000, 0o41777), 1000)).toContain(
      'writable by every user (permissions 1777)',
    );
  });

  it('refuses one that another user owns, or that is not a folder', () => {
    expect(stateDirectoryProblem('/s', folder(0, 0o40700), 1000)).toBe(
      "the state directory /s belongs to another user (uid 0), who could change parley's record of seen messages: remove it (parley creates it), or set PARLEY_STATE_DIR to a folder of your own",
    );
    expect(
      stateDirectoryProblem('/s', { uid: 1000, mode: 0o100600, isDirectory: () => false }, 1000),
    ).toBe(
      'the state directory /s is not a folder: remove it (parley creates it), or set PARLEY_STATE_DIR to a folder of your own',
    );
  });
});

describe('parentProblem: the folders above it, as ssh (StrictModes) checks them', () => {
  const tree =
    (over: Record<string, { uid: number; mode: number }>) =>
    (path: string): { uid: number; mode: number } =>
      over[path] ?? { uid: 0, mode: 0o40755 };

  it('accepts folders of ours or root, and /tmp-like folders with the sticky bit', () => {
    const facts = tree({
      '/home/al': { uid: 1000, mode: 0o40755 },
      '/tmp': { uid: 0, mode: 0o41777 },
    });
    expect(parentProblem('/home/al/.local/state/parley', 1000, facts)).toBeUndefined();
    expect(parentProblem('/tmp/s/parley', 1000, facts)).toBeUndefined();
  });

  it('refuses a folder above that every user may write to without the sticky bit', () => {
    const facts = tree({ '/srv/shared': { uid: 1000, mode: 0o40777 } });
    expect(parentProblem('/srv/shared/parley', 1000, facts)).toBe(
      'the state directory /srv/shared/parley is inside /srv/shared, which every user may write to (permissions 0777) and so replace it and what parley keeps there; run: chmod o-w /srv/shared, or set PARLEY_STATE_DIR to a folder of your own',
    );
  });

  it('refuses a folder above that its group may write to, unless sticky (issue 20, finding 5)', () => {
    const facts = tree({ '/home/al': { uid: 1000, mode: 0o40775 } });
    expect(parentProblem('/home/al/.local/state/parley', 1000, facts)).toBe(
      'the state directory /home/al/.local/state/parley is inside /home/al, which its group may write to (permissions 0775) and so replace it and what parley keeps there; run: chmod g-w /home/al, or set PARLEY_STATE_DIR to a folder of your own',
    );
    const sticky = tree({ '/srv/team': { uid: 0, mode: 0o41770 } });
    expect(parentProblem('/srv/team/al/parley', 1000, sticky)).toBeUndefined();
  });

  it('refuses a folder above that belongs to another user (not root)', () => {
    const facts = tree({ '/home/bo': { uid: 1001, mode: 0o40755 } });
    expect(parentProblem('/home/bo/parley', 1000, facts)).toBe(
      'the state directory /home/bo/parley is inside /home/bo, which belongs to another user (uid 1001), who could replace it and what parley keeps there: set PARLEY_STATE_DIR to a folder of your own',
    );
  });
});

describe('prepareStateDirectory', () => {
  it('refuses a state directory inside a folder every user may write to (no sticky bit)', () => {
    const open = temp();
    chmodSync(open, 0o777);
    const path = join(open, 'parley');
    expect(prepareStateDirectory(path)).toEqual(
      E.left(
        parleyError(
          'state_directory',
          expect.stringContaining(`is inside ${open}, which every user may write to`),
        ),
      ),
    );
    chmodSync(open, 0o1777);
    expect(prepareStateDirectory(path)).toEqual(E.right({ kind: 'ready', path }));
  });

  it('refuses one inside a folder its group may write to: another user of the group could swap it while parley runs (finding 5)', () => {
    const shared = temp();
    chmodSync(shared, 0o770);
    const path = join(shared, 'parley');
    expect(prepareStateDirectory(path)).toEqual(
      E.left(
        parleyError(
          'state_directory',
          expect.stringContaining(`is inside ${shared}, which its group may write to`),
        ),
      ),
    );
    chmodSync(shared, 0o750);
    expect(prepareStateDirectory(path)).toEqual(E.right({ kind: 'ready', path }));
  });

  it('checks the folders on the way to a link as well as those above its target', () => {
    const safe = temp();
    const target = join(safe, 'parley');
    mkdirSync(target, { mode: 0o700 });
    const shared = temp();
    chmodSync(shared, 0o770);
    const link = join(shared, 'state');
    symlinkSync(target, link);
    expect(prepareStateDirectory(link)).toEqual(
      E.left(
        parleyError(
          'state_directory',
          expect.stringContaining(`is inside ${shared}, which its group may write to`),
        ),
      ),
    );
    chmodSync(shared, 0o700);
    expect(prepareStateDirectory(link)).toEqual(E.right({ kind: 'ready', path: link }));
  });

  it('creates a missing folder 0700, parents included', () => {
    const path = join(temp(), 'state', 'parley');
    expect(prepareStateDirectory(path)).toEqual(E.right({ kind: 'ready', path }));
    expect(statSync(path).mode & 0o777).toBe(0o700);
  });

  it('refuses a folder anyone may write to', () => {
    const path = temp();
    chmodSync(path, 0o777);
    expect(prepareStateDirectory(path)).toEqual(
      E.left(
        parleyError(
          'state_directory',
          `the state directory ${path} is writable by every user (permissions 0777), who could change parley's record of seen messages; run: chmod 700 ${path}`,
        ),
      ),
    );
  });

  it('refuses a file where the folder should be', () => {
    const path = join(temp(), 'state');
    writeFileSync(path, '');
    expect(E.isLeft(prepareStateDirectory(path))).toBe(true);
  });

  it.skipIf(!isRoot)('refuses a folder another user owns (run as root: chown to nobody)', () => {
    const path = temp();
    chownSync(path, 65534, 65534);
    const prepared = prepareStateDirectory(path);
    expect(E.isLeft(prepared) && prepared.left.message).toContain(
      'belongs to another user (uid 65534)',
    );
  });

  it('is $PARLEY_STATE_DIR, else $XDG_STATE_HOME/parley, else ~/.local/state/parley', () => {
    expect(stateDirectory({ PARLEY_STATE_DIR: '/p', XDG_STATE_HOME: '/x' })).toBe('/p');
    expect(stateDirectory({ XDG_STATE_HOME: '/x' })).toBe('/x/parley');
    expect(stateDirectory({})).toMatch(/\/\.local\/state\/parley$/);
  });
});
