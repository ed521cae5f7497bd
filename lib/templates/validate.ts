import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError } from '../errors.js';
import type { Finding } from '../errors.js';
import { checkAgainstSpec } from './checkSpec.js';
import { checkGuardRules } from './guard.js';
import { readTemplate } from './parse.js';
import type { ParsedTemplate } from './parse.js';
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
 * the project's rules, then cfn-guard's Control Tower rules over all of them in one run.
 */
export async function validateTemplates(files: readonly string[]): Promise<TemplateReport> {
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
  const loaded = await spec;
  for (const template of parsed)
    errors.push(...checkAgainstSpec(template, loaded), ...checkProjectRules(template));
  const guard = await checkGuardRules(parsed);
  errors.push(...guard.errors);
  warnings.push(...guard.warnings);
  const order = (a: Finding, b: Finding) =>
    (a.file ?? '').localeCompare(b.file ?? '') ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0);
  return { files: [...files], parsed, errors: errors.sort(order), warnings: warnings.sort(order) };
}
