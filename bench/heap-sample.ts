/**
 * Where a process's live JS heap is, by allocation site: V8's sampling heap profiler through
 * the inspector, in the process itself. Only what is still alive when asked is counted, so
 * holding connections open and asking tells what each connection keeps.
 */
import { Session } from 'node:inspector/promises';

interface SampleNode {
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly selfSize: number;
  readonly children: readonly SampleNode[];
}

export interface Site {
  /** The allocating function, then its callers, innermost first. */
  readonly stack: string;
  readonly bytes: number;
}

const session = new Session();
let started = false;

const frameName = (node: SampleNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.split('/').slice(-2).join('/');
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
};

/** Live bytes by the innermost `depth` frames of their allocation stack. */
export const liveBySite = (root: SampleNode, depth: number): Site[] => {
  const sites = new Map<string, number>();
  const walk = (node: SampleNode, callers: readonly string[]) => {
    const stack = [frameName(node), ...callers];
    if (node.selfSize > 0) {
      const key = stack.slice(0, depth).join(' < ');
      sites.set(key, (sites.get(key) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, stack);
  };
  walk(root, []);
  return [...sites].map(([stack, bytes]) => ({ stack, bytes })).sort((a, b) => b.bytes - a.bytes);
};

/** Start sampling every `intervalBytes` of allocation; earlier allocations are not seen. */
export const startHeapSampling = async (intervalBytes = 256): Promise<void> => {
  if (!started) session.connect();
  started = true;
  await session.post('HeapProfiler.startSampling', { samplingInterval: intervalBytes });
};

/** The live sampled heap now, by site, and stop sampling. */
export const takeHeapSample = async (depth: number): Promise<{ total: number; sites: Site[] }> => {
  const { profile } = await session.post('HeapProfiler.getSamplingProfile');
  await session.post('HeapProfiler.stopSampling');
  const sites = liveBySite(profile.head as unknown as SampleNode, depth);
  return { total: sites.reduce((n, s) => n + s.bytes, 0), sites };
};
