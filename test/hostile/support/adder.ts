/**
 * Adds contacts to a directory file as fast as it can, the way /add does, printing the count
 * after each: the test kills it (SIGKILL) at random moments and then reads the file.
 */
import { readFileSync } from 'node:fs';
import { addContactToFile } from '../../../src/cli/directory-file.js';

const [path] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: adder.ts DIRECTORY_FILE');

// Go on numbering from what the file holds, so that every run adds new names.
const start = (JSON.parse(readFileSync(path, 'utf8')) as unknown[]).length;
for (let i = start; i < start + 10_000; i++) {
  const added = await addContactToFile(path, {
    username: `contact${i}`,
    password: `secret ${i}`,
    port: 6000 + (i % 1000),
    ip: '127.0.0.1',
  });
  if (added._tag === 'Left') throw new Error(added.left.message);
  process.stdout.write(`${i}\n`);
}
