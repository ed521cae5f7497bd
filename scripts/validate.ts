import { DEFAULT_CONFIG_FILE } from '../lib/config/load.js';
import type { ResourceNames } from '../lib/config/names.js';
import { validateConfigFile } from '../lib/validate.js';
import { parseOptions, printFindings, runCli } from './cli.js';

const USAGE = `Usage: npm run validate -- [--config <file>] [--json]

Checks the naming config and prints the AWS resource names derived from it.
  --config <file>  the config to check (default: ${DEFAULT_CONFIG_FILE})
  --json           print one JSON object instead of a table
Exit status: 0 valid, 1 invalid, 2 bad command line.`;

const LABELS: Record<keyof ResourceNames, string> = {
  prefix: 'Name prefix',
  stack: 'Pipeline stack',
  artifactsStack: 'Code-artifacts stack',
  table: 'DynamoDB table',
  streamingFunction: 'Streaming function',
  notificationFunction: 'Notification function',
  topic: 'SNS topic',
  deliveryStream: 'Firehose delivery stream',
  bucket: 'Data bucket',
  artifactsBucket: 'Code-artifacts bucket',
  schedule: 'Scheduler schedule',
  streamingRole: 'Streaming function role',
  notificationRole: 'Notification function role',
  deliveryStreamRole: 'Delivery stream role',
  schedulerRole: 'Schedule role',
  streamingLogGroup: 'Streaming log group',
  notificationLogGroup: 'Notification log group',
  deliveryStreamLogGroup: 'Delivery stream log group',
};

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
}

async function main(): Promise<number> {
  const options = parseOptions({
    config: { type: 'string', default: DEFAULT_CONFIG_FILE },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const report = await validateConfigFile(options.config);

  if (options.json) {
    const { warnings } = report;
    console.log(
      JSON.stringify(
        report.ok
          ? { ok: true, names: report.names, warnings }
          : { ok: false, errors: report.errors, warnings },
        null,
        2,
      ),
    );
    return report.ok ? 0 : 1;
  }

  if (!report.ok) {
    printFindings('error', report.errors);
    console.error(`\n${options.config} is not valid: ${report.errors.length} error(s).`);
    return 1;
  }
  const { config, names } = report;
  console.log(
    `${options.config} is valid: ${config.firstName} ${config.lastName}, ${config.region}.\n`,
  );
  console.log(
    table(Object.entries(LABELS).map(([key, label]) => [label, names[key as keyof ResourceNames]])),
  );
  console.log('');
  printFindings('warning', report.warnings);
  return 0;
}

runCli(main, USAGE);
