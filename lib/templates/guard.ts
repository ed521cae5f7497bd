import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
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

/** A value cfn-guard reached in the template, by its path (`/Resources/Id/Properties/...`). */
const GuardValue = z.looseObject({ path: z.string() });
const GuardMessages = z.object({
  custom_message: z.string().nullish(),
  error_message: z.string().nullish(),
});
/** One check of a clause: Resolved, UnResolved, InResolved..., each naming the values compared. */
const GuardComparison = z.looseObject({
  // An unresolved check says how far it got (traversed_to); a resolved one names the value itself.
  value: z
    .looseObject({ path: z.string().optional(), traversed_to: GuardValue.optional() })
    .optional(),
  from: GuardValue.optional(),
  to: z.union([GuardValue, z.array(GuardValue)]).optional(),
});
const GuardClause = z.object({
  check: z.record(z.string(), GuardComparison),
  messages: GuardMessages,
});

/** A node of cfn-guard's `--structured` report tree. */
type GuardNode =
  | { Rule: { name: string; messages: z.infer<typeof GuardMessages>; checks: GuardNode[] } }
  | { Clause: { Unary?: z.infer<typeof GuardClause>; Binary?: z.infer<typeof GuardClause> } }
  | {
      Block: {
        messages: z.infer<typeof GuardMessages>;
        unresolved?: { traversed_to: { path: string } } | null;
        checks?: GuardNode[];
      };
    }
  | { Disjunctions: { checks: GuardNode[] } };

const GuardNodeSchema: z.ZodType<GuardNode> = z.lazy(() =>
  z.union([
    z.object({
      Rule: z.object({
        name: z.string(),
        messages: GuardMessages,
        checks: z.array(GuardNodeSchema),
      }),
    }),
    z.object({
      Clause: z.object({ Unary: GuardClause.optional(), Binary: GuardClause.optional() }),
    }),
    z.object({
      Block: z.object({
        messages: GuardMessages,
        unresolved: z.object({ traversed_to: GuardValue }).nullish(),
        checks: z.array(GuardNodeSchema).optional(),
      }),
    }),
    z.object({ Disjunctions: z.object({ checks: z.array(GuardNodeSchema) }) }),
  ]),
);

/** cfn-guard's `--output-format json --structured` report: one entry per data file. */
const GuardReport = z.array(
  z.looseObject({ name: z.string(), not_compliant: z.array(GuardNodeSchema) }),
);

/** The control id and summary in a Control Tower rule's message: `[CT.S3.PR.1]: Require ...`. */
const CONTROL = /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]: ([^\n]*)/;

/** The messages and the template paths under one node of the report. */
function collect(node: GuardNode, messages: string[], paths: string[]): void {
  const note = (m: z.infer<typeof GuardMessages>) => {
    if (m.custom_message) messages.push(m.custom_message);
  };
  if ('Rule' in node) {
    note(node.Rule.messages);
    node.Rule.checks.forEach((child) => collect(child, messages, paths));
  } else if ('Disjunctions' in node) {
    node.Disjunctions.checks.forEach((child) => collect(child, messages, paths));
  } else if ('Block' in node) {
    note(node.Block.messages);
    if (node.Block.unresolved) paths.push(node.Block.unresolved.traversed_to.path);
    node.Block.checks?.forEach((child) => collect(child, messages, paths));
  } else {
    for (const clause of [node.Clause.Unary, node.Clause.Binary]) {
      if (!clause) continue;
      note(clause.messages);
      for (const comparison of Object.values(clause.check)) {
        const reached = comparison.value?.traversed_to?.path ?? comparison.value?.path;
        if (reached) paths.push(reached);
        if (comparison.from) paths.push(comparison.from.path);
        for (const to of [comparison.to ?? []].flat()) paths.push(to.path);
      }
    }
  }
}

/** Reads cfn-guard's report (failing loudly on a changed format): each failing control and its resources. */
export function failuresOf(report: unknown): Map<string, GuardFailure[]> {
  const parsed = GuardReport.safeParse(report);
  if (!parsed.success)
    throw new GuardError(
      `cfn-guard's JSON report is not in the expected form: ${parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ')}`,
      { cause: parsed.error },
    );
  const byFile = new Map<string, GuardFailure[]>();
  for (const file of parsed.data) {
    const failures = file.not_compliant.map((failed): GuardFailure => {
      const messages: string[] = [];
      const paths: string[] = [];
      collect(failed, messages, paths);
      const control = messages.map((message) => CONTROL.exec(message)).find(Boolean);
      const resources = new Set(
        paths.flatMap((path) => /^\/Resources\/([^/]+)/.exec(path)?.[1] ?? []),
      );
      return {
        control: control?.[1] ?? ('Rule' in failed ? failed.Rule.name : 'cfn-guard'),
        summary: control?.[2]?.trim() ?? 'a Control Tower rule failed',
        resources: [...resources],
      };
    });
    byFile.set(resolve(file.name), failures);
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
