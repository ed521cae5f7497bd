import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Finding } from '../errors.js';
import { findingAt, isObject } from './parse.js';
import type { ParsedTemplate, TemplatePath } from './parse.js';

/** The AWS Control Tower rule folders the project evaluates (the services the pipeline uses). */
export const GUARD_RULE_FOLDERS = [
  's3',
  'dynamodb',
  'lambda',
  'kinesis',
  'cloudwatch',
  'identityandaccessmanagement',
  'keymanagementservice',
  'sqs',
] as const;

/** cfn-guard's exit status when every rule was evaluated and some failed. */
const RULES_FAILED = 19;

/** Thrown when cfn-guard cannot run at all (no binary for this machine, or a crash). */
export class GuardError extends Error {
  override name = 'GuardError';
}

/** Where the cfn-guard 3 binary and the Control Tower rules of `@cdklabs/cdk-validator-cfnguard` live. */
export function guardPaths(): { binary: string; rules: string } {
  const packageDir = dirname(
    createRequire(import.meta.url).resolve('@cdklabs/cdk-validator-cfnguard/package.json'),
  );
  const os = { linux: 'ubuntu', darwin: 'macos' }[platform() as string];
  const cpu = { x64: 'x86_64', arm64: 'aarch64' }[arch() as string];
  if (!os || !cpu)
    throw new GuardError(
      `cfn-guard ships for Linux and macOS on x64 and arm64, not ${platform()} ${arch()}`,
    );
  return {
    binary: join(packageDir, 'bin', os, cpu, 'cfn-guard'),
    rules: join(packageDir, 'rules', 'control-tower', 'cfn-guard'),
  };
}

/** One suppression from a resource's `Metadata.guard.SuppressedRules`. */
interface Suppression {
  rule: string;
  path: TemplatePath;
  used: boolean;
}

/** Reads suppressions; one without a control id or without a reason is itself an error. */
function suppressionsOf(template: ParsedTemplate, findings: Finding[]): Map<string, Suppression[]> {
  const byResource = new Map<string, Suppression[]>();
  const resources = isObject(template.body.Resources) ? template.body.Resources : {};
  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource) || !isObject(resource.Metadata)) continue;
    const guard = resource.Metadata.guard;
    if (guard === undefined) continue;
    const path = ['Resources', id, 'Metadata', 'guard', 'SuppressedRules'];
    const rules = isObject(guard) ? guard.SuppressedRules : undefined;
    if (!Array.isArray(rules)) {
      findings.push(
        findingAt(
          template,
          path.slice(0, -1),
          'Metadata.guard needs SuppressedRules: a list of {Rule, Reason}',
        ),
      );
      continue;
    }
    const list: Suppression[] = [];
    rules.forEach((entry, index) => {
      const entryPath = [...path, index];
      const rule = isObject(entry) ? entry.Rule : undefined;
      const reason = isObject(entry) ? entry.Reason : undefined;
      if (typeof rule !== 'string' || !/^CT\.[A-Z0-9]+\.PR\.\d+$/.test(rule)) {
        findings.push(
          findingAt(
            template,
            entryPath,
            'a suppression needs Rule: a control id such as CT.LAMBDA.PR.3',
          ),
        );
        return;
      }
      if (typeof reason !== 'string' || reason.trim() === '') {
        findings.push(
          findingAt(
            template,
            entryPath,
            `suppressing ${rule} needs a Reason: why the control does not fit ${id}, and what covers the risk instead`,
          ),
        );
        return;
      }
      list.push({ rule, path: entryPath, used: false });
    });
    byResource.set(id, list);
  }
  return byResource;
}

/** One failed rule of cfn-guard's JSON report, reduced to the control and the resources it names. */
interface GuardFailure {
  control: string;
  summary: string;
  resources: string[];
}

