import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import SummaryReporter from './test/support/summary-reporter.js';

export default defineConfig({
  resolve: {
    // The examples import the package by name, as its users do.
    alias: [
      {
        find: /^parley\/protocol$/,
        replacement: fileURLToPath(new URL('./src/protocol.ts', import.meta.url)),
      },
      { find: /^parley$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', new SummaryReporter()],
    testTimeout: 20_000,
  },
});
