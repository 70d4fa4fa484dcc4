import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  type Directory,
  type DirectoryError,
  findContact,
  parseDirectory,
  serialiseDirectory,
} from '../../src/codecs/directory.js';

const SECRET = 'hunter2-do-not-print';

const entry = (fields: Record<string, unknown> = {}) => ({
  username: 'alice',
  password: SECRET,
  port: 5001,
  ip: '127.0.0.1',
  ...fields,
});

const parse = (value: unknown): E.Either<DirectoryError, Directory> =>
  parseDirectory(JSON.stringify(value), 'contacts.json');

const parsed = (value: unknown): Directory => {
  const result = parse(value);
  if (E.isLeft(result)) throw new Error(result.left.message);
  return result.right;
};

const invalidDirectory = (message: string) =>
  E.left({ code: 'invalid_directory', message: `contacts.json: ${message}` });

const invalidJson = (message: string) =>
  E.left({ code: 'invalid_json', message: `contacts.json: invalid JSON at ${message}` });

describe('parseDirectory: valid files', () => {
  it('reads a port written as a number or as a decimal string, as a number', () => {
    const dir = parsed([entry(), entry({ username: 'bob', port: '5002', ip: 'bob.example' })]);
    expect(dir).toEqual([entry(), entry({ username: 'bob', port: 5002, ip: 'bob.example' })]);
  });

  it('accepts an empty list', () => {
    expect(parseDirectory('[]\n')).toEqual(E.right([]));
  });

  it('keeps the order of the entries', () => {
    const names = ['zoe', 'alice', 'mallory', 'bob'];
    const dir = parsed(names.map((username) => entry({ username })));
    expect(dir.map((e) => e.username)).toEqual(names);
  });

  it.each(['::1', 'fe80::1', '10.0.0.7', 'localhost', 'peer-2.lan'])('accepts the ip %s', (ip) => {
    expect(E.isRight(parse([entry({ ip })]))).toBe(true);
  });

  it('accepts the edges: port 1 and 65535, a 64-character username, a 1024-character password', () => {
    const dir = [
      entry({ port: 1 }),
      entry({ username: 'b'.repeat(64), port: '65535', password: 'p'.repeat(1024) }),
      entry({ username: '😀'.repeat(64), password: 'x' }),
    ];
    expect(E.isRight(parse(dir))).toBe(true);
  });

  it('ignores a leading byte order mark, as some editors write one', () => {
    expect(parseDirectory(`\uFEFF${JSON.stringify([entry()])}`)).toEqual(E.right([entry()]));
  });
});

describe('serialiseDirectory', () => {
  it('keeps unknown fields and their order, and writes the port as a number', () => {
    const text =
      '[{"ip":"10.0.0.2","nickname":"Bobby","username":"bob","port":"5002",' +
      '"password":"pw","extra":{"keep":[1,2]}}]';
    const dir = parseDirectory(text);
    expect(E.map(serialiseDirectory)(dir)).toEqual(
      E.right(`[
  {
    "ip": "10.0.0.2",
    "nickname": "Bobby",
    "username": "bob",
    "port": 5002,
    "password": "pw",
    "extra": {
      "keep": [
        1,
        2
      ]
    }
  }
]
`),
    );
  });

  it('reads back what it wrote', () => {
    const dir = parsed([
      entry({ note: 'met at the course' }),
      entry({ username: 'bob', port: '7' }),
    ]);
    expect(parseDirectory(serialiseDirectory(dir))).toEqual(E.right(dir));
  });

  it('writes an empty directory as an empty list', () => {
    expect(serialiseDirectory(parsed([]))).toBe('[]\n');
  });
});

describe('findContact', () => {
  const dir = parsed([entry(), entry({ username: 'bob', port: 5002 })]);

  it('finds a contact by its exact username', () => {
    expect(findContact(dir, 'bob')?.port).toBe(5002);
  });

  it('finds nothing for an unknown or differently cased username', () => {
    expect(findContact(dir, 'carol')).toBeUndefined();
    expect(findContact(dir, 'Bob')).toBeUndefined();
  });
});

describe('parseDirectory: invalid JSON, located by line and column', () => {
  it('names the line and column of a missing comma', () => {
    const text = [
      '[',
      '  {"username": "alice", "password": "pw", "port": 5001, "ip": "127.0.0.1"},',
      '  {"username": "bob" "password": "pw"}',
      ']',
    ].join('\n');
    expect(parseDirectory(text, 'contacts.json')).toEqual(
      invalidJson("line 3, column 22: a ',' was expected"),
    );
  });

  it('locates an unexpected token without quoting the text around it', () => {
    const text = `[\n  {"username": "bob", "password": "${SECRET}", "port": ,}\n]`;
    expect(parseDirectory(text, 'contacts.json')).toEqual(
      invalidJson('line 2, column 67: a value was expected'),
    );
  });

  it('reports a trailing comma, an empty file and a file cut short', () => {
    expect(parseDirectory('[\n  1,\n]', 'contacts.json')).toEqual(
      invalidJson('line 3, column 1: a value was expected'),
    );
    expect(parseDirectory('', 'contacts.json')).toEqual(
      invalidJson('line 1, column 1: the file ends too early'),
    );
    expect(parseDirectory('[\n  {"username": "bob"', 'contacts.json')).toEqual(
      invalidJson('line 2, column 21: the file ends too early'),
    );
  });

  it.each([
    ['[{"a" 1}]', "line 1, column 7: a ':' was expected"],
    ['[1 2]', "line 1, column 4: a ',' was expected"],
    ['{"a":1,}', 'line 1, column 8: a field name in double quotes was expected'],
    ['[1] x', 'line 1, column 5: unexpected character'],
    ['[[]]]', 'line 1, column 5: unexpected text after the end'],
    ['  [\n 1,\n 2\n x]', 'line 4, column 2: unexpected character'],
    ['// a comment\n[]', 'line 1, column 1: comments are not allowed in JSON'],
  ])('locates the fault in %j', (text, where) => {
    expect(parseDirectory(text, 'contacts.json')).toEqual(invalidJson(where));
  });
});

