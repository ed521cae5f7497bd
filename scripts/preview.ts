import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { BUILD_DIR } from '../lib/build/functions.js';
import type { FunctionManifest } from '../lib/build/functions.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../lib/config/load.js';
import { deriveNames } from '../lib/config/names.js';
import { formatPreview, previewChangeSet } from '../lib/preview.js';
import { pipelineParameters } from '../lib/templates/parameters.js';
import { TEMPLATE_DIR } from '../lib/templates/validate.js';
import { PIPELINE_TEMPLATE } from '../lib/validate.js';
import { command, parseOptions, runIfEntryPoint } from './cli.js';
import type { CliIo } from './cli.js';

const USAGE = `Usage: npm run preview -- [--config <file>] [--markdown <file>] [--manifest <file>]
                         [--change-set-name <name>]

Shows what deploying this checkout would do to the deployed pipeline stack: creates a
CloudFormation change set with the config's parameters and the code keys of the last
\`npm run build\`, prints its changes, and deletes it (it is never executed). Uses the AWS
credentials and endpoint of the environment, in the config's region.
  --config <file>           the config (default: ${DEFAULT_CONFIG_FILE})
  --markdown <file>         also write the preview as Markdown, for a pull-request comment
  --manifest <file>         the build's manifest (default: build/functions/manifest.json)
  --change-set-name <name>  default: preview-<GITHUB_RUN_ID or the time>
Exit status: 0 previewed, 1 failed, 2 bad command line.`;

/** Thrown when the functions have not been built, so their code keys are unknown. */
export class NotBuiltError extends Error {
  override name = 'NotBuiltError';
}

/** Where `npm run build` writes the zips' keys. */
const MANIFEST_FILE = join(BUILD_DIR, 'manifest.json');

async function readManifest(file: string): Promise<FunctionManifest> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as FunctionManifest;
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new NotBuiltError(`${file} is missing: run npm run build first`, { cause: error });
    throw error;
  }
}

async function preview(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions(
    {
      config: { type: 'string', default: DEFAULT_CONFIG_FILE },
      markdown: { type: 'string' },
      manifest: { type: 'string', default: MANIFEST_FILE },
      'change-set-name': { type: 'string' },
    },
    argv,
  );
  const config = await loadConfig(options.config);
  const names = deriveNames(config);
  const manifest = await readManifest(options.manifest);
  const result = await previewChangeSet(
    new CloudFormationClient({
      region: config.region,
      ...(io.env.AWS_ENDPOINT_URL ? { endpoint: io.env.AWS_ENDPOINT_URL } : {}),
    }),
    {
      stackName: names.stack,
      templateBody: await readFile(join(TEMPLATE_DIR, PIPELINE_TEMPLATE), 'utf8'),
      parameters: pipelineParameters(config, names, {
        streaming: manifest.streaming.key,
        notification: manifest.notification.key,
      }),
      changeSetName:
        options['change-set-name'] ?? `preview-${io.env.GITHUB_RUN_ID ?? String(Date.now())}`,
    },
  );
  const markdown = formatPreview(result);
  if (options.markdown !== undefined) await writeFile(options.markdown, markdown);
  io.stdout(markdown);
  return 0;
}

/** `npm run preview`: a change-set preview of the pipeline stack; exit 0 previewed, 1 failed. */
export const main = command(USAGE, preview);

runIfEntryPoint(import.meta.url, main);
