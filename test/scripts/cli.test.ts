import { describe, expect, it } from 'vitest';
import { SERVICE_TITLES } from '../../local/gateway.js';
import { asksForHelp, command, isEntryPoint, UsageError, wrap } from '../../scripts/cli.js';
import { main as localAws } from '../../scripts/local-aws.js';
import { runMain } from '../support/cli.js';

const USAGE = 'Usage: npm run example';

describe('command', () => {
  it('returns the body’s exit status and passes the arguments through', async () => {
    const main = command(USAGE, async (argv, io) => {
      io.stdout(argv.join(' '));
      return 3;
    });
    expect(await runMain(main, ['a', 'b'])).toEqual({ code: 3, stdout: 'a b\n', stderr: '' });
  });

  it('prints the usage and exits 0 on --help, without running the body', async () => {
    let ran = false;
    const main = command(USAGE, async () => {
      ran = true;
      return 1;
    });
    expect(await runMain(main, ['--json', '--help'])).toEqual({
      code: 0,
      stdout: `${USAGE}\n`,
      stderr: '',
    });
    expect(ran).toBe(false);
  });

  it('exits 2 with the message and the usage on a UsageError', async () => {
    const main = command(USAGE, async () => {
      throw new UsageError('--size must be a number');
    });
    expect(await runMain(main, [])).toEqual({
      code: 2,
      stdout: '',
      stderr: `--size must be a number\n\n${USAGE}\n`,
    });
  });

  it('exits 1 with one error line and no stack trace on any other failure', async () => {
    const main = command(USAGE, async () => {
      throw new Error('the table is gone');
    });
    expect(await runMain(main, [])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: the table is gone\n',
    });
  });

  it('adds the stack trace when DEBUG is set', async () => {
    const main = command(USAGE, async () => {
      throw new Error('the table is gone');
    });
    const { stderr } = await runMain(main, [], { DEBUG: '1' });
    expect(stderr).toMatch(/^error: the table is gone\nError: the table is gone\n\s+at /);
  });
});

describe('asksForHelp', () => {
  it('sees --help or -h among the options', () => {
    expect(asksForHelp(['--json', '--help'])).toBe(true);
    expect(asksForHelp(['-h'])).toBe(true);
  });

  it('leaves --help after -- to the command, as an argument', () => {
    expect(asksForHelp(['--', '--help'])).toBe(false);
    expect(asksForHelp(['--json'])).toBe(false);
  });
});

describe('wrap', () => {
  it('folds at spaces into lines no wider than asked, keeping every word in order', () => {
    const text = 'one two three four five six seven eight nine ten';
    const lines = wrap(text, 14).split('\n');
    expect(lines).toEqual(['one two three', 'four five six', 'seven eight', 'nine ten']);
  });

  it('leaves a word longer than the width on a line of its own', () => {
    expect(wrap('a abcdefghij b', 4)).toBe('a\nabcdefghij\nb');
  });
});

describe('isEntryPoint', () => {
  it('is false for a module that was imported, not started', () => {
    expect(isEntryPoint(import.meta.url)).toBe(false);
  });
});

describe('npm run local-aws (command line)', () => {
  it('names every service it serves in its help, within 80 columns', async () => {
    const { code, stdout } = await runMain(localAws, ['--help']);
    expect(code).toBe(0);
    const oneLine = stdout.replace(/\s+/g, ' ');
    for (const title of Object.values(SERVICE_TITLES)) expect(oneLine).toContain(title);
    for (const line of stdout.split('\n').slice(2, 5)) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('exits 2 naming --port when it is not a port number', async () => {
    const { code, stderr } = await runMain(localAws, ['--port', 'http']);
    expect(code).toBe(2);
    expect(stderr).toContain('--port must be a port number from 0 to 65535, not "http"');
  });

  it('exits 2 naming LOCAL_AWS_FAULTS when it is not JSON', async () => {
    const { code, stderr } = await runMain(localAws, ['--port', '0'], {
      LOCAL_AWS_FAULTS: '{firehose',
    });
    expect(code).toBe(2);
    expect(stderr).toContain('LOCAL_AWS_FAULTS must be JSON');
  });
});
