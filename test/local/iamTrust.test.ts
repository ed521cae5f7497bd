import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateDeliveryStreamCommand,
  FirehoseClient,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Resolver } from '../../lib/templates/resolve.js';
import { allowing, LOCAL_ACCOUNT, resolvedPipeline } from '../support/iam.js';
import { IN_REGION, TEST_ENV, useLocalAws } from '../support/localAws.js';
import { groupMessages } from '../support/logs.js';

// Firehose retries a refused delivery after a second: 50 times faster, 20 milliseconds.
const local = useLocalAws({ timeScale: 50 });
let iam: IAMClient;
let sts: STSClient;
let resolver: Resolver;

/** Creates a role of the pipeline template, by logical id, with its trust policy and policies. */
async function templateRole(id: string): Promise<string> {
  const properties = resolver.properties(id);
  const name = String(properties.RoleName);
  await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify(properties.AssumeRolePolicyDocument),
    }),
  );
  for (const policy of properties.Policies as { PolicyName: string; PolicyDocument: unknown }[])
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: policy.PolicyName,
        PolicyDocument: JSON.stringify(policy.PolicyDocument),
      }),
    );
  return `arn:aws:iam::${LOCAL_ACCOUNT}:role/${name}`;
}

beforeAll(async () => {
  iam = new IAMClient({ maxAttempts: 1, region: 'us-east-1' });
  sts = new STSClient({ maxAttempts: 1 });
  resolver = await resolvedPipeline();
});

