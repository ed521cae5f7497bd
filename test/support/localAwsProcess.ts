import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** `npm run local-aws` running in a child process, so that a crash is seen as the process exiting. */
export interface LocalAwsProcess {
  endpoint: string;
  port: number;
  /** How the process ended, once it has; undefined while it runs. */
  exit(): { code: number | null; signal: string | null } | undefined;
  /** What it wrote to stdout and stderr so far. */
  output(): string;
  /** Stops it with SIGINT, as Ctrl-C would, and waits for it to exit. */
  stop(): Promise<void>;
}

/** Runs `scripts/local-aws.ts` with `args` and waits until it says where it serves. */
export async function spawnLocalAws(args: string[]): Promise<LocalAwsProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/local-aws.ts', '--port', '0', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  let exit: { code: number | null; signal: string | null } | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    }),
  );
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const endpoint = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      output += `${line}\n`;
      const match = /serving .* on (http:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error(`local AWS exited before serving:\n${output}`)));
  });
  return {
    endpoint,
    port: Number(new URL(endpoint).port),
    exit: () => exit,
    output: () => output,
    async stop() {
      if (!exit) child.kill('SIGINT');
      await exited;
    },
  };
}
