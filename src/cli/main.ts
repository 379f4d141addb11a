#!/usr/bin/env node
// nslab: the command line. The command tree and its error style are in program.ts.
import module from 'node:module';

// Node >= 22.1 keeps V8's compiled code of the bundle between runs (Node 20 has no such
// cache: the call is skipped). Enabled before the program is imported, or it would not apply.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { runCli } = await import('./program.js');

// `nslab container ls | head`: a reader that leaves early is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? process.exit() : undefined));
process.exitCode = await runCli(process.argv.slice(2));
