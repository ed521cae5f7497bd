import {
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  GetTemplateSummaryCommand,
  ListExportsCommand,
  ListStacksCommand,
  paginateDescribeStackEvents,
  ValidateTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { cloudFormationClient, createStack, settled } from '../../support/cloudFormation.js';
import { useLocalAws } from '../../support/localAws.js';

const local = useLocalAws();
let cfn: CloudFormationClient;
let s3: S3Client;
let dynamodb: DynamoDBClient;

beforeAll(() => {
  cfn = cloudFormationClient();
  s3 = new S3Client({ maxAttempts: 1, forcePathStyle: true });
  dynamodb = new DynamoDBClient({ maxAttempts: 1 });
});

const EXPORTING = `Description: Exports its bucket's name and the pseudo parameters it saw.
Parameters:
  Capacity:
    Type: Number
    Default: 3
    MinValue: 1
  Secret:
    Type: String
    NoEcho: true
    Default: s3cret
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      ProvisionedThroughput:
        ReadCapacityUnits: !Ref Capacity
        WriteCapacityUnits: !Ref Capacity
Outputs:
  BucketName:
    Value: !Ref Bucket
    Export:
      Name: !Sub \${AWS::StackName}-bucket
  Pseudo:
    Value: !Join ['|', [!Ref AWS::AccountId, !Ref AWS::Region, !Ref AWS::Partition, !Ref AWS::URLSuffix, !Select [1, !GetAZs '']]]
  Id:
    Value: !Ref AWS::StackId
  TableName:
    Value: !Ref Table
`;

describe('stacks and their templates', () => {
  it('resolves pseudo parameters and converts a Number parameter to the number a property expects', async () => {
    const stack = await createStack(cfn, 'exporter', EXPORTING);

    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const outputs = Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey, o.OutputValue]));
    expect(outputs.Pseudo).toBe('000000000000|eu-west-1|aws|amazonaws.com|eu-west-1b');
    expect(outputs.Id).toBe(stack.StackId);
    expect(stack.StackId).toMatch(
      /^arn:aws:cloudformation:eu-west-1:000000000000:stack\/exporter\/[0-9a-f-]{36}$/,
    );
    expect(outputs.BucketName).toMatch(/^exporter-bucket-[a-z0-9]{13}$/);
    const { Table } = await dynamodb.send(
      new DescribeTableCommand({ TableName: outputs.TableName }),
    );
    expect(Table?.ProvisionedThroughput?.ReadCapacityUnits).toBe(3);
    expect(stack.Parameters).toContainEqual({ ParameterKey: 'Secret', ParameterValue: '****' });
  });

  it('lists exports and resolves Fn::ImportValue in another stack', async () => {
    const { Exports } = await cfn.send(new ListExportsCommand({}));
    const exported = Exports!.find((e) => e.Name === 'exporter-bucket')!;

    const importer = await createStack(
      cfn,
      'importer',
      `Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Join ['-', [!ImportValue exporter-bucket, topic]]
Outputs:
  TopicName:
    Value: !GetAtt Topic.TopicName
`,
    );

    expect(importer.Outputs).toEqual([
      { OutputKey: 'TopicName', OutputValue: `${exported.Value}-topic` },
    ]);
  });

  it('refuses to delete a stack whose export another stack imports', async () => {
    await expect(cfn.send(new DeleteStackCommand({ StackName: 'exporter' }))).rejects.toMatchObject(
      {
        name: 'ValidationError',
        message: 'Export exporter-bucket cannot be deleted as it is in use by importer',
      },
    );
  });

  it('rolls back a stack that exports a name another stack already exports', async () => {
    const stack = await createStack(
      cfn,
      'second-exporter',
      `Resources:
  Topic:
    Type: AWS::SNS::Topic
Outputs:
  Same:
    Value: !Ref Topic
    Export:
      Name: exporter-bucket
`,
    );

    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    const { StackEvents } = await cfn.send(
      new DescribeStackEventsCommand({ StackName: 'second-exporter' }),
    );
    expect(StackEvents!.map((e) => e.ResourceStatusReason)).toContain(
      'Export with name exporter-bucket is already exported by stack exporter',
    );
    await cfn.send(new DeleteStackCommand({ StackName: 'second-exporter' }));
    await settled(cfn, stack.StackId!);
  });

  it('takes a JSON template from local S3 by TemplateURL', async () => {
    await s3.send(
      new CreateBucketCommand({
        Bucket: 'templates',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );
    const template = JSON.stringify({
      Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'from-url' } } },
    });
    await s3.send(new PutObjectCommand({ Bucket: 'templates', Key: 'stack.json', Body: template }));

    await cfn.send(
      new CreateStackCommand({
        StackName: 'from-url',
        TemplateURL: 'https://templates.s3.eu-west-1.amazonaws.com/stack.json',
      }),
    );

    expect((await settled(cfn, 'from-url')).StackStatus).toBe('CREATE_COMPLETE');
    const original = await cfn.send(new GetTemplateCommand({ StackName: 'from-url' }));
    expect(original.TemplateBody).toBe(template);
  });

  it('gives back the original template text and the processed stage', async () => {
    const original = await cfn.send(new GetTemplateCommand({ StackName: 'importer' }));
    const processed = await cfn.send(
      new GetTemplateCommand({ StackName: 'importer', TemplateStage: 'Processed' }),
    );

    expect(original.TemplateBody).toContain('!ImportValue exporter-bucket');
    expect(JSON.parse(processed.TemplateBody!).Resources.Topic.Properties.TopicName).toEqual({
      'Fn::Join': ['-', [{ 'Fn::ImportValue': 'exporter-bucket' }, 'topic']],
    });
    expect(original.StagesAvailable).toEqual(['Original', 'Processed']);
  });

  it('validates a template and summarises its parameters and capabilities', async () => {
    const template = `${EXPORTING}  RoleArn:\n    Value: !GetAtt Role.Arn\n`.replace(
      'Resources:',
      `Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: summary-role
      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}`,
    );

    const validated = await cfn.send(new ValidateTemplateCommand({ TemplateBody: template }));
    const summary = await cfn.send(new GetTemplateSummaryCommand({ TemplateBody: template }));

    expect(validated.Description).toBe(
      "Exports its bucket's name and the pseudo parameters it saw.",
    );
    expect(validated.Capabilities).toEqual(['CAPABILITY_NAMED_IAM']);
    expect(validated.Parameters).toContainEqual({
      ParameterKey: 'Secret',
      DefaultValue: 's3cret',
      NoEcho: true,
    });
    expect(summary.ResourceTypes).toEqual([
      'AWS::IAM::Role',
      'AWS::S3::Bucket',
      'AWS::DynamoDB::Table',
    ]);
    expect(summary.Parameters).toContainEqual(
      expect.objectContaining({
        ParameterKey: 'Capacity',
        ParameterType: 'Number',
        DefaultValue: '3',
      }),
    );
  });

  it('lists events newest first, the stack creation last', async () => {
    const { StackEvents } = await cfn.send(
      new DescribeStackEventsCommand({ StackName: 'exporter' }),
    );

    expect(StackEvents![0]).toMatchObject({
      LogicalResourceId: 'exporter',
      ResourceStatus: 'CREATE_COMPLETE',
    });
    expect(StackEvents!.at(-1)).toMatchObject({
      ResourceStatus: 'CREATE_IN_PROGRESS',
      ResourceStatusReason: 'User Initiated',
    });
    const times = StackEvents!.map((e) => e.Timestamp!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('lists stacks by status', async () => {
    const { StackSummaries } = await cfn.send(
      new ListStacksCommand({ StackStatusFilter: ['CREATE_COMPLETE'] }),
    );
    const { Stacks } = await cfn.send(new DescribeStacksCommand({}));

    expect(StackSummaries!.map((s) => s.StackName).sort()).toEqual([
      'exporter',
      'from-url',
      'importer',
    ]);
    expect(Stacks).toHaveLength(3);
    expect(local.endpoint()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers an unsigned form post, routed by its Action', async () => {
    const response = await fetch(local.endpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeStacks&Version=2010-05-15&StackName=nowhere',
    });

    expect(response.status).toBe(400);
    expect(await response.text()).toContain(
      '<Code>ValidationError</Code><Message>Stack with id nowhere does not exist</Message>',
    );
  });

  it('pages events 100 at a time', async () => {
    const topics = Array.from(
      { length: 50 },
      (_, index) => `  Topic${index}:\n    Type: AWS::SNS::Topic\n`,
    ).join('');
    await createStack(cfn, 'many-events', `Resources:\n${topics}`);

    const pages: number[] = [];
    for await (const page of paginateDescribeStackEvents(
      { client: cfn },
      { StackName: 'many-events' },
    ))
      pages.push(page.StackEvents!.length);

    expect(pages).toEqual([100, 2]);
  });
});
