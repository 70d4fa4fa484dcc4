#!/usr/bin/env node
/**
 * The `parley` command. Everything it does is in src/cli; this only runs it.
 */
import { run } from './cli/run.js';

process.exitCode = await run(process.argv.slice(2));