describe('parseDirectory: invalid contacts, with the exact sentence', () => {
  it('wants a list at the top', () => {
    expect(parse({ username: 'bob' })).toEqual(
      invalidDirectory(
        'expected a JSON list of contacts [{username, password, port, ip}, …], got an object',
      ),
    );
    expect(parse('bob')).toEqual(
      invalidDirectory(
        'expected a JSON list of contacts [{username, password, port, ip}, …], got a string',
      ),
    );
  });

  it('wants each entry to be an object', () => {
    expect(parse([entry(), ['bob', SECRET]])).toEqual(
      invalidDirectory('entry 2: expected an object {username, password, port, ip}, got a list'),
    );
  });

  it('names a missing field', () => {
    const { username: _, ...nameless } = entry();
    expect(parse([entry(), nameless])).toEqual(
      invalidDirectory("entry 2: field 'username' is missing"),
    );
    const { ip: __, ...homeless } = entry({ username: 'bob' });
    expect(parse([homeless])).toEqual(invalidDirectory("entry 1 (bob): field 'ip' is missing"));
  });

  it('names the entry and the username of a bad port', () => {
    const dir = [entry(), entry({ username: 'carol' }), entry({ username: 'bob', port: 'abc' })];
    expect(parse(dir)).toEqual(
      invalidDirectory("entry 3 (bob): port 'abc' is not a number between 1 and 65535"),
    );
  });

  it.each([
    [0, '0'],
    [65536, '65536'],
    ['12a', "'12a'"],
    [1.5, '1.5'],
    ['5e3', "'5e3'"],
    [' 5001', "' 5001'"],
    ['+5001', "'+5001'"],
    ['-1', "'-1'"],
    ['', "''"],
    [true, 'true'],
    [null, 'null'],
  ])('rejects the port %j', (port, shown) => {
    expect(parse([entry({ username: 'bob', port })])).toEqual(
      invalidDirectory(`entry 1 (bob): port ${shown} is not a number between 1 and 65535`),
    );
  });

  it('rejects a username with a control character, or of 65 characters', () => {
    expect(parse([entry({ username: 'bo\u0007b' })])).toEqual(
      invalidDirectory(
        "entry 1: username 'bo\\u0007b' is not a username (1–64 characters, no control characters)",
      ),
    );
    expect(parse([entry({ username: 'b'.repeat(65) })])).toEqual(
      invalidDirectory(
        `entry 1: username '${'b'.repeat(40)}…' is not a username (1–64 characters, no control characters)`,
      ),
    );
    expect(parse([entry({ username: '' })])).toEqual(
      invalidDirectory(
        "entry 1: username '' is not a username (1–64 characters, no control characters)",
      ),
    );
  });

  it('rejects a bad password without ever showing it', () => {
    expect(parse([entry({ password: '' })])).toEqual(
      invalidDirectory('entry 1 (alice): password must be 1–1024 characters'),
    );
    expect(parse([entry({ password: SECRET.repeat(100) })])).toEqual(
      invalidDirectory('entry 1 (alice): password must be 1–1024 characters'),
    );
    expect(parse([entry({ password: 123456 })])).toEqual(
      invalidDirectory('entry 1 (alice): password must be a string of 1–1024 characters'),
    );
  });

  it.each([
    ['', "''"],
    ['not a host!', "'not a host!'"],
    ['[::1]', "'[::1]'"],
    [7, '7'],
  ])('rejects the ip %j', (ip, shown) => {
    expect(parse([entry({ ip })])).toEqual(
      invalidDirectory(`entry 1 (alice): ip ${shown} is not a host name or an IP address`),
    );
  });

  it('rejects a username used twice, blaming the second entry', () => {
    const dir = ['bob', 'alice', 'carol', 'bob'].map((username) => entry({ username }));
    expect(parse(dir)).toEqual(
      invalidDirectory("entry 4 (bob): username 'bob' is already used by entry 1"),
    );
  });

  it('reports the first problem, in file order', () => {
    const dir = [entry({ port: 0 }), entry({ username: 'alice', ip: '' })];
    expect(parse(dir)).toEqual(
      invalidDirectory('entry 1 (alice): port 0 is not a number between 1 and 65535'),
    );
  });
});

describe('parseDirectory: a password never appears in an error message', () => {
  const broken = [
    JSON.stringify([entry({ password: `${SECRET}\u0000` })]).replace('\\u0000', '\u0000'),
    `[{"username": "alice", "password": "${SECRET}" x}]`,
    `[{"username": "alice", "password": "${SECRET}", }]`,
    `[{"username": "alice", "password": "${SECRET}", "port": }]`,
    `[{"username": "alice", "password": ${SECRET}}]`,
    `[{"username": "alice", "password": "${SECRET}"`,
    `{"username": "alice", "password": "${SECRET}"}`,
    JSON.stringify([entry({ port: 'x' })]),
    JSON.stringify([entry({ ip: '' })]),
    JSON.stringify([entry({ username: 'x'.repeat(65) })]),
    JSON.stringify([entry({ password: SECRET.repeat(100) })]),
    JSON.stringify([entry({ password: [SECRET] })]),
    JSON.stringify([entry(), entry()]),
  ];

  it.each(broken)('in broken file %#', (text) => {
    const result = parseDirectory(text, 'contacts.json');
    expect(E.isLeft(result)).toBe(true);
    expect(E.isLeft(result) && result.left.message).not.toContain('hunter2');
  });
});
