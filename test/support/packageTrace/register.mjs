// Loaded with `node --import`: records every package a program imports (ESM `import`, static or
// dynamic) in the file PACKAGE_TRACE_FILE names, one bare specifier a line, for tests that check
// what a program loads at start.
import { register } from 'node:module';
import process from 'node:process';

register('./hooks.mjs', import.meta.url, { data: { file: process.env.PACKAGE_TRACE_FILE } });
