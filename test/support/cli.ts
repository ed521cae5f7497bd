import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Main } from '../../scripts/cli.js';

const run = promisify(execFile);

/** What a command printed and its exit status. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a script's exported `main` in this process, capturing what it prints. The environment is
 * the test's own without GitHub Actions' or DEBUG's switches, plus `env`.
 */
export async function runMain(
  main: Main,
  argv: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (text) => (stdout += `${text}\n`),
    stderr: (text) => (stderr += `${text}\n`),
    env: { ...process.env, GITHUB_ACTIONS: '', DEBUG: '', ...env },
  });
  return { code, stdout, stderr };
}

/**
 * Runs `scripts/<script>` in a fresh Node process, the way its npm script does (tsx as a loader,
 * not through npx), for the one test per command line that proves the entry point is wired up.
 */
export async function runScript(
  script: string,
  argv: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', `scripts/${script}`, ...argv],
      { env: { ...process.env, GITHUB_ACTIONS: '', NODE_NO_WARNINGS: '1', ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (error: unknown) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
