import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { buildFunctions, HANDLER_FILE } from '../../lib/build/functions.js';
import type { FunctionName } from '../../lib/build/functions.js';
import { spreadOf } from './measure.js';
import type { Spread } from './measure.js';

const run = promisify(execFile);

/** Size and load time of one function's bundle, against loading its SDK clients unbundled. */
export interface BundleMeasure {
  function: FunctionName;
  zipBytes: number;
  bundleBytes: number;
  /** Time to import the bundle in a fresh Node process, over `runs` processes. */
  loadMs: Spread;
  /** Time to import the same SDK clients and zod from node_modules, unbundled. */
  unbundledLoadMs: Spread;
}

const PACKAGES: Record<FunctionName, string[]> = {
  streaming: ['@aws-sdk/client-dynamodb', '@aws-sdk/client-firehose', 'zod'],
  notification: ['@aws-sdk/client-sns', 'zod'],
};

const ENV = {
  TABLE_NAME: 'bench-table',
  DELIVERY_STREAM_NAME: 'bench-stream',
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:000000000000:bench-topic',
  OWNER_NAME: 'Bench Mark',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
};

/** Milliseconds a fresh Node process spends importing `specifiers` (ESM), measured inside it. */
async function loadMs(specifiers: string[], cwd: string): Promise<number> {
  const imports = specifiers
    .map((specifier) => `await import(${JSON.stringify(specifier)});`)
    .join('');
  const script = `const t = performance.now(); ${imports} console.log(performance.now() - t);`;
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '--no-warnings', '--eval', script],
    {
      cwd,
      env: { PATH: process.env.PATH, ...ENV },
    },
  );
  return Number(stdout.trim());
}

/** Builds both functions into a temporary folder and loads each bundle in `runs` fresh processes. */
export async function measureBundles(runs = 5): Promise<BundleMeasure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-bundle-'));
  try {
    const manifest = await buildFunctions({ outDir: dir });
    const measures: BundleMeasure[] = [];
    for (const name of Object.keys(manifest) as FunctionName[]) {
      const zip = await readFile(manifest[name].file);
      const code = unzipSync(zip)[HANDLER_FILE]!;
      const file = join(dir, `${name}.mjs`);
      await writeFile(file, code);
      const bundled: number[] = [];
      const unbundled: number[] = [];
      for (let index = 0; index < runs; index++) {
        bundled.push(await loadMs([pathToFileURL(file).href], dir));
        unbundled.push(await loadMs(PACKAGES[name], process.cwd()));
      }
      measures.push({
        function: name,
        zipBytes: zip.length,
        bundleBytes: code.length,
        loadMs: spreadOf(bundled),
        unbundledLoadMs: spreadOf(unbundled),
      });
    }
    return measures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
