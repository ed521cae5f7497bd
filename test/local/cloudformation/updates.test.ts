import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackResourceCommand,
  ExecuteChangeSetCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetBucketTaggingCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  cloudFormationClient,
  createStack,
  parameters,
  settled,
  stackEvents,
} from '../../support/cloudFormation.js';
import { useLocalAws } from '../../support/localAws.js';

useLocalAws();
let cfn: CloudFormationClient;
let dynamodb: DynamoDBClient;
let s3: S3Client;

beforeAll(() => {
  cfn = cloudFormationClient();
  dynamodb = new DynamoDBClient({ maxAttempts: 1 });
  s3 = new S3Client({ maxAttempts: 1, forcePathStyle: true });
});

/** A table named by a parameter, and a bucket tagged with the table's ARN and a Stage tag. */
const TEMPLATE = `Parameters:
  TableName:
    Type: String
  Stage:
    Type: String
    Default: dev
  Secret:
    Type: String
    NoEcho: true
    Default: hidden
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Ref TableName
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub \${AWS::StackName}-bucket
      Tags:
        - Key: table
          Value: !GetAtt Table.Arn
        - Key: stage
          Value: !Ref Stage
Outputs:
  TableName:
    Value: !Ref Table
`;

async function changeSet(name: string, changeSetName: string, values: Record<string, string>) {
  await cfn.send(
    new CreateChangeSetCommand({
      StackName: name,
      ChangeSetName: changeSetName,
      UsePreviousTemplate: true,
      Parameters: Object.entries(values).map(([ParameterKey, value]) =>
        value === 'previous'
          ? { ParameterKey, UsePreviousValue: true }
          : { ParameterKey, ParameterValue: value },
      ),
    }),
  );
  return cfn.send(new DescribeChangeSetCommand({ StackName: name, ChangeSetName: changeSetName }));
}

