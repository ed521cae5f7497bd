import type { Finding } from '../../../lib/errors.js';
import { readTemplate } from '../../../lib/templates/parse.js';
import type { ParsedTemplate } from '../../../lib/templates/parse.js';

/** The real templates, which every check must pass. */
export const REAL_TEMPLATES = [
  'cloudformation/code-artifacts.yaml',
  'cloudformation/pipeline.yaml',
];

/** The path of a broken template under test/fixtures/templates. */
export function fixture(name: string): string {
  return `test/fixtures/templates/${name}.yaml`;
}

/** Reads a fixture (by name) or a real template (by path). */
export function template(nameOrPath: string): Promise<ParsedTemplate> {
  return readTemplate(nameOrPath.includes('/') ? nameOrPath : fixture(nameOrPath));
}

/** Findings as `line:column: message`, the part a person reads. */
export function located(findings: readonly Finding[]): string[] {
  return findings.map((finding) => `${finding.line}:${finding.column}: ${finding.message}`);
}
