import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { simpleCommands, unexercised, usageFromScripts, words } from '../support/docCommands.js';
import type { UsageOf } from '../support/docCommands.js';
import { documentationFiles, extractCommands } from '../support/markdown.js';
import type { DocCommand } from '../support/markdown.js';

const SCRIPTS = { validate: 'tsx scripts/validate.ts', start: 'node scripts/launch.mjs start' };
const usage: UsageOf = async (name) =>
  name === 'validate' ? 'Usage: npm run validate -- [--config <file>] [--json]' : undefined;
const check = (markdown: string) =>
  unexercised(extractCommands('FAKE.md', markdown), SCRIPTS, usage);

describe('the check of documented commands', () => {
  it('passes commands that CI, a script or a listed test runs', async () => {
    const markdown = [
      '```sh',
      'npm ci && npm start',
      'npm run --silent validate -- --json > report.json',
      'aws --endpoint-url http://127.0.0.1:4566 s3 ls',
      '```',
    ].join('\n');
    expect(await check(markdown)).toEqual([]);
  });

  it('fails an AWS CLI command that no test runs', async () => {
    const problems = await check('```sh\naws s3 rb s3://bucket --force\n```');
    expect(problems).toEqual([expect.stringMatching(/^FAKE\.md:2: aws s3 rb .*no test runs/)]);
  });

  it('fails an npm script that package.json does not have', async () => {
    expect(await check('Run `npm run deploy-everything` first.')).toEqual([
      expect.stringContaining('package.json has no script "deploy-everything"'),
    ]);
  });

  it('fails a flag that the script does not accept', async () => {
    expect(await check('```sh\nnpm run validate -- --frobnicate\n```')).toEqual([
      expect.stringContaining('npm run validate does not accept --frobnicate'),
    ]);
  });

  it('fails flags given to a script without a usage text to check them against', async () => {
    expect(await check('```sh\nnpm start -- --every 60\n```')).toEqual([
      expect.stringContaining('npm script start has no usage text'),
    ]);
  });

  it('fails a program nobody runs, and a command inside $(...)', async () => {
    const problems = await check('```sh\nmake all\necho "$(npm run nothing-here)"\n```');
    expect(problems).toHaveLength(2);
    expect(problems[1]).toContain('nothing-here');
  });

  it('fails an environment variable that no test sets', async () => {
    expect(await check('```sh\nFOO_BAR=1 npm run validate\n```')).toEqual([
      expect.stringContaining('no test sets FOO_BAR'),
    ]);
  });
});

describe('the command splitter', () => {
  it('splits on && and ; and takes out $(...) and redirections', () => {
    expect(
      simpleCommands('npm ci && x "$(npm run --silent config -- region)" > out.txt; y'),
    ).toEqual(['npm ci', 'x VALUE', 'y', 'npm run --silent config -- region']);
  });

  it('keeps quoted words whole', () => {
    expect(words(`npm run query -- "SELECT a, b FROM t" --json`)).toEqual([
      'npm',
      'run',
      'query',
      '--',
      '"SELECT a, b FROM t"',
      '--json',
    ]);
  });
});

describe('every command in README.md and docs/*.md', () => {
  let commands: DocCommand[];
  let scripts: Record<string, string>;

  beforeAll(async () => {
    commands = [];
    for (const file of await documentationFiles())
      commands.push(...extractCommands(file, await readFile(file, 'utf8')));
    scripts = (
      JSON.parse(await readFile('package.json', 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
  });

  it('includes the two commands of the README, exactly', () => {
    const readme = commands.filter((c) => c.file === 'README.md').map((c) => c.command);
    expect(readme.slice(0, 2)).toEqual(['npm ci && npm start', 'npm test']);
  });

  it('is exercised by a test or by CI', async () => {
    expect(await unexercised(commands, scripts, usageFromScripts(scripts))).toEqual([]);
  });
});
