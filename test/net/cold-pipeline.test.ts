/**
 * README's cold-pipeline snippet is examples/cold-pipeline.ts's, word for word, and runs: the
 * suite type-checks the file (tsconfig includes examples/) and this runs it against bob.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, take } from 'rxjs';
import { afterEach, expect, it } from 'vitest';
import { runColdPipeline } from '../../examples/cold-pipeline.js';
import { messageJob, readDirectoryFile } from '../../src/index.js';
import type { ParleyNode } from '../../src/node/node.js';
import { directoryOf, LOCALHOST, startNode } from '../support/nodes.js';

const SECRET = 'correct horse battery staple';
const nodes: ParleyNode[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cold-'));
  dirs.push(dir);
  return dir;
};

/** The lines between the markers, without the function body's indentation. */
const snippet = (source: string): string => {
  const lines = source.split('\n');
  const from = lines.findIndex((l) => l.includes('#region readme'));
  const to = lines.findIndex((l) => l.includes('#endregion readme'));
  return lines
    .slice(from + 1, to)
    .map((l) => l.replace(/^ {2}/, ''))
    .join('\n');
};

it("README's snippet is the example's, and the example delivers", async () => {
  const example = readFileSync(new URL('../../examples/cold-pipeline.ts', import.meta.url), 'utf8');
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  expect(readme).toContain(snippet(example));

  const bob = await startNode({
    name: 'bob',
    directory: directoryOf([{ username: 'alice', password: SECRET, port: 1 }]),
  });
  nodes.push(bob);
  const file = join(folder(), 'alice.json');
  writeFileSync(
    file,
    JSON.stringify([{ username: 'bob', password: SECRET, ip: LOCALHOST, port: bob.port }]),
  );
  chmodSync(file, 0o600);
  const received = firstValueFrom(bob.received$.pipe(take(1)));
  const outcome = await runColdPipeline(file, {
    username: 'bob',
    host: LOCALHOST,
    port: bob.port,
    secret: SECRET,
  });
  expect(outcome).toBe('delivered');
  expect((await received).text).toBe('hi bob');
});

it('readDirectoryFile: a ParleyError (directory_file) naming the file; a file others may write is refused', () => {
  const dir = folder();
  const open = join(dir, 'open.json');
  writeFileSync(open, '[]');
  chmodSync(open, 0o666);
  const refused = readDirectoryFile(open);
  expect(refused._tag === 'Left' && refused.left).toEqual({
    code: 'directory_file',
    message: expect.stringContaining(`${open} is writable by every user`),
  });
  expect(readDirectoryFile(join(dir, 'none.json'))).toEqual({
    _tag: 'Left',
    left: {
      code: 'directory_file',
      message: `directory file ${join(dir, 'none.json')}: no such file`,
    },
  });
});

it('a job names its destination in full: a contact name does not type-check', () => {
  const made = messageJob(
    1,
    // @ts-expect-error: only node.send looks a name up; a job carries the destination itself.
    { to: 'bob', text: 'hi' },
    { group: 'x25519', newMsgId: () => '0b3c6e3a-8d1f-4a5e-9c2b-7f6a5d4c3b2a' },
  );
  // And should one get through (plain JavaScript), it is a Left with the reason, not a job.
  expect(made._tag).toBe('Left');
});
