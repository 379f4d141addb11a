#!/usr/bin/env node
// nslab: the command line. The command tree and its error style are in program.ts.
import { runCli } from './program.js';

// `nslab container ls | head`: a reader that leaves early is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? process.exit() : undefined));
process.exitCode = await runCli(process.argv.slice(2));
