import { loadConfig } from './config/load.js';
import { deriveNames } from './config/names.js';
import type { ResourceNames } from './config/names.js';
import type { PipelineConfig } from './config/schema.js';
import { ValidationError } from './errors.js';
import type { Finding } from './errors.js';
import type { FunctionCalls } from './iam/calls.js';
import { estimateMonthlyCost } from './templates/cost.js';
import type { CostEstimate } from './templates/cost.js';
import {
  checkParameterValues,
  oidcParameters,
  pipelineParameters,
} from './templates/parameters.js';
import { checkPermissions } from './templates/permissions.js';
import { partitionOf } from './templates/resolve.js';
import type { CfnLintStatus } from './templates/cfnLint.js';
import { findTemplates, validateTemplates } from './templates/validate.js';

/** What `validate` found: the derived names when the config is valid, every error when not. */
export type ValidationReport =
  | { ok: true; config: PipelineConfig; names: ResourceNames; warnings: Finding[] }
  | { ok: false; errors: Finding[]; warnings: Finding[] };

/** Warnings about a valid config that may not do what its author expects. */
export function configWarnings(config: PipelineConfig, names: ResourceNames): Finding[] {
  const warnings: Finding[] = [];
  if (config.bucketReadAccess === 'authenticated-aws-accounts') {
    warnings.push({
      path: 'bucketReadAccess',
      message:
        `"authenticated-aws-accounts" lets anyone signed in to any AWS account, not only yours, ` +
        `list and read every object in ${names.bucket} (the tutorial's setting; nobody outside ` +
        `your account can write). Use "private" or {"accounts": ["123456789012"]} to keep the data to yourself.`,
    });
  }
  config.alertEmails.forEach((email, index) => {
    const domain = email.split('@').at(-1)?.toLowerCase() ?? '';
    if (/(^|\.)(example\.(com|org|net)|example|test|invalid|localhost)$/.test(domain)) {
      warnings.push({
        path: `alertEmails[${index}]`,
        message: `${JSON.stringify(email)} is a reserved example address that receives no mail; put your own address here to get failure alerts`,
      });
    }
  });
  return warnings;
}

/** Validates a config file and derives its resource names, collecting every problem. */
export async function validateConfigFile(file: string): Promise<ValidationReport> {
  try {
    const config = await loadConfig(file);
    const names = deriveNames(config);
    return {
      ok: true,
      config,
      names,
      warnings: configWarnings(config, names).map((w) => ({ ...w, file })),
    };
  } catch (error: unknown) {
    if (!(error instanceof ValidationError)) throw error;
    return { ok: false, errors: error.findings.map((f) => ({ file, ...f })), warnings: [] };
  }
}

/** The template the config's parameter values are checked against. */
export const PIPELINE_TEMPLATE = 'pipeline.yaml';

/** The template of the GitHub OIDC stack, whose values are checked when the config names a repository. */
export const OIDC_TEMPLATE = 'github-oidc.yaml';

/** Stand-in code keys for checking parameters before a build exists (same shape as real ones). */
const PLACEHOLDER_CODE_KEYS = {
  streaming: 'functions/streaming-0000000000000000.zip',
  notification: 'functions/notification-0000000000000000.zip',
};

/** The account the permissions are proven in: any will do, the roles name no other account. */
export const PROOF_ACCOUNT_ID = '123456789012';

/** Everything `npm run validate` checks: the config, the templates, and the config's cost. */
export interface ProjectReport {
  ok: boolean;
  config: ValidationReport;
  templates: string[];
  errors: Finding[];
  warnings: Finding[];
  /** Present when the config is valid. */
  cost?: CostEstimate;
  /** Whether cfn-lint ran over the templates, or why not. */
  cfnLint: CfnLintStatus;
}

/**
 * Validates the config and the templates (every one under cloudformation/ unless `templates`
 * names some), checks that the config's parameter values fit the pipeline template, proves
 * that its roles allow every call made with them (`functionCalls`: what each function's code
 * calls), and estimates the monthly cost.
 */
export async function validateProject(options: {
  config: string;
  templates?: readonly string[];
  functionCalls: FunctionCalls;
  /** The cfn-lint executable; undefined looks on PATH, false leaves cfn-lint out. */
  cfnLint?: string | false;
  /** The folders cfn-lint is looked for in (default: the PATH environment variable). */
  cfnLintPath?: string;
}): Promise<ProjectReport> {
  const config = await validateConfigFile(options.config);
  const files = options.templates?.length ? options.templates : await findTemplates();
  const templates = await validateTemplates(files, {
    cfnLint: options.cfnLint,
    cfnLintPath: options.cfnLintPath,
  });
  const errors = [...(config.ok ? [] : config.errors), ...templates.errors];
  const warnings = [...config.warnings, ...templates.warnings];
  let cost: CostEstimate | undefined;
  if (config.ok) {
    cost = estimateMonthlyCost(config.config);
    const pipeline = templates.parsed.find((t) => t.file.endsWith(PIPELINE_TEMPLATE));
    if (pipeline) {
      try {
        const values = pipelineParameters(config.config, config.names, PLACEHOLDER_CODE_KEYS);
        const valueErrors = checkParameterValues(pipeline, values);
        errors.push(...valueErrors);
        // The permissions stage, over a template and values that passed every check before it.
        if (valueErrors.length === 0 && !errors.some((f) => f.file === pipeline.file)) {
          const { region } = config.config;
          errors.push(
            ...(await checkPermissions(pipeline, {
              parameters: values,
              pseudo: {
                accountId: PROOF_ACCOUNT_ID,
                region,
                partition: partitionOf(region),
                stackName: config.names.stack,
              },
              functionCalls: options.functionCalls,
            })),
          );
        }
      } catch (error: unknown) {
        if (!(error instanceof ValidationError)) throw error;
        errors.push(...error.findings.map((f) => ({ file: options.config, ...f })));
      }
    }
  }
  const oidc = templates.parsed.find((t) => t.file.endsWith(OIDC_TEMPLATE));
  if (config.ok && oidc && config.config.githubRepository !== undefined)
    errors.push(...checkParameterValues(oidc, oidcParameters(config.config, config.names)));
  return {
    ok: errors.length === 0,
    config,
    templates: [...files],
    errors,
    warnings,
    cost,
    cfnLint: templates.cfnLint,
  };
}
