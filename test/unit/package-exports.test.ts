/**
 * The package as another project installs it: `npm install <this folder>`, then both tiers
 * import by name through package.json `exports` — `parley` and `parley/protocol` — from the
 * built dist/ (npm test builds first), with named exports only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const app = mkdtempSync(join(tmpdir(), 'parley-consumer-'));
afterAll(() => rmSync(app, { recursive: true, force: true }));

it('installs from its folder; `parley` and `parley/protocol` import by name', () => {
  writeFileSync(join(app, 'package.json'), '{"name":"consumer","private":true,"type":"module"}');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', ROOT], {
    cwd: app,
    stdio: 'ignore',
    timeout: 60_000,
  });
  writeFileSync(
    join(app, 'main.js'),
    [
      "import { createNode, parley$, tcpTransport } from 'parley';",
      "import { runActor, responderLogic, decodeLine, Frame } from 'parley/protocol';",
      "import * as all from 'parley';",
      'const decoded = decodeLine(\'{"type":"bye"}\');',
      'console.log(JSON.stringify({',
      '  tier1: [typeof createNode, typeof parley$, typeof tcpTransport],',
      '  tier2: [typeof runActor, typeof responderLogic, typeof Frame.decode],',
      '  bye: decoded.right,',
      "  noDefault: !('default' in all),",
      '}));',
    ].join('\n'),
  );
  const out = execFileSync('node', ['main.js'], { cwd: app, encoding: 'utf8', timeout: 30_000 });
  expect(JSON.parse(out)).toEqual({
    tier1: ['function', 'function', 'function'],
    tier2: ['function', 'function', 'function'],
    bye: { type: 'bye' },
    noDefault: true,
  });
});