describe('change sets', () => {
  it('lists an in-place change as Modify without replacement', async () => {
    await createStack(cfn, 'plan-stack', TEMPLATE, { parameters: { TableName: 'plan-table' } });

    const described = await changeSet('plan-stack', 'stage', {
      TableName: 'previous',
      Stage: 'prod',
    });

    expect(described.Status).toBe('CREATE_COMPLETE');
    expect(described.Changes).toEqual([
      {
        Type: 'Resource',
        ResourceChange: expect.objectContaining({
          Action: 'Modify',
          LogicalResourceId: 'Bucket',
          PhysicalResourceId: 'plan-stack-bucket',
          ResourceType: 'AWS::S3::Bucket',
          Replacement: 'False',
          Scope: ['Tags'],
        }),
      },
    ]);
    expect(described.Changes![0]!.ResourceChange!.Details).toEqual([
      expect.objectContaining({ ChangeSource: 'ParameterReference', CausingEntity: 'Stage' }),
    ]);
    expect(described.Parameters).toContainEqual({ ParameterKey: 'Secret', ParameterValue: '****' });
  });

  it('lists a changed name as a replacement, and what refers to it as modified by that reference', async () => {
    const described = await changeSet('plan-stack', 'rename', {
      TableName: 'plan-table-2',
      Stage: 'previous',
    });

    const changes = Object.fromEntries(
      described.Changes!.map((c) => [c.ResourceChange!.LogicalResourceId, c.ResourceChange!]),
    );
    expect(changes.Table).toMatchObject({ Action: 'Modify', Replacement: 'True' });
    expect(changes.Table!.Details).toContainEqual(
      expect.objectContaining({
        Target: { Attribute: 'Properties', Name: 'TableName', RequiresRecreation: 'Always' },
      }),
    );
    expect(changes.Bucket).toMatchObject({ Action: 'Modify', Replacement: 'False' });
    expect(changes.Bucket!.Details).toEqual([
      expect.objectContaining({ Evaluation: 'Dynamic', ChangeSource: 'ResourceReference' }),
    ]);
  });

  it('lists a dropped resource as Remove and a new one as Add', async () => {
    const swapped = TEMPLATE.replace(
      / {2}Bucket:\n[\s\S]*?(?=Outputs:)/,
      '  Topic:\n    Type: AWS::SNS::Topic\n',
    );

    await cfn.send(
      new CreateChangeSetCommand({
        StackName: 'plan-stack',
        ChangeSetName: 'swap',
        TemplateBody: swapped,
        Parameters: [
          { ParameterKey: 'TableName', UsePreviousValue: true },
          { ParameterKey: 'Stage', UsePreviousValue: true },
        ],
      }),
    );
    const { Changes } = await cfn.send(
      new DescribeChangeSetCommand({ StackName: 'plan-stack', ChangeSetName: 'swap' }),
    );

    expect(
      Changes!.map((c) => [c.ResourceChange!.Action, c.ResourceChange!.LogicalResourceId]),
    ).toEqual([
      ['Add', 'Topic'],
      ['Remove', 'Bucket'],
    ]);
    await cfn.send(new DeleteChangeSetCommand({ StackName: 'plan-stack', ChangeSetName: 'swap' }));
  });

  it('replaces the table on execution: the new one created, the old one deleted in cleanup', async () => {
    await cfn.send(
      new ExecuteChangeSetCommand({ StackName: 'plan-stack', ChangeSetName: 'rename' }),
    );

    const stack = await settled(cfn, 'plan-stack');
    expect(stack.StackStatus).toBe('UPDATE_COMPLETE');
    expect(stack.Outputs).toEqual([{ OutputKey: 'TableName', OutputValue: 'plan-table-2' }]);
    await expect(
      dynamodb.send(new DescribeTableCommand({ TableName: 'plan-table' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: 'plan-table-2' }));
    const { TagSet } = await s3.send(new GetBucketTaggingCommand({ Bucket: 'plan-stack-bucket' }));
    expect(TagSet).toContainEqual({ Key: 'table', Value: Table!.TableArn });
  });

  it('refuses an update with nothing to change', async () => {
    await expect(
      cfn.send(
        new UpdateStackCommand({
          StackName: 'plan-stack',
          UsePreviousTemplate: true,
          Parameters: [
            { ParameterKey: 'TableName', UsePreviousValue: true },
            { ParameterKey: 'Stage', UsePreviousValue: true },
          ],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'No updates are to be performed.',
    });
  });
});

describe('updates that fail', () => {
  it('rolls back to the previous properties when a resource fails to update', async () => {
    await createStack(cfn, 'rollback-stack', TEMPLATE, {
      parameters: { TableName: 'rollback-table' },
    });
    const failing = `${TEMPLATE.replace(
      'Outputs:',
      `  Stream:
    Type: AWS::KinesisFirehose::DeliveryStream
    DependsOn: Bucket
    Properties:
      ExtendedS3DestinationConfiguration:
        BucketARN: arn:aws:s3:::rollback-stack-bucket
        RoleARN: arn:aws:iam::000000000000:role/firehose
        CompressionFormat: Snappy
Outputs:`,
    )}`;

    await cfn.send(
      new UpdateStackCommand({
        StackName: 'rollback-stack',
        TemplateBody: failing,
        Parameters: parameters({ TableName: 'rollback-table', Stage: 'prod' }),
      }),
    );
    const stack = await settled(cfn, 'rollback-stack');

    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(stack.Parameters).toContainEqual({ ParameterKey: 'Stage', ParameterValue: 'dev' });
    const { TagSet } = await s3.send(
      new GetBucketTaggingCommand({ Bucket: 'rollback-stack-bucket' }),
    );
    expect(TagSet).toContainEqual({ Key: 'stage', Value: 'dev' });
    const events = await stackEvents(cfn, 'rollback-stack');
    expect(events.find((e) => e.ResourceStatus === 'CREATE_FAILED')).toMatchObject({
      LogicalResourceId: 'Stream',
      ResourceStatusReason: expect.stringContaining('CompressionFormat Snappy'),
    });
  });

  it('refuses to replace a resource whose custom name stays the same', async () => {
    const retyped = TEMPLATE.replace(
      'AttributeDefinitions: [{AttributeName: id, AttributeType: S}]',
      'AttributeDefinitions: [{AttributeName: key, AttributeType: S}]',
    ).replace(
      'KeySchema: [{AttributeName: id, KeyType: HASH}]',
      'KeySchema: [{AttributeName: key, KeyType: HASH}]',
    );

    await cfn.send(
      new UpdateStackCommand({
        StackName: 'rollback-stack',
        TemplateBody: retyped,
        Parameters: parameters({ TableName: 'rollback-table' }),
      }),
    );

    expect((await settled(cfn, 'rollback-stack')).StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    const failed = (await stackEvents(cfn, 'rollback-stack')).find(
      (e) => e.ResourceStatus === 'UPDATE_FAILED',
    );
    expect(failed?.ResourceStatusReason).toBe(
      'CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename rollback-table and update the stack again.',
    );
  });
});

describe('DeletionPolicy', () => {
  it('keeps a Retain resource when the stack is deleted', async () => {
    const created = await createStack(
      cfn,
      'retain-stack',
      `Resources:
  Kept:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    Properties:
      BucketName: retained-bucket
  Gone:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: deleted-bucket
`,
    );

    await cfn.send(new DeleteStackCommand({ StackName: 'retain-stack' }));
    const deleted = await settled(cfn, created.StackId!);

    expect(deleted.StackStatus).toBe('DELETE_COMPLETE');
    await expect(
      s3.send(new HeadBucketCommand({ Bucket: 'retained-bucket' })),
    ).resolves.toBeDefined();
    await expect(s3.send(new HeadBucketCommand({ Bucket: 'deleted-bucket' }))).rejects.toThrow();
  });

  it('describes one resource of a stack', async () => {
    await createStack(cfn, 'describe-stack', `Resources:\n  B:\n    Type: AWS::S3::Bucket\n`);

    const { StackResourceDetail } = await cfn.send(
      new DescribeStackResourceCommand({ StackName: 'describe-stack', LogicalResourceId: 'B' }),
    );

    expect(StackResourceDetail).toMatchObject({
      LogicalResourceId: 'B',
      ResourceType: 'AWS::S3::Bucket',
      ResourceStatus: 'CREATE_COMPLETE',
      PhysicalResourceId: expect.stringMatching(/^describe-stack-b-[a-z0-9]{13}$/),
    });
  });
});
