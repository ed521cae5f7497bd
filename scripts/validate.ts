import { writeFile } from 'node:fs/promises';
import { FUNCTION_CALLS } from '../functions/calls.js';
import { DEFAULT_CONFIG_FILE } from '../lib/config/load.js';
import type { ResourceNames } from '../lib/config/names.js';
import { formatCostEstimate } from '../lib/templates/cost.js';
import { TEMPLATE_DIR } from '../lib/templates/validate.js';
import { toSarif } from '../lib/sarif.js';
import { validateProject } from '../lib/validate.js';
import { command, parseOptions, printFindings, runIfEntryPoint } from './cli.js';
import type { CliIo } from './cli.js';

const USAGE = `Usage: npm run validate -- [--config <file>] [--template <file>]... [--no-cfn-lint] [--json] [--sarif <file>]

Checks the naming config and prints the AWS resource names derived from it, checks the
CloudFormation templates (AWS's resource spec with ranges and value lists, IAM policy grammar and
action names, the project's rules, cfn-guard's Control Tower rules, and AWS's cfn-lint when it is
on PATH), proves with an IAM policy evaluator that the pipeline's roles allow every call made with
them, and estimates the pipeline's monthly cost.
  --config <file>    the config to check (default: ${DEFAULT_CONFIG_FILE})
  --template <file>  check this template only (repeatable; default: every one in ${TEMPLATE_DIR}/)
  --no-cfn-lint      leave cfn-lint out even when it is installed (the checks of our own still run)
  --json             print one JSON object instead of a table
  --sarif <file>     also write every finding to <file> as SARIF 2.1.0 (for GitHub code scanning)
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
  glueDatabase: 'Glue database',
  workGroup: 'Athena workgroup',
  oidcStack: 'GitHub OIDC stack',
  deployRole: 'GitHub deploy role',
  previewRole: 'GitHub preview role',
};

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
}

async function validate(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions(
    {
      config: { type: 'string', default: DEFAULT_CONFIG_FILE },
      template: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      sarif: { type: 'string' },
      'no-cfn-lint': { type: 'boolean', default: false },
    },
    argv,
  );
  const project = await validateProject({
    config: options.config,
    templates: options.template,
    functionCalls: FUNCTION_CALLS,
    ...(options['no-cfn-lint'] ? { cfnLint: false as const } : {}),
    ...(io.env.PATH === undefined ? {} : { cfnLintPath: io.env.PATH }),
  });
  const report = project.config;
  if (options.sarif !== undefined) {
    const sarif = toSarif(project, { name: 'npm run validate' });
    await writeFile(options.sarif, `${JSON.stringify(sarif, null, 2)}\n`);
  }

  if (options.json) {
    const { errors, warnings, templates, cost, cfnLint } = project;
    io.stdout(
      JSON.stringify(
        report.ok && project.ok
          ? { ok: true, names: report.names, warnings, templates, cost, cfnLint }
          : {
              ok: false,
              ...(report.ok ? { names: report.names } : {}),
              errors,
              warnings,
              templates,
              ...(cost ? { cost } : {}),
              cfnLint,
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
    io.stdout(
      `${options.config} is valid: ${config.firstName} ${config.lastName}, ${config.region}.\n`,
    );
    io.stdout(
      table(
        Object.entries(LABELS).map(([key, label]) => [label, names[key as keyof ResourceNames]]),
      ),
    );
    io.stdout('');
  }
  // Said once, plainly: a machine without cfn-lint still runs every check of our own.
  if (!project.cfnLint.ran) io.stdout(`Note: ${project.cfnLint.reason}.\n`);
  const checked = project.templates.length;
  if (checked > 0 && templateErrors.length === 0)
    io.stdout(`${checked} template(s) valid: ${project.templates.join(', ')}.\n`);
  if (project.cost) io.stdout(`${formatCostEstimate(project.cost)}\n`);
  printFindings(io, 'warning', project.warnings);
  if (!project.ok) {
    printFindings(io, 'error', project.errors);
    io.stderr(
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

/** `npm run validate`: checks the config and the templates; exit 0 valid, 1 invalid, 2 bad command line. */
export const main = command(USAGE, validate);

runIfEntryPoint(import.meta.url, main);
