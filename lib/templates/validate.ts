import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError } from '../errors.js';
import type { Finding } from '../errors.js';
import { checkBounds } from './bounds.js';
import { checkWithCfnLint } from './cfnLint.js';
import type { CfnLintStatus } from './cfnLint.js';
import { checkAgainstSpec } from './checkSpec.js';
import { checkConsistency, checkExportNames } from './consistency.js';
import { checkGuardRules } from './guard.js';
import { readTemplate } from './parse.js';
import type { ParsedTemplate } from './parse.js';
import { checkPolicies } from './policies.js';
import { checkProjectRules } from './rules.js';
import { loadServiceSpec } from './spec.js';

/** The folder whose templates `npm run validate` checks by default. */
export const TEMPLATE_DIR = 'cloudformation';

/** What the template checks found, over every template checked. */
export interface TemplateReport {
  files: string[];
  /** The templates that parsed, for callers that check more (such as parameter values). */
  parsed: ParsedTemplate[];
  errors: Finding[];
  warnings: Finding[];
  /** Whether AWS's linter, cfn-lint, ran too (its findings say "(cfn-lint)"), or why not. */
  cfnLint: CfnLintStatus;
}

/** How to run the template checks. */
export interface TemplateCheckOptions {
  /** The cfn-lint executable; undefined looks for it on PATH, false leaves it out. */
  cfnLint?: string | false;
  /** The folders cfn-lint is looked for in (default: the PATH environment variable). */
  cfnLintPath?: string;
}

/** The template files in a folder (YAML or JSON), sorted so output is stable. */
export async function findTemplates(dir = TEMPLATE_DIR): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
  return entries
    .filter((entry) => entry.isFile() && /\.(ya?ml|json|template)$/.test(entry.name))
    .map((entry) => join(dir, entry.name))
    .sort();
}

/**
 * Checks templates: YAML with CloudFormation's tags, AWS's resource specification (loaded once),
 * the project's rules, ranges and value lists, policy grammar and IAM action names, keys and
 * indexes, then cfn-guard's Control Tower rules and (when installed) cfn-lint over all of them,
 * one process each. Findings of cfn-lint name it and are shown beside ours, not merged.
 */
export async function validateTemplates(
  files: readonly string[],
  options: TemplateCheckOptions = {},
): Promise<TemplateReport> {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const parsed: ParsedTemplate[] = [];
  const spec = loadServiceSpec(); // Starts loading while the files are read.
  for (const file of files) {
    try {
      parsed.push(await readTemplate(file));
    } catch (error: unknown) {
      if (!(error instanceof ValidationError)) throw error;
      errors.push(...error.findings);
    }
  }
  // The two outside tools run while the spec loads and our own checks run.
  const outside = Promise.all([
    checkGuardRules(parsed),
    checkWithCfnLint(parsed, { binary: options.cfnLint, path: options.cfnLintPath }),
  ]);
  // Awaited below; this only keeps an early throw of ours from leaving its failure unhandled.
  outside.catch(() => undefined);
  const loaded = await spec;
  for (const template of parsed)
    errors.push(
      ...checkAgainstSpec(template, loaded),
      ...checkProjectRules(template),
      ...checkBounds(template),
      ...checkConsistency(template),
      ...(await checkPolicies(template)),
    );
  errors.push(...checkExportNames(parsed));
  const [guard, cfnLint] = await outside;
  errors.push(...guard.errors, ...cfnLint.errors);
  warnings.push(...guard.warnings, ...cfnLint.warnings);
  const order = (a: Finding, b: Finding) =>
    (a.file ?? '').localeCompare(b.file ?? '') ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0);
  return {
    files: [...files],
    parsed,
    errors: errors.sort(order),
    warnings: warnings.sort(order),
    cfnLint: cfnLint.status,
  };
}
