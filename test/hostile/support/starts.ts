/**
 * Many real processes started at once: each a support script bundled to plain JavaScript
 * (50 starts under a TypeScript loader would take minutes), waiting at a barrier
 * (barrier.ts) until every one is ready, then told `go` together. Every wait is bounded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

/** `script` (a .ts beside this file) bundled into `dir`; the path of the result. */
export const bundled = (script: string, dir: string): string => {
  const outfile = join(dir, script.replace(/\.ts$/, '.mjs'));
  buildSync({
    entryPoints: [new URL(`./${script}`, import.meta.url).pathname],
    bundle: true,
    platform: 'node',
    format: 'esm',
    // ES modules first: a UMD build (jsonc-parser's) requires its parts dynamically.
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'error',
  });
  return outfile;
};

interface Start {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Resolves once it has said `count` lines (bounded). */
  readonly said: (count: number) => Promise<void>;
}

const startOne = (
  children: Set<ChildProcess>,
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Start => {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env,
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const lines: string[] = [];
  let pending = '';
  const waiters: (() => void)[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (pending + chunk.toString()).split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  const said = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`a start said ${lines.join('|')}`)), 60_000);
      const check = () => {
        if (lines.length >= count) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  return { child, lines, said };
};

/**
 * Start one process per entry of `argsOf`, tell them `go` together once all are ready, and
 * return what each said it got (parsed), after all have ended.
 */
export const startAtOnce = async (
  children: Set<ChildProcess>,
  script: string,
  argsOf: readonly (readonly string[])[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<unknown[]> => {
  const starts = argsOf.map((args) => startOne(children, script, args, env));
  await Promise.all(starts.map((s) => s.said(1)));
  for (const s of starts) s.child.stdin?.write('go\n');
  await Promise.all(starts.map((s) => s.said(2)));
  const results = starts.map((s) => JSON.parse(s.lines[1] ?? 'null') as unknown);
  const exited = starts.map((s) =>
    s.child.exitCode === null ? new Promise((resolve) => s.child.once('exit', resolve)) : null,
  );
  for (const s of starts) s.child.stdin?.end();
  await Promise.all(exited);
  return results;
};
