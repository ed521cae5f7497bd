import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CliIo, Main } from '../../scripts/cli.js';
import type { DocCommand } from './markdown.js';

/** Where a documented command is run: a test file (or CI script) and the text in it that runs it. */
export interface Exercise {
  file: string;
  contains: string;
}

/** The test running each AWS CLI command of the docs against local AWS, by command prefix. */
export const AWS_COMMANDS: Record<string, Exercise> = Object.fromEntries(
  [
    'aws s3 ls',
    'aws s3 ls s3://dekylemaposa-deliverystream-s3/ --recursive',
    'aws s3 cp s3://dekylemaposa-deliverystream-s3/',
    'aws cloudformation deploy --template-file cloudformation/github-oidc.yaml',
    'aws cloudformation describe-stacks --stack-name GitHubOidc-DEKYLMAP',
    'aws iam get-role --role-name GitHubDeploy-DEKYLMAP',
    'aws cloudformation delete-stack --stack-name GitHubOidc-DEKYLMAP',
    'aws sns list-subscriptions-by-topic',
    'aws sns subscribe',
    'aws cloudformation deploy --stack-name demo --template-file cloudformation/code-artifacts.yaml',
  ].map((prefix) => [prefix, { file: 'test/docs/awsCommands.test.ts', contains: `'${prefix}'` }]),
);

/** Other programs the docs show, by command prefix, and the test that makes the same call. */
export const OTHER_COMMANDS: Record<string, Exercise> = {
  'npx @github/local-action run actions/validate src/main.ts': {
    file: 'test/docs/localAction.test.ts',
    contains: "'npx @github/local-action run actions/validate src/main.ts'",
  },
  // The quick start's dummy keys: its test runs them with the AWS CLI lines, with no other keys.
  'export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local': {
    file: 'test/docs/awsCommands.test.ts',
    contains: "doc('export AWS_ACCESS_KEY_ID=local')",
  },
  // Local AWS's admin paths: the tests send the same HTTP requests with fetch.
  'curl -X PUT http://127.0.0.1:4566/_local/faults': {
    file: 'test/local/firehose.test.ts',
    contains: "/_local/faults`, {\n      method: 'PUT'",
  },
  'curl -X DELETE http://127.0.0.1:4566/_local/faults': {
    file: 'test/support/localAws.ts',
    contains: "clearFaults: () => admin('DELETE')",
  },
  'curl -X PUT http://127.0.0.1:4566/_local/accounts': {
    file: 'test/support/iam.ts',
    contains: '/_local/accounts',
  },
  'curl http://127.0.0.1:4566/_local/iam/decisions': {
    file: 'test/support/iam.ts',
    contains: '/_local/iam/decisions',
  },
};

/** Environment variables the docs set before a command, and the test that sets each. */
export const ENVIRONMENT: Record<string, Exercise> = {
  AWS_ENDPOINT_URL: { file: 'test/scripts/query.test.ts', contains: 'AWS_ENDPOINT_URL' },
  LOCAL_AWS_FAULTS: { file: 'test/scripts/cli.test.ts', contains: 'LOCAL_AWS_FAULTS' },
};

/** The npm commands `.ci/run` runs as they are (the README's two commands). */
export const CI_COMMANDS = ['npm ci', 'npm test'] as const;

/** Splits a command line into words, keeping quoted text and `$(...)` whole. */
export function words(command: string): string[] {
  const result: string[] = [];
  let current = '';
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < command.length; i++) {
    const char = command[i]!;
    if (depth > 0) {
      current += char;
      if (char === '(') depth++;
      if (char === ')') depth--;
    } else if (quote) {
      current += char;
      if (char === quote) quote = undefined;
    } else if (char === '$' && command[i + 1] === '(') {
      current += '$(';
      depth = 1;
      i++;
    } else if (char === "'" || char === '"') {
      current += char;
      quote = char;
    } else if (/\s/.test(char)) {
      if (current) result.push(current);
      current = '';
    } else current += char;
  }
  if (current) result.push(current);
  return result;
}

/** The simple commands of a line: `a && b; c | d` and each `$(...)` inside, redirections dropped. */
export function simpleCommands(command: string): string[] {
  const inner = [...command.matchAll(/\$\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g)].flatMap((match) =>
    simpleCommands(match[1]!),
  );
  const outer = command
    .replace(/"?\$\(([^()]*(?:\([^()]*\)[^()]*)*)\)"?/g, 'VALUE')
    .split(/\s*(?:&&|\|\||;|\|)\s*/)
    .map((part) => part.replace(/\s+\d?>>?\s*\S+/g, '').trim())
    .filter((part) => part !== '');
  return [...outer, ...inner];
}

/** How to learn which options an npm script accepts: its `main(['--help'])`, if it has one. */
export type UsageOf = (script: string) => Promise<string | undefined>;

