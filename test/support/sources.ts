/** The TypeScript files below a folder, for the tests that read the source as text. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
