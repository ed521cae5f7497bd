import { loadConfig } from './config/load.js';
import { deriveNames } from './config/names.js';
import type { ResourceNames } from './config/names.js';
import type { PipelineConfig } from './config/schema.js';
import { ValidationError } from './errors.js';
import type { Finding } from './errors.js';

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
