import { execFile, execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { TEST_ENV } from './localAws.js';

const run = promisify(execFile);

/** Where an AWS CLI v2 may be: `AWS_CLI_V2` first, then Debian's awscli package, then PATH. */
const CANDIDATES = [process.env.AWS_CLI_V2, '/usr/bin/aws', '/usr/local/bin/aws', 'aws'];

/** The major version a CLI reports (`aws-cli/2.9.19 Python/...`), or undefined when it does not run. */
function majorVersion(command: string): number | undefined {
  try {
    const text = execFileSync(command, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    const match = /aws-cli\/(\d+)\./.exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

let found: string | null | undefined;

/**
 * Finds an AWS CLI v2: the tests use it as an independent client of the wire protocols. pip's v1,
 * which comes first on PATH on some machines, is skipped. Throws, saying how to install one, when
 * there is none.
 */
export function findAwsCliV2(): string {
  found ??= CANDIDATES.find((command) => command && majorVersion(command) === 2) ?? null;
  if (!found) {
    throw new Error(
      'no AWS CLI v2 found (tried $AWS_CLI_V2, /usr/bin/aws, /usr/local/bin/aws and aws on PATH): ' +
        "install Debian's awscli package (apt-get install awscli), as .ci/run does, or set AWS_CLI_V2",
    );
  }
  return found;
}

/** Runs the AWS CLI v2 against an endpoint. */
export type AwsCli = ((...args: string[]) => Promise<string>) & {
  /** Runs a command that must fail, and returns its standard error. */
  fails(...args: string[]): Promise<string>;
  /** Starts a long-running command (such as `logs tail --follow`), its output unbuffered. */
  start(...args: string[]): ChildProcess;
};

/**
 * An AWS CLI v2 for the calling test file, pointed at `endpoint()`, with dummy credentials, no user
 * configuration and `parameter_validation = false` (Debian's 2.9 predates Firehose's zero buffering:
 * let local AWS, like AWS today, be the one to validate). Its temporary home is removed afterwards.
 */
export function useAwsCli(endpoint: () => string): AwsCli {
  let home = '';
  let command = '';
  beforeAll(async () => {
    command = findAwsCliV2();
    home = await mkdtemp(join(tmpdir(), 'aws-cli-'));
    await writeFile(join(home, 'config'), '[default]\nparameter_validation = false\n');
  });
  afterAll(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });
  const env = () => ({
    PATH: process.env.PATH,
    HOME: home,
    ...TEST_ENV,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    PYTHONUNBUFFERED: '1',
  });
  const aws = async (...args: string[]): Promise<string> => {
    const { stdout } = await run(
      command,
      ['--endpoint-url', endpoint(), '--output', 'json', ...args],
      { env: env(), maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  };
  const start = (...args: string[]): ChildProcess =>
    spawn(command, ['--endpoint-url', endpoint(), ...args], {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const fails = async (...args: string[]): Promise<string> => {
    try {
      await aws(...args);
    } catch (error: unknown) {
      return String((error as { stderr?: unknown }).stderr ?? error);
    }
    throw new Error(`aws ${args.join(' ')} succeeded but should have failed`);
  };
  return Object.assign(aws, { fails, start, home: () => home });
}
