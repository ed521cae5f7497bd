import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What one run of an action left behind: exit code, log, outputs and job summary. */
export interface ActionRun {
  code: number;
  log: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Reads a GITHUB_OUTPUT file: `name<<delimiter`, the value's lines, the delimiter. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!match) continue;
    const end = lines.indexOf(match[2]!, i + 1);
    outputs[match[1]!] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}

/**
 * Runs `node actions/<name>/dist/index.js` as a runner would: inputs as `INPUT_*` variables,
 * outputs and summary through the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files (made in `dir`).
 */
export async function runActionProcess(
  name: string,
  inputs: Record<string, string>,
  options: { dir: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<ActionRun> {
  const outputFile = join(options.dir, `${name}-${Date.now()}-output`);
  const summaryFile = join(options.dir, `${name}-${Date.now()}-summary`);
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    ...(options.env ?? process.env),
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    // Runners leave IMDS alone; so does this machine, and looking for it costs a second a run.
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const [input, value] of Object.entries(inputs))
    env[`INPUT_${input.replace(/ /g, '_').toUpperCase()}`] = value;
  const { code, log } = await new Promise<{ code: number; log: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--no-warnings', join('actions', name, 'dist', 'index.js')],
      { env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const exit = error && typeof error.code === 'number' ? error.code : error ? 1 : 0;
        resolve({ code: exit, log: `${stdout}${stderr}` });
      },
    );
  });
  return {
    code,
    log,
    outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
  };
}
