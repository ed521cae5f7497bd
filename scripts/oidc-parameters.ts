import { DEFAULT_CONFIG_FILE, loadConfig } from '../lib/config/load.js';
import { deriveNames } from '../lib/config/names.js';
import { oidcParameters } from '../lib/templates/parameters.js';
import { command, parseOptions, runIfEntryPoint } from './cli.js';
import type { CliIo } from './cli.js';

const USAGE = `Usage: npm run --silent oidc-parameters -- [--config <file>] [--repository <owner/name>]

Prints the parameters of cloudformation/github-oidc.yaml as Key=Value pairs, the form
\`aws cloudformation deploy --parameter-overrides\` takes (README: Deploying to AWS).
  --config <file>             the config (default: ${DEFAULT_CONFIG_FILE})
  --repository <owner/name>   the repository whose workflows may deploy (default: the
                              config's githubRepository, else GITHUB_REPOSITORY)
Exit status: 0 printed, 1 invalid config or no repository, 2 bad command line.`;

async function printParameters(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions(
    {
      config: { type: 'string', default: DEFAULT_CONFIG_FILE },
      repository: { type: 'string' },
    },
    argv,
  );
  const config = await loadConfig(options.config);
  // An empty GITHUB_REPOSITORY is as good as none.
  const repository =
    options.repository ?? config.githubRepository ?? (io.env.GITHUB_REPOSITORY || undefined);
  const values = oidcParameters(config, deriveNames(config), repository);
  io.stdout(
    Object.entries(values)
      .map(([key, value]) => `${key}=${value}`)
      .join(' '),
  );
  return 0;
}

/** `npm run oidc-parameters`: the GitHub OIDC stack's parameters for `aws cloudformation deploy`. */
export const main = command(USAGE, printParameters);

runIfEntryPoint(import.meta.url, main);
