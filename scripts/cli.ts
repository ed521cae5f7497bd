import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { formatFinding, messageOf } from '../lib/errors.js';
import type { Finding } from '../lib/errors.js';

/** Thrown for a command line that cannot be understood; exits with status 2 and the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses command-line options strictly, turning Node's errors into a {@link UsageError}. */
export function parseOptions<Options extends NonNullable<ParseArgsConfig['options']>>(
  options: Options,
  args = process.argv.slice(2),
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error: unknown) {
    throw new UsageError(messageOf(error), { cause: error });
  }
}

/** Prints findings; inside GitHub Actions also as workflow commands, so they become annotations. */
export function printFindings(level: 'error' | 'warning', findings: readonly Finding[]): void {
  for (const finding of findings) {
    if (process.env.GITHUB_ACTIONS === 'true' && finding.file) {
      const where = [`file=${finding.file}`];
      if (finding.line) where.push(`line=${finding.line}`, `col=${finding.column ?? 1}`);
      const text = `${finding.path ? `${finding.path}: ` : ''}${finding.message}`;
      console.log(
        `::${level} ${where.join(',')}::${text.replace(/%/g, '%25').replace(/\n/g, '%0A')}`,
      );
    } else {
      console.error(`${level}: ${formatFinding(finding)}`);
    }
  }
}

/** Runs a command's main function: prints expected failures without a stack trace and sets the exit code. */
export function runCli(main: () => Promise<number>, usage: string): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        console.error(`${error.message}\n\n${usage}`);
        process.exitCode = 2;
      } else {
        console.error(`error: ${messageOf(error)}`);
        if (process.env.DEBUG) console.error(error);
        process.exitCode = 1;
      }
    },
  );
}
