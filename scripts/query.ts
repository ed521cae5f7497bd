import { parseArgs } from 'node:util';
import { AthenaClient } from '@aws-sdk/client-athena';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../lib/config/load.js';
import { deriveNames } from '../lib/config/names.js';
import { runQuery } from '../lib/query/athena.js';
import { formatBytes, formatCsv, formatJson, formatTable } from '../lib/query/format.js';
import { isNamedQuery, NAMED_QUERIES, withHours } from '../lib/query/named.js';
import { hourPartition, TICKERS_TABLE } from '../lib/query/table.js';
import { command, runIfEntryPoint, UsageError } from './cli.js';
import type { CliIo } from './cli.js';

const NAMED = Object.entries(NAMED_QUERIES)
  .map(([name, query]) => `    ${name.padEnd(20)}${query.description}`)
  .join('\n');

const USAGE = `Usage: npm run query -- ("<SQL>" | --named <name>) [--since <time>] [--until <time>]
                        [--config <file>] [--workgroup <name>] [--json | --csv]

Runs SQL over the delivered tickers through Athena (AWS, or local AWS when AWS_ENDPOINT_URL is
set), waits for it with progress on standard error, and prints the rows and the bytes scanned.
The table is \`${TICKERS_TABLE}\` in the pipeline's Glue database; its partition column \`dt\` is
the delivery hour (\`yyyy/MM/dd/HH\`, UTC): filter on it to scan less.
  --named <name>       a built-in query:
${NAMED}
  --since <time>       only hours from this time on (ISO 8601 such as 2026-11-28T18:00Z)
  --until <time>       only hours up to this time
  --config <file>      the config the names come from (default: ${DEFAULT_CONFIG_FILE})
  --workgroup <name>   the Athena workgroup (default: the pipeline's)
  --json               print one JSON object
  --csv                print CSV (Athena's quoting)
Exit status: 0 answered, 1 the query failed, 2 bad command line.`;

/** A time on the command line as the hour partition it falls in. */
function hourOf(text: string, option: string): string {
  const time = new Date(text);
  if (Number.isNaN(time.getTime()))
    throw new UsageError(
      `${option} must be a time such as 2026-11-28T18:00Z, not ${JSON.stringify(text)}`,
    );
  return hourPartition(time);
}

async function query(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        named: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        config: { type: 'string', default: DEFAULT_CONFIG_FILE },
        workgroup: { type: 'string' },
        json: { type: 'boolean', default: false },
        csv: { type: 'boolean', default: false },
      },
    });
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const { values: options, positionals } = parsed;
  if (options.json && options.csv) throw new UsageError('choose one of --json and --csv');
  let sql: string;
  if (options.named !== undefined) {
    if (positionals.length > 0) throw new UsageError('give either SQL or --named, not both');
    if (!isNamedQuery(options.named)) {
      throw new UsageError(
        `--named must be one of ${Object.keys(NAMED_QUERIES).join(', ')}, not ${JSON.stringify(options.named)}`,
      );
    }
    sql = NAMED_QUERIES[options.named].sql;
  } else {
    if (positionals.length !== 1)
      throw new UsageError('give one SQL statement (quoted) or --named <name>');
    sql = positionals[0]!;
  }
  const config = await loadConfig(options.config);
  const names = deriveNames(config);
  sql = withHours(sql, {
    database: names.glueDatabase,
    table: TICKERS_TABLE,
    ...(options.since === undefined ? {} : { since: hourOf(options.since, '--since') }),
    ...(options.until === undefined ? {} : { until: hourOf(options.until, '--until') }),
  });
  const region = io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? config.region;
  const athena = new AthenaClient({
    region,
    ...(io.env.AWS_ENDPOINT_URL ? { endpoint: io.env.AWS_ENDPOINT_URL } : {}),
  });
  let last = '';
  const result = await runQuery(athena, {
    sql,
    database: names.glueDatabase,
    workGroup: options.workgroup ?? names.workGroup,
    outputLocation: `s3://${names.bucket}/athena-results/`,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: Date.now,
    onProgress: (state, elapsedMs) => {
      if (state === last) return;
      last = state;
      io.stderr(`query: ${state} after ${(elapsedMs / 1000).toFixed(1)} s`);
    },
  });
  if (options.json) io.stdout(formatJson(result));
  else if (options.csv) io.stdout(formatCsv(result));
  else io.stdout(formatTable(result));
  io.stderr(
    `${result.rows.length} row${result.rows.length === 1 ? '' : 's'}; scanned ${formatBytes(result.dataScannedBytes)} ` +
      `in ${result.engineMs} ms (query ${result.queryExecutionId})`,
  );
  return 0;
}

/** `npm run query`: SQL over the delivered tickers through Athena. */
export const main = command(USAGE, query);

runIfEntryPoint(import.meta.url, main);
