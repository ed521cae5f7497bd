import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run local-aws', () => {
  it('refuses a time scale that is not a positive number, naming the flag', async () => {
    const failure = await run('npx', ['tsx', 'scripts/local-aws.ts', '--time-scale', '0'], {
      env: { ...process.env, LOCAL_AWS_TIME_SCALE: '' },
    }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );

    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('--time-scale must be a positive number');
  });
});
