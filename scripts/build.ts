import { BUILD_DIR, buildFunctions } from '../lib/build/functions.js';
import { command, parseOptions, runIfEntryPoint } from './cli.js';
import type { CliIo } from './cli.js';

const USAGE = `Usage: npm run build -- [--out-dir <dir>] [--json]

Bundles each Lambda function (ESM, minified, for nodejs22.x) into build/functions/<name>-<hash>.zip
and writes build/functions/manifest.json.
  --out-dir <dir>  where the zips and manifest.json go (default: ${BUILD_DIR})
  --json           print the manifest as JSON instead of a table
Exit status: 0 built, 1 failed, 2 bad command line.`;

async function build(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions(
    {
      'out-dir': { type: 'string', default: BUILD_DIR },
      json: { type: 'boolean', default: false },
    },
    argv,
  );
  const manifest = await buildFunctions({ outDir: options['out-dir'] });
  if (options.json) {
    io.stdout(JSON.stringify(manifest, null, 2));
  } else {
    for (const [name, built] of Object.entries(manifest)) {
      io.stdout(`  ${name.padEnd(12)}  ${built.file}  ${(built.bytes / 1024).toFixed(1)} KiB`);
    }
  }
  return 0;
}

/** `npm run build`: bundles each function into a zip; exit 0 built, 1 failed, 2 bad command line. */
export const main = command(USAGE, build);

runIfEntryPoint(import.meta.url, main);
