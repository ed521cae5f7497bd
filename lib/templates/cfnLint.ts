import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { z } from 'zod';
import type { Finding } from '../errors.js';
import type { ParsedTemplate } from './parse.js';

/** Thrown when cfn-lint ran but said something this module cannot read (a changed report format). */
export class CfnLintError extends Error {
  override name = 'CfnLintError';
}

/** Whether the cfn-lint stage ran, and if not, why (said once to the person running validate). */
export type CfnLintStatus = { ran: true; binary: string } | { ran: false; reason: string };

/** What the cfn-lint stage found, split by cfn-lint's own level. */
export interface CfnLintResult {
  status: CfnLintStatus;
  errors: Finding[];
  warnings: Finding[];
}

/** One match of cfn-lint's `--format json` report; unknown fields are ignored, missing ones fail. */
const CfnLintMatch = z.object({
  Filename: z.string(),
  Level: z.enum(['Error', 'Warning', 'Informational']),
  Message: z.string(),
  Location: z.object({
    Start: z.object({ LineNumber: z.number().int(), ColumnNumber: z.number().int() }),
    Path: z.array(z.union([z.string(), z.number()])).nullish(),
  }),
  Rule: z.object({ Id: z.string() }),
});

/** cfn-lint's `--format json` report: a list of matches. */
export const CfnLintReport = z.array(CfnLintMatch);

/** Messages longer than this (cfn-lint lists every allowed value) are cut, so a finding stays one line. */
const MAX_MESSAGE = 300;

/** The cfn-lint executable on `PATH`, or undefined when there is none. */
export async function findCfnLint(path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'cfn-lint');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder; try the next.
    }
  }
  return undefined;
}

function run(
  binary: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(binary, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr: stderr || (error && code === -1 ? error.message : '') });
    });
  });
}

/** Turns cfn-lint's JSON report into findings on the templates it was given. */
export function findingsOfReport(
  report: unknown,
  templates: readonly ParsedTemplate[],
): { errors: Finding[]; warnings: Finding[] } {
  const parsed = CfnLintReport.safeParse(report);
  if (!parsed.success)
    throw new CfnLintError(
      `cfn-lint's JSON report is not in the expected form (${parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ')}); is this a cfn-lint version other than 1.x?`,
      { cause: parsed.error },
    );
  const byPath = new Map(templates.map((template) => [resolve(template.file), template.file]));
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  for (const match of parsed.data) {
    const text = `${match.Rule.Id} (cfn-lint): ${match.Message}`;
    const finding: Finding = {
      path: (match.Location.Path ?? []).join('.'),
      message: text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text,
      file: byPath.get(resolve(match.Filename)) ?? match.Filename,
      line: match.Location.Start.LineNumber,
      column: match.Location.Start.ColumnNumber,
    };
    (match.Level === 'Error' ? errors : warnings).push(finding);
  }
  return { errors, warnings };
}

/** Which cfn-lint to run. */
export interface CfnLintOptions {
  /** The executable; undefined looks for it on `path`, false leaves cfn-lint out. */
  binary?: string | false;
  /** The folders to look in (default: the PATH environment variable). */
  path?: string;
}

/**
 * Runs AWS's own template linter, cfn-lint, once over all the templates with JSON output, when it
 * is installed. Its findings name it and its rule; its levels decide errors from warnings.
 */
export async function checkWithCfnLint(
  templates: readonly ParsedTemplate[],
  options: CfnLintOptions = {},
): Promise<CfnLintResult> {
  const skipped = (reason: string): CfnLintResult => ({
    status: { ran: false, reason },
    errors: [],
    warnings: [],
  });
  if (options.binary === false) return skipped('cfn-lint was turned off');
  const found = options.binary ?? (await findCfnLint(options.path));
  if (!found)
    return skipped(
      'cfn-lint was not found on PATH (pip install cfn-lint to add it); the checks of our own still ran',
    );
  if (templates.length === 0)
    return { status: { ran: true, binary: found }, errors: [], warnings: [] };
  const { code, stdout, stderr } = await run(found, [
    '--format',
    'json',
    '--',
    ...templates.map((template) => template.file),
  ]);
  // cfn-lint exits with bit flags: 2 errors, 4 warnings, 8 informational; anything else with no
  // report means it could not run (a broken install behind a shim, say).
  let report: unknown;
  try {
    report = JSON.parse(stdout);
  } catch {
    if (code === 0 || (code > 0 && (code & ~0b1110) === 0))
      throw new CfnLintError(`cfn-lint printed a report that is not JSON: ${stdout.slice(0, 200)}`);
    return skipped(
      `cfn-lint (${found}) could not run (exit ${code}): ${stderr.trim().split('\n').at(-1) ?? ''}; the checks of our own still ran`,
    );
  }
  return { status: { ran: true, binary: found }, ...findingsOfReport(report, templates) };
}
