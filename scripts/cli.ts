import { realpathSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { pathToFileURL } from 'node:url';
import { formatFinding, messageOf } from '../lib/errors.js';
import type { Finding } from '../lib/errors.js';

/** Thrown for a command line that cannot be understood; exits with status 2 and the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where a command writes (one call per line, without the newline) and the environment it reads. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
}

/** The real process's standard output, standard error and environment. */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
};

/** A command's entry point: takes the arguments after the script name, returns the exit status. */
export type Main = (argv: readonly string[], io?: CliIo) => Promise<number>;

/** Folds `text` into lines of at most `width` columns at spaces, for usage texts. */
export function wrap(text: string, width = 80): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}

/** Parses command-line options strictly, turning Node's errors into a {@link UsageError}. */
export function parseOptions<Options extends NonNullable<ParseArgsConfig['options']>>(
  options: Options,
  args: readonly string[],
) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error: unknown) {
    throw new UsageError(messageOf(error), { cause: error });
  }
}

/** Prints findings; inside GitHub Actions also as workflow commands, so they become annotations. */
export function printFindings(
  io: CliIo,
  level: 'error' | 'warning',
  findings: readonly Finding[],
): void {
  for (const finding of findings) {
    if (io.env.GITHUB_ACTIONS === 'true' && finding.file) {
      const where = [`file=${finding.file}`];
      if (finding.line) where.push(`line=${finding.line}`, `col=${finding.column ?? 1}`);
      const text = `${finding.path ? `${finding.path}: ` : ''}${finding.message}`;
      io.stdout(
        `::${level} ${where.join(',')}::${text.replace(/%/g, '%25').replace(/\n/g, '%0A')}`,
      );
    } else {
      io.stderr(`${level}: ${formatFinding(finding)}`);
    }
  }
}

/** Whether the command line asks for the usage: `--help` or `-h` among the options (before `--`). */
export function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/**
 * Wraps a command's body into its {@link Main}: `--help` (or `-h`) prints the usage and exits 0
 * without running it; expected failures are printed without a stack trace (a bad command line
 * with the usage, exit 2; anything else exit 1).
 */
export function command(
  usage: string,
  body: (argv: readonly string[], io: CliIo) => Promise<number>,
): Main {
  return async (argv, io = processIo) => {
    if (asksForHelp(argv)) {
      io.stdout(usage);
      return 0;
    }
    try {
      return await body(argv, io);
    } catch (error: unknown) {
      if (error instanceof UsageError) {
        io.stderr(`${error.message}\n\n${usage}`);
        return 2;
      }
      io.stderr(`error: ${messageOf(error)}`);
      if (io.env.DEBUG) io.stderr(error instanceof Error ? (error.stack ?? '') : String(error));
      return 1;
    }
  };
}

/** True when the module at `moduleUrl` is the script Node was started with, not an import. */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === moduleUrl;
  } catch {
    return false;
  }
}

/** Runs `main` with the process's arguments when `moduleUrl` is the entry point. */
export function runIfEntryPoint(moduleUrl: string, main: Main): void {
  if (!isEntryPoint(moduleUrl)) return;
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
