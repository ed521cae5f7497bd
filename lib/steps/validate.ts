import type { ResourceNames } from '../config/names.js';
import type { Finding } from '../errors.js';
import type { FunctionCalls } from '../iam/calls.js';
import { findTemplates, TEMPLATE_DIR } from '../templates/validate.js';
import { validateProject } from '../validate.js';
import { markdownTable } from './report.js';
import type { Reporter } from './report.js';

/** Options of {@link validateStep}. */
export interface ValidateStepOptions {
  config: string;
  /** The folder of templates (default `cloudformation`). */
  templates?: string;
  functionCalls: FunctionCalls;
  /** The folders cfn-lint is looked for in (default: the PATH environment variable). */
  cfnLintPath?: string;
}

/** What the validate step found: the names and cost when the config is valid, every finding. */
export interface ValidateStepResult {
  ok: boolean;
  names?: ResourceNames;
  monthlyCostUsd?: number;
  errors: Finding[];
  warnings: Finding[];
}

/**
 * Runs every check of `npm run validate` (config, templates with spec, rules, cfn-guard and
 * cfn-lint when installed, parameter values, the permissions proof, the cost estimate) and puts
 * the names and the cost in the summary. Findings are returned for the caller to annotate.
 */
export async function validateStep(
  options: ValidateStepOptions,
  reporter: Reporter,
): Promise<ValidateStepResult> {
  const templates = await findTemplates(options.templates ?? TEMPLATE_DIR);
  const project = await validateProject({
    config: options.config,
    templates,
    functionCalls: options.functionCalls,
    ...(options.cfnLintPath === undefined ? {} : { cfnLintPath: options.cfnLintPath }),
  });
  if (!project.cfnLint.ran) reporter.info(`Note: ${project.cfnLint.reason}.`);
  reporter.info(
    `Checked ${options.config} and ${templates.length} template(s): ${templates.join(', ')}`,
  );
  const names = project.config.ok ? project.config.names : undefined;
  const sections: string[] = [
    `### Validation ${project.ok ? 'passed' : `failed: ${project.errors.length} error(s)`}`,
  ];
  if (names)
    sections.push(
      markdownTable(
        ['resource', 'name'],
        Object.entries(names).map(([key, value]) => [key, `\`${value}\``]),
      ),
    );
  if (project.cost) {
    sections.push(
      `**Estimated monthly cost: about $${project.cost.totalUsd.toFixed(2)}** ` +
        `(USD, ${project.cost.priceRegion} prices as of ${project.cost.pricesAsOf})`,
      markdownTable(
        ['item', 'quantity', 'unit price', 'per month'],
        project.cost.lines.map((line) => [
          line.item,
          `${line.quantity.toLocaleString('en-US', { maximumFractionDigits: 4 })} ${line.unit}`,
          `$${line.unitPrice} ${line.priceUnit}`,
          `$${line.monthlyUsd.toFixed(4)}`,
        ]),
      ),
    );
  }
  reporter.summary(sections.join('\n\n'));
  return {
    ok: project.ok,
    ...(names ? { names } : {}),
    ...(project.cost ? { monthlyCostUsd: project.cost.totalUsd } : {}),
    errors: project.errors,
    warnings: project.warnings,
  };
}