describe('a trust policy admits only its principal', () => {
  let streamingRole: string;
  beforeAll(async () => {
    streamingRole = await templateRole('StreamingFunctionRole');
  });

  it('refuses a user assuming the streaming role, which trusts Lambda alone', async () => {
    const role = streamingRole;

    await expect(
      sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'intruder' })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${LOCAL_ACCOUNT}:user/local-admin is not authorized to perform: sts:AssumeRole on resource: ${role}`,
    });
  });

  it('lets Lambda take the streaming role, and refuses another service', async () => {
    const role = streamingRole;
    const authorizer = local.instance().authorizer;

    const asLambda = await authorizer.serviceSession(role, 'lambda.amazonaws.com', 's', {
      seconds: 900,
    });

    expect(asLambda?.principal.roleArn).toBe(role);
    await expect(
      authorizer.serviceSession(role, 'firehose.amazonaws.com', 's', { seconds: 900 }),
    ).rejects.toMatchObject({ name: 'AccessDeniedError', code: 'AccessDenied' });
  });

  it("admits Firehose to the delivery role only with the account's external id", async () => {
    const role = await templateRole('DeliveryStreamRole');
    const authorizer = local.instance().authorizer;
    const session = (externalId: string) =>
      authorizer.serviceSession(role, 'firehose.amazonaws.com', 'delivery', {
        seconds: 900,
        context: { 'sts:ExternalId': externalId },
      });

    await expect(session(LOCAL_ACCOUNT)).resolves.toBeDefined();
    await expect(session('999999999999')).rejects.toMatchObject({ name: 'AccessDeniedError' });
  });

  it("admits the Scheduler to its role for this account's schedules only", async () => {
    const role = await templateRole('SchedulerRole');
    const authorizer = local.instance().authorizer;
    const session = (sourceAccount: string) =>
      authorizer.serviceSession(role, 'scheduler.amazonaws.com', 'schedule', {
        seconds: 900,
        context: { 'aws:SourceAccount': sourceAccount },
      });

    await expect(session(LOCAL_ACCOUNT)).resolves.toBeDefined();
    await expect(session('999999999999')).rejects.toMatchObject({ name: 'AccessDeniedError' });
  });
});

/** A GitHub Actions token's claims (local STS reads claims without checking signatures). */
const token = (claims: Record<string, string>) =>
  [{ alg: 'RS256' }, { iss: 'https://token.actions.githubusercontent.com', ...claims }]
    .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
    .concat('c2ln')
    .join('.');

describe('a GitHub deploy role', () => {
  const ROLE = `arn:aws:iam::${LOCAL_ACCOUNT}:role/github-deploy`;
  beforeAll(async () => {
    await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: 'https://token.actions.githubusercontent.com',
        ClientIDList: ['sts.amazonaws.com'],
      }),
    );
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'github-deploy',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: {
                Federated: `arn:aws:iam::${LOCAL_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
              },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: {
                StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
                StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:kyle/pipeline:*' },
              },
            },
          ],
        }),
      }),
    );
  });
  const assume = (claims: Record<string, string>) =>
    sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: ROLE,
        RoleSessionName: 'deploy',
        WebIdentityToken: token(claims),
      }),
    );

  it("admits its own repository's workflows", async () => {
    const answer = await assume({
      aud: 'sts.amazonaws.com',
      sub: 'repo:kyle/pipeline:ref:refs/heads/main',
    });

    expect(answer.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/github-deploy/deploy`,
    );
  });

  it("refuses another repository's sub", async () => {
    await expect(
      assume({ aud: 'sts.amazonaws.com', sub: 'repo:mallory/fork:ref:refs/heads/main' }),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('refuses a token for another audience', async () => {
    await expect(
      assume({ aud: 'https://example.com', sub: 'repo:kyle/pipeline:ref:refs/heads/main' }),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('Firehose delivering with a role that cannot write', () => {
  it('logs S3.AccessDenied to the error log and delivers once the role may write', async () => {
    const logs = new CloudWatchLogsClient({ maxAttempts: 1 });
    const s3 = new S3Client({ forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'denied-delivery', ...IN_REGION }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'firehose-errors' }));
    await logs.send(
      new CreateLogStreamCommand({ logGroupName: 'firehose-errors', logStreamName: 'S3Delivery' }),
    );
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'firehose.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ],
    });
    await iam.send(
      new CreateRoleCommand({ RoleName: 'mute-delivery', AssumeRolePolicyDocument: trust }),
    );
    const logsOnly = allowing(
      ['logs:PutLogEvents'],
      [
        `arn:aws:logs:${TEST_ENV.AWS_REGION}:${LOCAL_ACCOUNT}:log-group:firehose-errors:log-stream:*`,
      ],
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'mute-delivery',
        PolicyName: 'p',
        PolicyDocument: logsOnly,
      }),
    );
    const firehose = new FirehoseClient({ maxAttempts: 1 });
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'denied-stream',
        ExtendedS3DestinationConfiguration: {
          BucketARN: 'arn:aws:s3:::denied-delivery',
          RoleARN: `arn:aws:iam::${LOCAL_ACCOUNT}:role/mute-delivery`,
          BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 1 },
          CloudWatchLoggingOptions: {
            Enabled: true,
            LogGroupName: 'firehose-errors',
            LogStreamName: 'S3Delivery',
          },
        },
      }),
    );

    await firehose.send(
      new PutRecordCommand({
        DeliveryStreamName: 'denied-stream',
        Record: { Data: Buffer.from('a') },
      }),
    );
    await expect
      .poll(() => groupMessages(logs, 'firehose-errors'), { timeout: 5000 })
      .not.toEqual([]);
    const [logged] = await groupMessages(logs, 'firehose-errors');
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'mute-delivery',
        PolicyName: 'p',
        PolicyDocument: allowing(['s3:PutObject'], ['arn:aws:s3:::denied-delivery/*']),
      }),
    );

    expect(JSON.parse(logged!)).toMatchObject({
      errorCode: 'S3.AccessDenied',
      destination: 'arn:aws:s3:::denied-delivery',
    });
    await expect
      .poll(
        async () =>
          (await s3.send(new ListObjectsV2Command({ Bucket: 'denied-delivery' }))).KeyCount,
        { timeout: 10_000 },
      )
      .toBe(1);
  });
});
