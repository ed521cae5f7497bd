import { FUNCTION_CALLS } from '../functions/calls.js';
import { DEFAULT_CONFIG_FILE } from '../lib/config/load.js';
import type { ResourceNames } from '../lib/config/names.js';
import { formatCostEstimate } from '../lib/templates/cost.js';
import { TEMPLATE_DIR } from '../lib/templates/validate.js';
import { validateProject } from '../lib/validate.js';
import { parseOptions, printFindings, runCli } from './cli.js';

const USAGE = `Usage: npm run validate -- [--config <file>] [--template <file>]... [--json]

Checks the naming config and prints the AWS resource names derived from it, checks the
CloudFormation templates (AWS's resource spec, the project's rules, cfn-guard's Control Tower
rules), proves with an IAM policy evaluator that the pipeline's roles allow every call made
with them, and estimates the pipeline's monthly cost.
  --config <file>    the config to check (default: ${DEFAULT_CONFIG_FILE})
  --template <file>  check this template only (repeatable; default: every one in ${TEMPLATE_DIR}/)
  --json             print one JSON object instead of a table
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
    template: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const project = await validateProject({
    config: options.config,
    templates: options.template,
    functionCalls: FUNCTION_CALLS,
  });
  const report = project.config;

  if (options.json) {
    const { errors, warnings, templates, cost } = project;
    console.log(
      JSON.stringify(
        report.ok && project.ok
          ? { ok: true, names: report.names, warnings, templates, cost }
          : {
              ok: false,
              ...(report.ok ? { names: report.names } : {}),
              errors,
              warnings,
              templates,
              ...(cost ? { cost } : {}),
            },
        null,
        2,
      ),
    );
    return project.ok ? 0 : 1;
  }

  const templateErrors = project.errors.filter((f) => f.file !== options.config);
  const configErrors = project.errors.length - templateErrors.length;
  if (report.ok && configErrors === 0) {
    const { config, names } = report;
    console.log(
      `${options.config} is valid: ${config.firstName} ${config.lastName}, ${config.region}.\n`,
    );
    console.log(
      table(
        Object.entries(LABELS).map(([key, label]) => [label, names[key as keyof ResourceNames]]),
      ),
    );
    console.log('');
  }
  const checked = project.templates.length;
  if (checked > 0 && templateErrors.length === 0)
    console.log(`${checked} template(s) valid: ${project.templates.join(', ')}.\n`);
  if (project.cost) console.log(`${formatCostEstimate(project.cost)}\n`);
  printFindings('warning', project.warnings);
  if (!project.ok) {
    printFindings('error', project.errors);
    console.error(
      `\n${[
        configErrors > 0 ? `${options.config} is not valid: ${configErrors} error(s)` : '',
        templateErrors.length > 0 ? `templates: ${templateErrors.length} error(s)` : '',
      ]
        .filter(Boolean)
        .join('; ')}.`,
    );
    return 1;
  }
  return 0;
}

runCli(main, USAGE);
