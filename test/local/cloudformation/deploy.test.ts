import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetBucketTaggingCommand, GetBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { useAwsCli } from '../../support/awsCli.js';
import { useLocalAws } from '../../support/localAws.js';

const TEMPLATE = 'test/fixtures/cloudformation/conditional.yaml';
const local = useLocalAws();
const aws = useAwsCli(local.endpoint);
let dynamodb: DynamoDBClient;
let s3: S3Client;
let sns: SNSClient;

beforeAll(() => {
  dynamodb = new DynamoDBClient({ maxAttempts: 1 });
  s3 = new S3Client({ maxAttempts: 1, forcePathStyle: true });
  sns = new SNSClient({ maxAttempts: 1 });
});

async function stack(name: string): Promise<Record<string, unknown>> {
  const { Stacks } = JSON.parse(
    await aws('cloudformation', 'describe-stacks', '--stack-name', name),
  );
  return Stacks[0];
}

async function topicArns(): Promise<string[]> {
  const { Topics = [] } = await sns.send(new ListTopicsCommand({}));
  return Topics.map((topic) => topic.TopicArn!);
}

/** `aws cloudformation deploy` of the template as cli-stack, with one parameter override. */
function deploy(override: string, ...options: string[]): Promise<string> {
  return aws(
    'cloudformation',
    'deploy',
    '--stack-name',
    'cli-stack',
    '--template-file',
    TEMPLATE,
    '--parameter-overrides',
    override,
    ...options,
  );
}

// One stack through its life, as a user would drive it with the unchanged AWS CLI v2.
describe('aws cloudformation deploy against local AWS', () => {
  it('creates the stack through a change set, with every resource in its service', async () => {
    const output = await deploy('Prefix=cli-stack');

    expect(output).toContain('Successfully created/updated stack - cli-stack');
    const created = await stack('cli-stack');
    expect(created.StackStatus).toBe('CREATE_COMPLETE');
    expect(created.Outputs).toEqual(
      expect.arrayContaining([
        {
          OutputKey: 'TableArn',
          OutputValue: 'arn:aws:dynamodb:eu-west-1:000000000000:table/cli-stack-table',
        },
        {
          OutputKey: 'TopicArn',
          OutputValue: 'arn:aws:sns:eu-west-1:000000000000:cli-stack-topic',
        },
      ]),
    );
    const { Table } = await dynamodb.send(
      new DescribeTableCommand({ TableName: 'cli-stack-table' }),
    );
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const versioning = await s3.send(
      new GetBucketVersioningCommand({ Bucket: 'cli-stack-bucket' }),
    );
    expect(versioning.Status).toBe('Enabled');
    const tagging = await s3.send(new GetBucketTaggingCommand({ Bucket: 'cli-stack-bucket' }));
    expect(tagging.TagSet).toEqual([{ Key: 'table', Value: Table?.TableArn }]);
    expect(await topicArns()).toContain('arn:aws:sns:eu-west-1:000000000000:cli-stack-topic');
  });

  it('says there is nothing to deploy when nothing changed', async () => {
    const output = await deploy('Prefix=cli-stack', '--no-fail-on-empty-changeset');

    expect(output).toContain('No changes to deploy. Stack cli-stack is up to date');
    const { Summaries } = JSON.parse(
      await aws('cloudformation', 'list-change-sets', '--stack-name', 'cli-stack'),
    );
    expect(Summaries.find((c: { Status: string }) => c.Status === 'FAILED')).toMatchObject({
      Status: 'FAILED',
      StatusReason:
        "The submitted information didn't contain changes. Submit different information to create a change set.",
    });
  });

  it('removes a resource whose condition turned false, keeping the previous parameter values', async () => {
    await deploy('WithTopic=no');

    const updated = await stack('cli-stack');
    expect(updated.StackStatus).toBe('UPDATE_COMPLETE');
    expect(updated.Parameters).toEqual(
      expect.arrayContaining([{ ParameterKey: 'Prefix', ParameterValue: 'cli-stack' }]),
    );
    expect(updated.Outputs).toHaveLength(1);
    expect(await topicArns()).not.toContain('arn:aws:sns:eu-west-1:000000000000:cli-stack-topic');
    const { StackResourceSummaries } = JSON.parse(
      await aws('cloudformation', 'list-stack-resources', '--stack-name', 'cli-stack'),
    );
    expect(
      StackResourceSummaries.map((r: { LogicalResourceId: string }) => r.LogicalResourceId).sort(),
    ).toEqual(['Bucket', 'Table']);
  });

  it('deletes the stack and everything in it with delete-stack', async () => {
    await aws('cloudformation', 'delete-stack', '--stack-name', 'cli-stack');
    await aws('cloudformation', 'wait', 'stack-delete-complete', '--stack-name', 'cli-stack');

    const failure = await aws.fails(
      'cloudformation',
      'describe-stacks',
      '--stack-name',
      'cli-stack',
    );
    expect(failure).toContain('Stack with id cli-stack does not exist');
    await expect(
      dynamodb.send(new DescribeTableCommand({ TableName: 'cli-stack-table' })),
    ).rejects.toThrow(/not found/);
    await expect(
      s3.send(new GetBucketVersioningCommand({ Bucket: 'cli-stack-bucket' })),
    ).rejects.toMatchObject({ name: 'NoSuchBucket' });
    const { StackSummaries } = JSON.parse(
      await aws('cloudformation', 'list-stacks', '--stack-status-filter', 'DELETE_COMPLETE'),
    );
    expect(StackSummaries.map((s: { StackName: string }) => s.StackName)).toContain('cli-stack');
  });
});
