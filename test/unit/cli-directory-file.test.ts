/**
 * The directory file on disk: loading with its errors and warning, and the atomic rewrite
 * that /add does.
 */
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addContactToFile,
  editContactInFile,
  loadDirectoryFile,
  permissionProblem,
  permissionWarning,
  sharedPasswordWarnings,
  writeFileAtomically,
} from '../../src/cli/directory-file.js';
import type { Directory } from '../../src/codecs/directory.js';
import type { ParleyError } from '../../src/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-dir-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string, mode = 0o600) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
};

const failure = <T>(e: E.Either<ParleyError, T>): ParleyError => {
  if (E.isRight(e)) throw new Error('expected a failure');
  return e.left;
};
const left = <T>(e: E.Either<ParleyError, T>): string => failure(e).message;
const codeOf = <T>(e: E.Either<ParleyError, T>): string => failure(e).code;

const BOB = '{"username":"bob","password":"pw","port":5002,"ip":"127.0.0.1"}';

describe('loadDirectoryFile', () => {
  it('loads a private file without warnings', () => {
    const path = write('a.json', `[${BOB}]`);
    const loaded = loadDirectoryFile(path);
    expect(E.isRight(loaded) && loaded.right).toMatchObject({
      directory: [{ username: 'bob', port: 5002 }],
      warnings: [],
    });
  });

  it('says what is wrong: missing, a folder, invalid JSON with line and column, a duplicate', () => {
    expect(left(loadDirectoryFile(join(dir, 'nope.json')))).toBe(
      `directory file ${join(dir, 'nope.json')}: no such file`,
    );
    expect(left(loadDirectoryFile(dir))).toBe(
      `directory file ${dir}: that is a folder, not a file`,
    );
    const broken = write('broken.json', `[\n  ${BOB},\n  {"username": "carol",}\n]`);
    expect(left(loadDirectoryFile(broken))).toBe(
      `${broken}: invalid JSON at line 3, column 24: a field name in double quotes was expected`,
    );
    const twice = write('twice.json', `[${BOB},${BOB}]`);
    expect(left(loadDirectoryFile(twice))).toBe(
      `${twice}: entry 2 (bob): username 'bob' is already used by entry 1`,
    );
  });

  it('gives each failure a code a program can switch on', () => {
    expect(codeOf(loadDirectoryFile(join(dir, 'nope.json')))).toBe('directory_file');
    expect(codeOf(loadDirectoryFile(write('broken.json', '[oops')))).toBe('invalid_json');
    expect(codeOf(loadDirectoryFile(write('twice.json', `[${BOB},${BOB}]`)))).toBe(
      'invalid_directory',
    );
    expect(codeOf(loadDirectoryFile(write('world.json', `[${BOB}]`, 0o666)))).toBe(
      'directory_file',
    );
  });

  it('warns, as ssh does, when others may read the passwords', () => {
    const path = write('open.json', `[${BOB}]`, 0o644);
    const loaded = loadDirectoryFile(path);
    expect(E.isRight(loaded) && loaded.right.warnings).toEqual([
      `warning: ${path} is open to other users (permissions 0644) and it holds your passwords; run: chmod 600 ${path}`,
    ]);
    expect(permissionWarning('f', 0o100640)).toBe(
      'warning: f is open to your group (permissions 0640) and it holds your passwords; run: chmod 600 f',
    );
    expect(permissionWarning('f', 0o100600)).toBeUndefined();
  });

  it('refuses, as ssh does, a file others may write, with the chmod to run', () => {
    const world = write('world.json', `[${BOB}]`, 0o666);
    expect(left(loadDirectoryFile(world))).toBe(
      `${world} is writable by every user (permissions 0666), who could change where your contacts are; parley will not use it until only you can: run: chmod 600 ${world}`,
    );
    const group = write('group.json', `[${BOB}]`, 0o620);
    expect(left(loadDirectoryFile(group))).toBe(
      `${group} is writable by your group (permissions 0620), who could change where your contacts are; parley will not use it until only you can: run: chmod 600 ${group}`,
    );
    expect(permissionProblem('f', 0o100644)).toBeUndefined();
    expect(permissionProblem('f', 0o100602)).toContain('writable by every user');
  });
});

describe('sharedPasswordWarnings', () => {
  const entry = (username: string, password: string) =>
    ({ username, password, port: 5000, ip: '127.0.0.1' }) as unknown as Directory[number];

  it('names the contacts that share a password, never the password', () => {
    const directory = [
      entry('bob', 'pw-1'),
      entry('carol', 'pw-2'),
      entry('dave', 'pw-1'),
      entry('erin', 'pw-3'),
      entry('frank', 'pw-3'),
      entry('grace', 'pw-3'),
    ] as unknown as Directory;
    const warnings = sharedPasswordWarnings(directory, 'f.json');
    expect(warnings).toEqual([
      'warning: bob and dave share one password in f.json: each of them could pretend to be the other to you; give every contact a password of its own',
      'warning: erin, frank and grace share one password in f.json: each of them could pretend to be any of the others to you; give every contact a password of its own',
    ]);
    expect(warnings.join('')).not.toContain('pw-');
  });

  it('says nothing when every contact has its own', () => {
    const directory = [entry('bob', 'one'), entry('carol', 'One')] as unknown as Directory;
    expect(sharedPasswordWarnings(directory, 'f.json')).toEqual([]);
  });
});

