/**
 * A receiving parley node in a process of its own, so that a test can SIGKILL it: bob, who
 * knows alice, with his dedupe memory in a file. Usage:
 *   node --import tsx test/hostile/support/receiver.ts <seen-file> <alice's secret> [sink]
 * It prints one JSON line per event: listening (with its port), then each incoming outcome.
 * With `sink`, each message is also printed by the node's `deliver` (`shown`) before it is
 * recorded and acked, as `listen` does; with `die-after-showing`, it is killed (SIGKILL) right
 * after that line went out: shown, never recorded.
 */
import { createNode } from '../../../src/node/node.js';
import { memoryStore } from '../../../src/store/memory.js';
import { createSeenFile } from '../../../src/store/seen-file.js';
import { directoryOf } from '../../support/nodes.js';

const [seenFile, secret, sink] = process.argv.slice(2);
if (seenFile === undefined || secret === undefined) {
  process.stderr.write('usage: receiver.ts <seen-file> <secret>\n');
  process.exit(2);
}

// Synchronous on a pipe (Linux): a line printed is out before the next statement runs.
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const node = await createNode({
  name: 'bob',
  host: '127.0.0.1',
  port: 0,
  ports: { store: memoryStore({ dedupe: createSeenFile(seenFile) }) },
  deliver:
    sink === undefined
      ? undefined
      : (m) => {
          say({ kind: 'shown', msgId: m.msgId, text: m.text });
          if (sink === 'die-after-showing') process.kill(process.pid, 'SIGKILL');
        },
  directory: directoryOf([{ username: 'alice', password: secret, port: 1 }]),
});
node.events$.subscribe((e) => {
  if (e.kind !== 'incoming') return;
  const { event } = e;
  if (event.kind === 'received') {
    say({ kind: 'received', msgId: event.message.msgId, text: event.message.text });
  } else if (event.kind === 'duplicate') {
    say({ kind: 'duplicate', msgId: event.msgId });
  } else {
    say({ kind: event.kind });
  }
});
say({ kind: 'listening', port: node.port });
process.once('SIGTERM', () => void node.close().then(() => process.exit(0)));