/** The usage text of the script behind an npm script, from its exported `main`. */
export function usageFromScripts(scripts: Record<string, string>): UsageOf {
  return async (name) => {
    const source = scripts[name] ?? '';
    const file =
      /\btsx (scripts\/[\w./-]+\.ts)/.exec(source)?.[1] ??
      (/\blaunch\.mjs ([\w-]+)/.exec(source)?.[1] ?? '').replace(/^(.+)$/, 'scripts/$1.ts');
    if (!file || !existsSync(file)) return undefined;
    const module = (await import(/* @vite-ignore */ pathToFileURL(resolve(file)).href)) as {
      main?: Main;
    };
    if (!module.main) return undefined;
    const lines: string[] = [];
    const io: CliIo = { stdout: (text) => lines.push(text), stderr: () => {}, env: {} };
    await module.main(['--help'], io);
    return lines.join('\n');
  };
}

async function fileContains(exercise: Exercise): Promise<string | undefined> {
  const text = existsSync(exercise.file) ? await readFile(exercise.file, 'utf8') : undefined;
  if (text === undefined) return `${exercise.file}, which should run it, does not exist`;
  return text.includes(exercise.contains)
    ? undefined
    : `${exercise.file} no longer contains ${JSON.stringify(exercise.contains)}`;
}

function longestPrefix<T>(table: Record<string, T>, command: string): T | undefined {
  const key = Object.keys(table)
    .filter(
      (prefix) =>
        command === prefix ||
        (command.startsWith(prefix) && (prefix.endsWith('/') || command[prefix.length] === ' ')),
    )
    .sort((a, b) => b.length - a.length)[0];
  return key === undefined ? undefined : table[key];
}

async function checkNpm(
  parts: string[],
  scripts: Record<string, string>,
  usageOf: UsageOf,
): Promise<string | undefined> {
  const [, verb, ...rest] = parts;
  const line = parts.join(' ');
  if ((CI_COMMANDS as readonly string[]).includes(line))
    return fileContains({ file: '.ci/run', contains: line });
  let name: string | undefined;
  let args: string[];
  if (verb === 'start' || verb === 'test') {
    name = verb;
    args = rest;
  } else if (verb === 'run') {
    const options = rest.filter((word) => word.startsWith('-') && rest.indexOf(word) === 0);
    name = rest[options.length];
    args = rest.slice(options.length + 1);
    if (options.some((option) => option !== '--silent'))
      return `npm run option ${options.join(' ')} is not one the docs may use (only --silent)`;
  } else return `"npm ${verb ?? ''}" is neither npm ci, npm test, npm start nor npm run`;
  if (!name || !(name in scripts)) return `package.json has no script ${JSON.stringify(name)}`;
  if (args.length === 0) return undefined;
  if (args[0] !== '--') return `arguments to npm ${verb} need "--" first: ${line}`;
  const flags = args
    .slice(1)
    .filter((word) => /^--?[a-z]/i.test(word))
    .map((word) => word.replace(/=.*$/, ''));
  if (flags.length === 0) return undefined;
  const usage = await usageOf(name);
  if (usage === undefined)
    return `npm script ${name} has no usage text (no exported main) to check ${flags.join(', ')} against`;
  const unknown = flags.filter((flag) => !new RegExp(`(^|[\\s\\[,])${flag}\\b`).test(usage));
  return unknown.length === 0
    ? undefined
    : `npm run ${name} does not accept ${unknown.join(', ')} (not in its --help)`;
}

/**
 * Why a documented command line is not exercised by a test or CI, or undefined when every simple
 * command in it is: npm scripts exist and accept the flags used; other programs are in the tables.
 */
export async function whyNotExercised(
  command: string,
  scripts: Record<string, string>,
  usageOf: UsageOf = usageFromScripts(scripts),
): Promise<string | undefined> {
  for (const simple of simpleCommands(command)) {
    let parts = words(simple);
    while (parts[0] && /^[A-Z_][A-Z0-9_]*=/.test(parts[0])) {
      const variable = parts[0].split('=')[0]!;
      const exercise = ENVIRONMENT[variable];
      if (!exercise) return `no test sets ${variable} (add it to ENVIRONMENT with its test)`;
      const problem = await fileContains(exercise);
      if (problem) return problem;
      parts = parts.slice(1);
    }
    const program = parts[0];
    let problem: string | undefined;
    if (program === 'npm') problem = await checkNpm(parts, scripts, usageOf);
    else {
      const normal = parts.filter((_, i) => parts[i - 1] !== '--endpoint-url');
      const key = normal.filter((word) => word !== '--endpoint-url').join(' ');
      const exercise =
        program === 'aws' ? longestPrefix(AWS_COMMANDS, key) : longestPrefix(OTHER_COMMANDS, key);
      problem = exercise
        ? await fileContains(exercise)
        : `no test runs ${JSON.stringify(key)} (add one, and the command to the table in test/support/docCommands.ts)`;
    }
    if (problem) return problem;
  }
  return undefined;
}

/** Every documented command that is not exercised, each with where it is and why. */
export async function unexercised(
  commands: readonly DocCommand[],
  scripts: Record<string, string>,
  usageOf: UsageOf = usageFromScripts(scripts),
): Promise<string[]> {
  const problems: string[] = [];
  for (const { file, line, command } of commands) {
    const why = await whyNotExercised(command, scripts, usageOf);
    if (why) problems.push(`${file}:${line}: ${command}: ${why}`);
  }
  return problems;
}
