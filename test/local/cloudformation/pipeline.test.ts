import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions } from '../../../lib/build/functions.js';
import type { FunctionManifest } from '../../../lib/build/functions.js';
import { parseConfig } from '../../../lib/config/load.js';
import { deriveNames } from '../../../lib/config/names.js';
import type { ResourceNames } from '../../../lib/config/names.js';
import { artifactsParameters, pipelineParameters } from '../../../lib/templates/parameters.js';
import {
  cloudFormationClient,
  createStack,
  settled,
  stackEvents,
} from '../../support/cloudFormation.js';
import { useLocalAws } from '../../support/localAws.js';

useLocalAws();
let cfn: CloudFormationClient;
let s3: S3Client;
let names: ResourceNames;
let manifest: FunctionManifest;
let buildDir = '';

const config = parseConfig(
  JSON.stringify({
    firstName: 'Kyle',
    lastName: 'Maposa',
    alertEmails: ['kyle.maposa@example.com', 'ops@example.com'],
    bucketReadAccess: 'authenticated-aws-accounts',
  }),
);

beforeAll(async () => {
  cfn = cloudFormationClient();
  s3 = new S3Client({ maxAttempts: 1, forcePathStyle: true });
  names = deriveNames(config);
  buildDir = await mkdtemp(join(tmpdir(), 'pipeline-functions-'));
  manifest = await buildFunctions({ outDir: buildDir });
}, 120_000);

afterAll(async () => {
  await rm(buildDir, { recursive: true, force: true });
});

describe("the project's templates on local CloudFormation", () => {
  it('deploys the code-artifacts stack, and the built zips go into its bucket', async () => {
    const stack = await createStack(
      cfn,
      names.artifactsStack,
      await readFile('cloudformation/code-artifacts.yaml', 'utf8'),
      { parameters: artifactsParameters(names) },
    );

    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    for (const built of Object.values(manifest))
      await s3.send(
        new PutObjectCommand({
          Bucket: names.artifactsBucket,
          Key: built.key,
          Body: await readFile(built.file),
        }),
      );
  });

  it('deploys the pipeline stack with every resource in its service', async () => {
    const parameters = pipelineParameters(config, names, {
      streaming: manifest.streaming.key,
      notification: manifest.notification.key,
    });

    const stack = await createStack(
      cfn,
      names.stack,
      await readFile('cloudformation/pipeline.yaml', 'utf8'),
      {
        parameters,
        capabilities: ['CAPABILITY_NAMED_IAM'],
      },
    );

    const failed = (await stackEvents(cfn, names.stack)).find(
      (e) => e.ResourceStatus === 'CREATE_FAILED',
    );
    expect(failed?.ResourceStatusReason, failed?.LogicalResourceId).toBeUndefined();
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const { Table } = await new DynamoDBClient({}).send(
      new DescribeTableCommand({ TableName: names.table }),
    );
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: names.bucket }))).Status).toBe(
      'Enabled',
    );
    const { DeliveryStreamDescription } = await new FirehoseClient({}).send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: names.deliveryStream }),
    );
    expect(DeliveryStreamDescription?.DeliveryStreamStatus).toBe('ACTIVE');
    const lambda = new LambdaClient({});
    for (const name of [names.streamingFunction, names.notificationFunction]) {
      const { Configuration } = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
      expect(Configuration?.Runtime).toBe('nodejs22.x');
    }
    const topicArn = `arn:aws:sns:eu-west-1:000000000000:${names.topic}`;
    const { Subscriptions } = await new SNSClient({}).send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }),
    );
    expect(Subscriptions?.map((s) => s.Endpoint).sort()).toEqual([
      'kyle.maposa@example.com',
      'ops@example.com',
    ]);
    const logs = new CloudWatchLogsClient({});
    for (const group of [
      names.deliveryStreamLogGroup,
      names.notificationLogGroup,
      names.streamingLogGroup,
    ]) {
      const { logGroups } = await logs.send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: group }),
      );
      expect(logGroups?.map((g) => [g.logGroupName, g.retentionInDays])).toEqual([[group, 365]]);
    }
    const iam = new IAMClient({});
    for (const role of [
      names.streamingRole,
      names.notificationRole,
      names.deliveryStreamRole,
      names.schedulerRole,
    ])
      expect((await iam.send(new GetRoleCommand({ RoleName: role }))).Role?.RoleName).toBe(role);
    const { State } = await new SchedulerClient({}).send(
      new GetScheduleCommand({ Name: names.schedule }),
    );
    expect(State).toBe('ENABLED');
  });

  it('fails to delete the stack while the data bucket holds versions, and succeeds once they are gone', async () => {
    await s3.send(
      new PutObjectCommand({ Bucket: names.bucket, Key: 'tickers/one.json', Body: '{}' }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: names.bucket, Key: 'tickers/one.json', Body: '{"v":2}' }),
    );

    await cfn.send(new DeleteStackCommand({ StackName: names.stack }));
    const failed = await settled(cfn, names.stack);

    expect(failed.StackStatus).toBe('DELETE_FAILED');
    const reason = (await stackEvents(cfn, names.stack)).find(
      (e) => e.LogicalResourceId === 'DataBucket' && e.ResourceStatus === 'DELETE_FAILED',
    )?.ResourceStatusReason;
    expect(reason).toContain('The bucket you tried to delete is not empty');
    const { Versions = [], DeleteMarkers = [] } = await s3.send(
      new ListObjectVersionsCommand({ Bucket: names.bucket }),
    );
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: names.bucket,
        Delete: {
          Objects: [...Versions, ...DeleteMarkers].map((v) => ({
            Key: v.Key,
            VersionId: v.VersionId,
          })),
        },
      }),
    );
    await cfn.send(new DeleteStackCommand({ StackName: names.stack }));

    expect((await settled(cfn, failed.StackId!)).StackStatus).toBe('DELETE_COMPLETE');
  });
});