describe('addContactToFile', () => {
  const carol = { username: 'carol', password: 'c', port: 5003, ip: '127.0.0.1' };

  it('appends the contact, keeping unknown fields, their order, and the file mode', async () => {
    const original =
      '[{"note":"met at the course","username":"bob","password":"pw","port":"5002","ip":"127.0.0.1","colour":"blue"}]';
    const path = write('a.json', original, 0o640);
    const added = await addContactToFile(path, carol);
    expect(E.isRight(added) && added.right.map((c) => c.username)).toEqual(['bob', 'carol']);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual([
      {
        note: 'met at the course',
        username: 'bob',
        password: 'pw',
        port: 5002,
        ip: '127.0.0.1',
        colour: 'blue',
      },
      carol,
    ]);
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8'))[0])).toEqual([
      'note',
      'username',
      'password',
      'port',
      'ip',
      'colour',
    ]);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('reads the file again first, so edits made since start-up are kept', async () => {
    const path = write('a.json', '[]');
    writeFileSync(path, `[${BOB}]`);
    await addContactToFile(path, carol);
    expect(
      JSON.parse(readFileSync(path, 'utf8')).map((c: { username: string }) => c.username),
    ).toEqual(['bob', 'carol']);
  });

  it('refuses a username already there, and a file broken since, leaving it as it was', async () => {
    const path = write('a.json', `[${BOB}]`);
    expect(failure(await addContactToFile(path, { ...carol, username: 'bob' }))).toEqual({
      code: 'contact_exists',
      message: 'bob is already in the directory',
    });
    writeFileSync(path, '[oops');
    expect(left(await addContactToFile(path, carol))).toContain('invalid JSON at line 1, column 2');
    expect(readFileSync(path, 'utf8')).toBe('[oops');
  });

  it('writes through a symbolic link, which stays a link', async () => {
    const real = write('real.json', `[${BOB}]`);
    const link = join(dir, 'link.json');
    symlinkSync(real, link);
    await addContactToFile(link, carol);
    expect(readFileSync(real, 'utf8')).toContain('carol');
    expect(readdirSync(dir).sort()).toEqual(['link.json', 'real.json']);
  });
});

describe('editContactInFile', () => {
  const original =
    '[{"note":"met at the course","username":"bob","password":"old","port":"5002","ip":"127.0.0.1","colour":"blue"},' +
    '{"username":"carol","password":"c","port":5003,"ip":"10.0.0.3"}]';

  it('changes only the fields given, keeping unknown fields, their order, the others and the mode', async () => {
    const path = write('a.json', original, 0o640);
    const edited = await editContactInFile(path, 'bob', { password: 'new', port: 6002 });
    expect(E.isRight(edited) && edited.right[0]).toMatchObject({ password: 'new', port: 6002 });
    const written = JSON.parse(readFileSync(path, 'utf8'));
    expect(written).toEqual([
      {
        note: 'met at the course',
        username: 'bob',
        password: 'new',
        port: 6002,
        ip: '127.0.0.1',
        colour: 'blue',
      },
      { username: 'carol', password: 'c', port: 5003, ip: '10.0.0.3' },
    ]);
    expect(Object.keys(written[0])).toEqual([
      'note',
      'username',
      'password',
      'port',
      'ip',
      'colour',
    ]);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('reads the file again first: a contact removed since is said, and nothing is written', async () => {
    const path = write('a.json', original);
    writeFileSync(path, '[{"username":"carol","password":"c","port":5003,"ip":"10.0.0.3"}]');
    expect(failure(await editContactInFile(path, 'bob', { ip: '10.0.0.9' }))).toEqual({
      code: 'no_contact',
      message: 'bob is no longer in the directory',
    });
    writeFileSync(path, '[oops');
    expect(left(await editContactInFile(path, 'carol', { ip: '10.0.0.9' }))).toContain(
      'invalid JSON at line 1, column 2',
    );
    expect(readFileSync(path, 'utf8')).toBe('[oops');
  });
});

describe('writeFileAtomically', () => {
  it('creates a new file private to its owner', async () => {
    const path = join(dir, 'new.json');
    await writeFileAtomically(path, '[]\n');
    expect(readFileSync(path, 'utf8')).toBe('[]\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('leaves no temporary file behind when it cannot write', async () => {
    await expect(
      writeFileAtomically(join(dir, 'no-such-folder', 'x.json'), '[]'),
    ).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });
});