/** Walks cfn-guard's nested JSON report for a failing rule's control id, message and resources. */
function failuresOf(report: unknown): Map<string, GuardFailure[]> {
  const byFile = new Map<string, GuardFailure[]>();
  if (!Array.isArray(report)) return byFile;
  for (const file of report as { name?: string; not_compliant?: unknown[] }[]) {
    const failures: GuardFailure[] = [];
    for (const failed of file.not_compliant ?? []) {
      const text = JSON.stringify(failed);
      const control = /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]: ([^\\]*)/.exec(text);
      const resources = new Set(
        [...text.matchAll(/"path":"\/Resources\/([^/"]+)/g)].map((match) => match[1]!),
      );
      failures.push({
        control: control?.[1] ?? (failed as { Rule?: { name?: string } }).Rule?.name ?? 'cfn-guard',
        summary: control?.[2]?.trim() ?? 'a Control Tower rule failed',
        resources: [...resources],
      });
    }
    byFile.set(resolve(file.name ?? ''), failures);
  }
  return byFile;
}

function runGuard(
  binary: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    execFile(binary, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        fail(
          new GuardError(`cfn-guard could not run (${binary}): ${error.message}`, { cause: error }),
        );
        return;
      }
      done({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

/**
 * Runs cfn-guard with the Control Tower rules over the templates (one process for all), and
 * turns each failure into a finding on the failing resource unless that resource suppresses
 * the control with a reason. A suppression that suppresses nothing is a warning.
 */
export async function checkGuardRules(
  templates: readonly ParsedTemplate[],
): Promise<{ errors: Finding[]; warnings: Finding[] }> {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  if (templates.length === 0) return { errors, warnings };
  const { binary, rules } = guardPaths();
  const ruleArgs: string[] = [];
  for (const folder of GUARD_RULE_FOLDERS) {
    const files = await readdir(join(rules, folder)).catch(() => []);
    if (files.length === 0)
      throw new GuardError(`cfn-guard rule folder ${folder} is missing from ${rules}`);
    ruleArgs.push('--rules', join(rules, folder));
  }
  const dataArgs = templates.flatMap((template) => ['--data', resolve(template.file)]);
  const { code, stdout, stderr } = await runGuard(binary, [
    'validate',
    ...ruleArgs,
    ...dataArgs,
    '--output-format',
    'json',
    '--show-summary',
    'none',
    '--structured',
  ]);
  if (code !== 0 && code !== RULES_FAILED) {
    // cfn-guard could not read a template; the YAML checks have usually said why already.
    for (const template of templates)
      errors.push({
        path: '',
        message: `cfn-guard could not evaluate this template (exit ${code}): ${stderr.trim().split('\n')[0] ?? ''}`,
        file: template.file,
        line: 1,
        column: 1,
      });
    return { errors, warnings };
  }
  let report: unknown;
  try {
    report = JSON.parse(stdout);
  } catch (error: unknown) {
    throw new GuardError(`cfn-guard printed a report that is not JSON: ${stdout.slice(0, 200)}`, {
      cause: error,
    });
  }
  const failures = failuresOf(report);
  for (const template of templates) {
    const suppressions = suppressionsOf(template, errors);
    for (const failure of failures.get(resolve(template.file)) ?? []) {
      const targets = failure.resources.length > 0 ? failure.resources : [undefined];
      for (const id of targets) {
        const suppression = id
          ? suppressions.get(id)?.find((entry) => entry.rule === failure.control)
          : undefined;
        if (suppression) {
          suppression.used = true;
          continue;
        }
        errors.push(
          findingAt(
            template,
            id ? ['Resources', id] : [],
            `${failure.control} (cfn-guard, AWS Control Tower): ${failure.summary}` +
              (id
                ? `. Meet the control, or suppress it on ${id} under Metadata.guard.SuppressedRules with a Reason`
                : ''),
          ),
        );
      }
    }
    for (const list of suppressions.values())
      for (const suppression of list)
        if (!suppression.used)
          warnings.push(
            findingAt(
              template,
              suppression.path,
              `${suppression.rule} is suppressed here but does not fail; remove the suppression`,
            ),
          );
  }
  return { errors, warnings };
}
