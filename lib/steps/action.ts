import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { Finding } from '../errors.js';
import { hasCredentials, NO_CREDENTIALS_NOTICE } from './aws.js';
import { StepError } from './errors.js';
import type { Reporter } from './report.js';

/** Where an annotation points: a file, line and column. */
export interface Annotation {
  title?: string;
  file?: string;
  startLine?: number;
  startColumn?: number;
}

/**
 * The part of `@actions/core` the actions use. Each action's `run()` passes the module itself, so
 * `run()` stays the one place that imports it and this adapter is shared by all five.
 */
export interface ActionCore {
  getInput(name: string): string;
  setOutput(name: string, value: unknown): void;
  info(message: string): void;
  notice(message: string, properties?: Annotation): void;
  warning(message: string, properties?: Annotation): void;
  error(message: string, properties?: Annotation): void;
  setFailed(message: string): void;
  summary: { addRaw(text: string, addEOL?: boolean): unknown; write(): Promise<unknown> };
}

/** A reporter writing to the job log and the job summary. */
export function coreReporter(core: ActionCore): Reporter {
  return {
    info: (message) => core.info(message),
    warning: (message) => core.warning(message),
    summary: (markdown) => core.summary.addRaw(`${markdown}\n\n`),
  };
}

/** A finding as an annotation on its file, line and column. */
export function annotationOf(finding: Finding): Annotation {
  return {
    ...(finding.file ? { file: finding.file } : {}),
    ...(finding.line ? { startLine: finding.line } : {}),
    ...(finding.column ? { startColumn: finding.column } : {}),
  };
}

/** The message of a finding without its location (the annotation carries that). */
export function annotationMessage(finding: Finding): string {
  return `${finding.path ? `${finding.path}: ` : ''}${finding.message}`;
}

/** An input that is not what the action takes. */
export class InputError extends StepError {
  override name = 'InputError';
}

/**
 * Reads the named inputs and parses them with `schema`; an input left empty is absent, so the
 * schema's default applies. Throws {@link InputError} naming the input.
 */
export function readInputs<Schema extends z.ZodType>(
  core: ActionCore,
  schema: Schema,
  names: readonly string[],
): z.infer<Schema> {
  const raw: Record<string, string> = {};
  for (const name of names) {
    const value = core.getInput(name).trim();
    if (value !== '') raw[name] = value;
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new InputError(
    parsed.error.issues
      .map((issue) => `input ${String(issue.path[0] ?? '')}: ${issue.message}`)
      .join('; '),
  );
}

/** A boolean input: `true` or `false` as YAML 1.2's core schema writes them. */
export const booleanInput = z
  .enum(['true', 'True', 'TRUE', 'false', 'False', 'FALSE'], {
    error: 'must be true or false',
  })
  .transform((value) => value.toLowerCase() === 'true');

/** A whole number input at least `min`. */
export function integerInput(min: number) {
  return z
    .string()
    .regex(/^\d+$/, { error: `must be a whole number of at least ${min}` })
    .transform(Number)
    .refine((value) => value >= min, { error: `must be at least ${min}` });
}

/**
 * Runs an action's body: reports every validation finding as an annotation on its file and line,
 * fails with the message of a step error (never a stack trace), and writes the summary.
 */
export async function runAction(
  core: ActionCore,
  env: NodeJS.ProcessEnv,
  body: (reporter: Reporter) => Promise<void>,
): Promise<void> {
  try {
    await body(coreReporter(core));
  } catch (error: unknown) {
    if (error instanceof ValidationError) {
      for (const finding of error.findings)
        core.error(annotationMessage(finding), annotationOf(finding));
      core.setFailed(`${error.findings.length} error(s): ${error.message}`);
    } else if (error instanceof StepError) {
      core.setFailed(error.message);
    } else if (error instanceof Error) {
      // An AWS error the steps do not know by name: its name is its code, and says most.
      core.setFailed(`${error.name}: ${error.message}`);
    } else {
      core.setFailed(`failed: ${String(error)}`);
    }
  } finally {
    // Outside a runner (a local run) there is no summary file to write to.
    if (env.GITHUB_STEP_SUMMARY) await core.summary.write();
  }
}

/**
 * Whether the step can reach AWS. Without credentials it leaves a notice saying what to
 * configure and sets `skipped: true`, so a fork without the role still passes.
 */
export async function credentialsOrSkip(
  core: ActionCore,
  provider: () => Promise<unknown>,
): Promise<boolean> {
  if (await hasCredentials(provider)) {
    core.setOutput('skipped', 'false');
    return true;
  }
  core.notice(NO_CREDENTIALS_NOTICE);
  core.setOutput('skipped', 'true');
  return false;
}
