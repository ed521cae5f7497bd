import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAwsCliV2 } from '../support/awsCli.js';
import { TEST_ENV, useLocalAws } from '../support/localAws.js';
import { documentationFiles, extractCommands } from '../support/markdown.js';

const run = promisify(execFile);
const local = useLocalAws();
const DOCUMENTED = 'http://127.0.0.1:4566';
const BUCKET = 'dekylemaposa-deliverystream-s3';

let bin = '';
/** Every AWS CLI command line of the docs, as written. */
const documented: string[] = [];
const ran = new Set<string>();

beforeAll(async () => {
  // An `aws` on PATH that adds the test's endpoint, so the docs' lines run exactly as written.
  bin = await mkdtemp(join(tmpdir(), 'docs-aws-'));
  await writeFile(
    join(bin, 'aws'),
    [
      '#!/bin/sh',
      `case " $* " in *" --endpoint-url "*) exec ${findAwsCliV2()} "$@" ;; esac`,
      `exec ${findAwsCliV2()} --endpoint-url ${local.endpoint()} "$@"`,
    ].join('\n'),
  );
  await chmod(join(bin, 'aws'), 0o755);
  await writeFile(join(bin, 'config'), '[default]\noutput = json\n');
  for (const file of await documentationFiles())
    documented.push(
      ...extractCommands(file, await readFile(file, 'utf8'))
        .map((c) => c.command)
        .filter((command) => command.startsWith('aws ') || command.startsWith('export AWS_')),
    );
});

afterAll(async () => {
  if (bin) await rm(bin, { recursive: true, force: true });
});

/**
 * The documented command that, leaving out `--endpoint-url <url>`, is `prefix`, or else the first
 * that starts with it.
 */
function doc(prefix: string): string {
  const bare = (command: string) => command.replace(` --endpoint-url ${DOCUMENTED}`, '');
  const found =
    documented.find((command) => bare(command) === prefix) ??
    documented.find((command) => bare(command).startsWith(prefix));
  if (!found) throw new Error(`no documented command starts with ${JSON.stringify(prefix)}`);
  ran.add(found);
  return found;
}

/**
 * Runs a command line in bash from the repository, as a reader would, against local AWS; with
 * `keys: false`, as a newcomer would, with no access keys anywhere.
 */
async function shell(command: string, { keys = true } = {}): Promise<string> {
  const { stdout } = await run('bash', ['-c', command.replaceAll(DOCUMENTED, local.endpoint())], {
    env: {
      PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
      HOME: bin,
      ...(keys
        ? TEST_ENV
        : { AWS_REGION: TEST_ENV.AWS_REGION, AWS_DEFAULT_REGION: TEST_ENV.AWS_DEFAULT_REGION }),
      AWS_CONFIG_FILE: join(bin, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(bin, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
    },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

describe('the AWS CLI commands of the docs, run as written against local AWS', () => {
  it('list and print the data the quick start reads', async () => {
    // Prepare: the data bucket with one delivered object, as npm start leaves it.
    await shell(`aws s3 mb s3://${BUCKET}`);
    const object = join(bin, 'object');
    await writeFile(object, '{"TickerName":"Index_1","Price":100.42}\n');
    await shell(`aws s3 cp ${object} s3://${BUCKET}/tickers/2026/11/28/18/delivery-1`);

    // A newcomer's shell: no keys until the quick start's export gives dummy ones.
    const keys = doc('export AWS_ACCESS_KEY_ID=local');
    const listing = await shell(
      `${keys}\n${doc('aws s3 ls s3://dekylemaposa-deliverystream-s3/ --recursive')}`,
      { keys: false },
    );
    const key = listing.trim().split(/\s+/).at(-1)!;
    const printed = await shell(
      `${keys}\n${doc('aws s3 cp s3://dekylemaposa-deliverystream-s3/').replace('<key>', key)}`,
      { keys: false },
    );
    await expect(
      shell(doc('aws s3 ls s3://dekylemaposa-deliverystream-s3/ --recursive'), { keys: false }),
    ).rejects.toThrow(/Unable to locate credentials/);
    const buckets = await shell(doc('aws s3 ls'));

    expect(key).toBe('tickers/2026/11/28/18/delivery-1');
    expect(printed).toBe('{"TickerName":"Index_1","Price":100.42}\n');
    expect(buckets).toContain(BUCKET);
  });

  it('bootstrap keyless access, read its outputs and trust policy, and delete it', async () => {
    await shell(doc('aws cloudformation deploy --template-file cloudformation/github-oidc.yaml'));
    const outputs = JSON.parse(
      await shell(doc('aws cloudformation describe-stacks --stack-name GitHubOidc-DEKYLMAP')),
    ) as { OutputKey: string; OutputValue: string }[];
    const trust = await shell(doc('aws iam get-role --role-name GitHubDeploy-DEKYLMAP'));
    await shell(doc('aws cloudformation delete-stack --stack-name GitHubOidc-DEKYLMAP'));
    await shell('aws cloudformation wait stack-delete-complete --stack-name GitHubOidc-DEKYLMAP');

    expect(Object.fromEntries(outputs.map((o) => [o.OutputKey, o.OutputValue]))).toMatchObject({
      DeployRoleArn: 'arn:aws:iam::000000000000:role/GitHubDeploy-DEKYLMAP',
      PreviewRoleArn: 'arn:aws:iam::000000000000:role/GitHubPreview-DEKYLMAP',
    });
    expect(trust).toContain('repo:OWNER/REPO:ref:refs/heads/main');
    expect(trust).toContain('repo:OWNER/REPO:environment:teardown');
    await expect(shell('aws iam get-role --role-name GitHubDeploy-DEKYLMAP')).rejects.toThrow(
      /NoSuchEntity/,
    );
  });

  it('subscribe an alert address again and list the subscriptions', async () => {
    const { TopicArn } = JSON.parse(
      await shell('aws sns create-topic --name DEKYLMAP-streaming-sns-topic'),
    ) as { TopicArn: string };

    const subscribed = await shell(doc('aws sns subscribe').replace('<TopicArn>', TopicArn));
    const listed = await shell(
      doc('aws sns list-subscriptions-by-topic').replace('<TopicArn>', TopicArn),
    );

    expect(JSON.parse(subscribed)).toHaveProperty('SubscriptionArn');
    expect(listed).toContain('"Endpoint": "you@example.com"');
  });

  it('deploy a template to local CloudFormation with the CLI', async () => {
    await shell(
      doc(
        'aws cloudformation deploy --stack-name demo --template-file cloudformation/code-artifacts.yaml',
      ),
    );

    const stacks = await shell('aws cloudformation describe-stacks --stack-name demo');
    expect(stacks).toContain('"StackStatus": "CREATE_COMPLETE"');
  });

  it('are all of the docs AWS CLI commands: each one is run above', () => {
    expect(documented.filter((command) => !ran.has(command))).toEqual([]);
  });
});
