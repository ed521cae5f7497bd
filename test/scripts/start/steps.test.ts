import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { main } from '../../../scripts/start.js';
import { runSteps, StartStepError } from '../../../scripts/start/steps.js';
import { runMain } from '../../support/cli.js';

const quiet = { print: () => undefined, now: () => 0, verbose: false };

describe('runSteps', () => {
  it('prints a line as each step starts and ends, numbered in the whole run', async () => {
    const lines: string[] = [];
    let now = 0;

    await runSteps([{ title: 'seed the table', run: async () => void (now += 1500) }], {
      print: (line) => lines.push(line),
      now: () => now,
      verbose: false,
      numbering: { from: 4, of: 4 },
    });

    expect(lines).toEqual(['[4/4] seed the table ...', '[4/4] seed the table: done in 1.5 s']);
  });

  it('names the failed step and its reason, and runs no step after it', async () => {
    let ranAfter = false;

    const run = runSteps(
      [
        {
          title: 'deploy the stacks',
          run: () => Promise.reject(new Error('the stack rolled back')),
        },
        { title: 'seed the table', run: async () => void (ranAfter = true) },
      ],
      quiet,
    );

    await expect(run).rejects.toThrow(StartStepError);
    await expect(run).rejects.toThrow('step "deploy the stacks" failed: the stack rolled back');
    expect(ranAfter).toBe(false);
  });

  it('shows a step’s warnings even when not verbose', async () => {
    const lines: string[] = [];

    await runSteps(
      [{ title: 'validate', run: async (reporter) => reporter.warning('an example address') }],
      { ...quiet, print: (line) => lines.push(line) },
    );

    expect(lines).toContain('      warning: an example address');
  });
});

describe('npm start command line', () => {
  it('refuses an --every that is not a positive number, naming the option', async () => {
    const result = await runMain(main, ['--every', '0']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--every must be a positive number such as 5 (seconds), not "0"',
    );
  });

  it('refuses a --ticks that is not a whole number', async () => {
    const result = await runMain(main, ['--ticks', '1.5']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--ticks must be a whole number from 1, not "1.5"');
  });

  it('exits 1 with one error line, no stack trace, when something else holds the port', async () => {
    const server = createServer((_, response) => response.end('not local AWS'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const result = await runMain(main, ['--teardown', '--port', String(port)]);

      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `error: something other than local AWS answers on http://127.0.0.1:${port}; stop it or choose another --port\n`,
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('names a config file it cannot read, before anything starts', async () => {
    const result = await runMain(main, ['--config', 'does-not-exist.json']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('does-not-exist.json');
    expect(result.stdout).toBe('');
  });
});
