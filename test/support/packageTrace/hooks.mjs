// Module resolution hooks (run in Node's hooks thread) behind register.mjs.
import { appendFileSync } from 'node:fs';

let file;

/** Receives the trace file's path from register.mjs. */
export function initialize(data) {
  file = data.file;
}

/** Resolves as Node would, writing down each bare specifier (a package, not a file or builtin). */
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (file && !/^(\.|\/|node:|file:|data:)/.test(specifier) && !resolved.url.startsWith('node:'))
    appendFileSync(file, `${specifier}\n`);
  return resolved;
}
