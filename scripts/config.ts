import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../lib/config/load.js';
import { deriveNames } from '../lib/config/names.js';
import { messageOf } from '../lib/errors.js';
import { command, runIfEntryPoint, UsageError } from './cli.js';
import type { CliIo } from './cli.js';

const USAGE = `Usage: npm run --silent config -- [--config <file>] <field>

Prints one value of the validated config, with defaults filled in, so that a workflow step can
read it (the region for AWS credentials, the stack name for a concurrency group).
  <field>            a field of the config (region, firstName, ...) or of its derived names
                     as names.<name> (names.stack, names.table, ...)
  --config <file>    the config to read (default: ${DEFAULT_CONFIG_FILE})
Exit status: 0 printed, 1 invalid config, 2 bad command line or unknown field.`;

async function config(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string', default: DEFAULT_CONFIG_FILE },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error: unknown) {
    throw new UsageError(messageOf(error), { cause: error });
  }
  const { values: options, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('name exactly one field, such as region');
  const field = positionals[0]!;
  const loaded = await loadConfig(options.config);
  const names = deriveNames(loaded);
  const source: Record<string, unknown> = field.startsWith('names.') ? { ...names } : { ...loaded };
  const key = field.startsWith('names.') ? field.slice('names.'.length) : field;
  const found = Object.hasOwn(source, key) ? source[key] : undefined;
  if (found === undefined || key === '$schema')
    throw new UsageError(
      `${JSON.stringify(field)} is not a field of the config; use one of ${Object.keys(loaded)
        .filter((k) => k !== '$schema')
        .join(', ')}, or names.<name> (${Object.keys(names).join(', ')})`,
    );
  io.stdout(typeof found === 'string' ? found : JSON.stringify(found));
  return 0;
}

/** `npm run config -- <field>`: prints one value of the validated config for a workflow step. */
export const main = command(USAGE, config);

runIfEntryPoint(import.meta.url, main);
