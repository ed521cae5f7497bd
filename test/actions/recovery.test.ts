import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions } from '../../lib/build/functions.js';
import { runActionProcess } from '../support/actionRun.js';
import { useLocalAws } from '../support/localAws.js';
import { useTempDir } from '../support/tempDir.js';

useLocalAws({ timeScale: 60 });
const tempDir = useTempDir('actions-recovery-');
const STACK = 'DEKYLMAP-streaming-pipeline';
const TABLE = 'DEKYLMAP-streaming-dynamodb';
let dir = '';
let artifacts = '';

beforeAll(async () => {
  dir = await tempDir();
  artifacts = `${dir}/build`;
  await buildFunctions({ outDir: artifacts });
}, 120_000);

const run = (name: string, inputs: Record<string, string> = {}, env?: NodeJS.ProcessEnv) =>
  runActionProcess(name, inputs, { dir, timeoutMs: 240_000, ...(env ? { env } : {}) });

describe('deploy after a failed create', () => {
  it('fails the first create naming the resource that failed and why', async () => {
    // A table of the same name, made outside the stack, makes the stack's own table fail.
    const dynamodb = new DynamoDBClient({});
    await dynamodb.send(
      new CreateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [{ AttributeName: 'TickerName', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'TickerName', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitUntilTableExists(
      { client: dynamodb, maxWaitTime: 30, minDelay: 1 },
      { TableName: TABLE },
    );

    const deploy = await run('deploy', { artifacts });
    const { Stacks } = await new CloudFormationClient({}).send(
      new DescribeStacksCommand({ StackName: STACK }),
    );

    expect(deploy.code).toBe(1);
    expect(deploy.log).toMatch(
      /::error::deploying DEKYLMAP-streaming-pipeline failed \(ROLLBACK_COMPLETE\): TickerTable \(AWS::DynamoDB::Table\) CREATE_FAILED: /,
    );
    expect(deploy.log).not.toMatch(/\n\s+at /);
    expect(Stacks?.[0]?.StackStatus).toBe('ROLLBACK_COMPLETE');
  }, 240_000);

  it('deletes the ROLLBACK_COMPLETE stack and creates it again, saying so', async () => {
    await new DynamoDBClient({}).send(new DeleteTableCommand({ TableName: TABLE }));

    const deploy = await run('deploy', { artifacts });

    expect(deploy.log).toMatch(
      /::warning::DEKYLMAP-streaming-pipeline is in ROLLBACK_COMPLETE.*deleted and created again/,
    );
    expect(deploy.code).toBe(0);
    expect(deploy.outputs).toMatchObject({ changed: 'true', status: 'CREATE_COMPLETE' });
  }, 240_000);
});

describe('without AWS credentials', () => {
  it('skips with a notice naming the repository variable and succeeds', async () => {
    const env = { ...process.env };
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
    ])
      delete env[name];
    Object.assign(env, {
      AWS_SHARED_CREDENTIALS_FILE: `${dir}/no-credentials`,
      AWS_CONFIG_FILE: `${dir}/no-config`,
    });

    const seed = await run('seed', {}, env);

    expect(seed.code).toBe(0);
    expect(seed.outputs.skipped).toBe('true');
    expect(seed.log).toMatch(/::notice::No AWS credentials found.*AWS_DEPLOY_ROLE_ARN/);
  }, 60_000);
});
