import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load.js';
import { deriveNames } from '../../lib/config/names.js';
import { localClients, putItems, tutorialTickers } from '../../local/pipeline.js';
import { deployPipeline } from '../support/cloudFormation.js';
import { refusals } from '../support/iam.js';
import { invokeJson } from '../support/lambdaZip.js';
import { useLocalAws } from '../support/localAws.js';
import { COMPLETE_RECORD } from '../functions/notification/records.js';
import { groupMessages } from '../support/logs.js';

// The delivery stream's 60 s buffer passes in a second.
const local = useLocalAws({ timeScale: 60 });
const config = parseConfig(
  JSON.stringify({
    firstName: 'Kyle',
    lastName: 'Maposa',
    alertEmails: ['kyle.maposa@example.com'],
    bucketReadAccess: 'private',
  }),
);
const names = deriveNames(config);
let buildDir = '';
let iam: IAMClient;
let lambda: LambdaClient;

beforeAll(async () => {
  iam = new IAMClient({ maxAttempts: 1, region: 'us-east-1' });
  lambda = new LambdaClient({ maxAttempts: 1 });
  buildDir = await mkdtemp(join(tmpdir(), 'iam-pipeline-'));
  await deployPipeline(config, buildDir);
  await putItems(localClients(local.endpoint()), names.table, tutorialTickers(5));
}, 180_000);

afterAll(async () => {
  await rm(buildDir, { recursive: true, force: true });
});

/** Runs `act` with one statement (found by an action it grants) gone from a role's policy. */
async function withoutStatement<T>(
  role: string,
  policyName: string,
  action: string,
  act: () => Promise<T>,
): Promise<T> {
  const { PolicyDocument } = await iam.send(
    new GetRolePolicyCommand({ RoleName: role, PolicyName: policyName }),
  );
  const original = decodeURIComponent(PolicyDocument!);
  const document = JSON.parse(original) as { Statement: { Action: string | string[] }[] };
  const kept = document.Statement.filter(
    (statement) => ![statement.Action].flat().includes(action),
  );
  expect(kept.length).toBe(document.Statement.length - 1);
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: role,
      PolicyName: policyName,
      PolicyDocument: JSON.stringify({ ...document, Statement: kept }),
    }),
  );
  try {
    return await act();
  } finally {
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: role,
        PolicyName: policyName,
        PolicyDocument: original,
      }),
    );
  }
}

describe('the pipeline deployed locally, with IAM enforced', () => {
  it('runs a tick in which every call of every part is allowed', async () => {
    const s3 = new S3Client({ forcePathStyle: true });

    const tick = await invokeJson(lambda, names.streamingFunction, { id: 'iam-tick-1' });

    expect(tick.FunctionError, JSON.stringify(tick.body)).toBeUndefined();
    await expect
      .poll(
        async () =>
          (await s3.send(new ListObjectsV2Command({ Bucket: names.bucket, Prefix: 'tickers/' })))
            .KeyCount,
        { timeout: 15_000 },
      )
      .toBeGreaterThan(0);
    const logs = await groupMessages(new CloudWatchLogsClient({}), names.streamingLogGroup);
    expect(logs.some((line) => line.includes('tick'))).toBe(true);
    expect(await refusals(local.endpoint())).toEqual([]);
  });

  it("fails the streaming function's UpdateItem without its role's DynamoDB statement", async () => {
    const tick = await withoutStatement(
      names.streamingRole,
      'stream-tickers',
      'dynamodb:UpdateItem',
      () => invokeJson(lambda, names.streamingFunction, { id: 'iam-tick-2' }),
    );

    expect(tick.FunctionError).toBe('Unhandled');
    expect(JSON.stringify(tick.body)).toMatch(/AccessDenied.*not authorized to perform: dynamodb:/);
  });

  it("fails the streaming function's PutRecordBatch without its role's Firehose statement", async () => {
    const tick = await withoutStatement(
      names.streamingRole,
      'stream-tickers',
      'firehose:PutRecordBatch',
      () => invokeJson(lambda, names.streamingFunction, { id: 'iam-tick-3' }),
    );

    expect(tick.FunctionError).toBe('Unhandled');
    expect(tick.body.errorMessage).toContain('not delivered to Firehose (AccessDeniedException)');
    expect(await refusals(local.endpoint())).toContainEqual(
      expect.objectContaining({
        action: 'firehose:PutRecordBatch',
        principal: expect.stringContaining(`assumed-role/${names.streamingRole}/`),
      }),
    );
  });

  it("writes none of the streaming function's logs without its role's logs statement", async () => {
    const before = (await refusals(local.endpoint())).length;

    await withoutStatement(names.streamingRole, 'stream-tickers', 'logs:PutLogEvents', async () => {
      // A fresh instance starts a fresh log stream: the role's session decides its writes.
      await lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: names.streamingFunction,
          Description: 'fresh instances',
        }),
      );
      return invokeJson(lambda, names.streamingFunction, { id: 'iam-tick-4' });
    });

    const refused = (await refusals(local.endpoint())).slice(before);
    expect(refused.map((refusal) => refusal.action)).toContain('logs:CreateLogStream');
  });

  it("fails the notification function's Publish without its role's SNS statement", async () => {
    const alert = await withoutStatement(
      names.notificationRole,
      'publish-alerts',
      'sns:Publish',
      () => invokeJson(lambda, names.notificationFunction, COMPLETE_RECORD),
    );

    expect(alert.FunctionError).toBe('Unhandled');
    expect(alert.body.errorType).toBe('AuthorizationErrorException');
  });

  it("logs S3.AccessDenied for Firehose's delivery without its role's S3 statement", async () => {
    const logs = new CloudWatchLogsClient({});

    await withoutStatement(
      names.deliveryStreamRole,
      'deliver-to-data-bucket',
      's3:PutObject',
      async () => {
        await invokeJson(lambda, names.streamingFunction, { id: 'iam-tick-5' });
        await expect
          .poll(
            async () =>
              (await groupMessages(logs, names.deliveryStreamLogGroup)).some((line) =>
                line.includes('S3.AccessDenied'),
              ),
            { timeout: 15_000 },
          )
          .toBe(true);
      },
    );
  });

  it("records a refused invoke for the schedule without its role's Lambda statement", async () => {
    await withoutStatement(
      names.schedulerRole,
      'invoke-streaming-function',
      'lambda:InvokeFunction',
      () =>
        expect
          .poll(
            async () =>
              (await refusals(local.endpoint())).some(
                (refusal) =>
                  refusal.action === 'lambda:InvokeFunction' &&
                  refusal.principal.includes(`assumed-role/${names.schedulerRole}/`),
              ),
            { timeout: 15_000 },
          )
          .toBe(true),
    );
  });
});
