import {
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  DeleteObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
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
let s3: S3Client;
let sns: SNSClient;

beforeAll(() => {
  cfn = cloudFormationClient();
  s3 = new S3Client({ maxAttempts: 1, forcePathStyle: true });
  sns = new SNSClient({ maxAttempts: 1 });
});

const bucket = (name: string) => `
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: ${name}`;

describe('templates CloudFormation refuses before it starts', () => {
  it('refuses a resource type CloudFormation does not know', async () => {
    const template = `Resources:\n  Thing:\n    Type: AWS::Nope::Thing\n`;

    await expect(
      cfn.send(new CreateStackCommand({ StackName: 'unknown-type', TemplateBody: template })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Template format error: Unrecognized resource types: [AWS::Nope::Thing]',
    });
  });

  it('refuses a Ref to nothing the template declares', async () => {
    const template = `Resources:${bucket('bad-ref-bucket')}
      Tags:
        - Key: owner
          Value: !Ref Nothing
`;

    await expect(
      cfn.send(new CreateStackCommand({ StackName: 'bad-ref', TemplateBody: template })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message:
        'Template format error: Unresolved resource dependencies [Nothing] in the Resources block of the template',
    });
  });

  it('refuses a Fn::GetAtt of an attribute the type does not have', async () => {
    const template = `Resources:${bucket('bad-getatt-bucket')}
Outputs:
  Nope:
    Value: !GetAtt Bucket.Nope
`;

    await expect(
      cfn.send(new CreateStackCommand({ StackName: 'bad-getatt', TemplateBody: template })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Template error: resource Bucket does not support attribute type Nope in Fn::GetAtt',
    });
  });

  it("refuses a parameter value that breaks its AllowedPattern, in AWS's words", async () => {
    const template = `Parameters:
  Prefix:
    Type: String
    AllowedPattern: ^[a-z]+$
Resources:${bucket('!Ref Prefix')}
`;

    await expect(
      cfn.send(
        new CreateStackCommand({
          StackName: 'bad-parameter',
          TemplateBody: template,
          Parameters: parameters({ Prefix: 'Not_Lower' }),
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: "Parameter 'Prefix' must match pattern ^[a-z]+$",
    });
  });

  it('refuses a named IAM role without CAPABILITY_NAMED_IAM', async () => {
    const template = `Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: named-role
      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}
`;

    await expect(
      cfn.send(
        new CreateStackCommand({
          StackName: 'no-capability',
          TemplateBody: template,
          Capabilities: ['CAPABILITY_IAM'],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InsufficientCapabilitiesException',
      message: 'Requires capabilities : [CAPABILITY_NAMED_IAM]',
    });
  });

  it('says a stack that does not exist does not exist', async () => {
    await expect(
      cfn.send(new DescribeStacksCommand({ StackName: 'never-made' })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Stack with id never-made does not exist',
    });
  });

  it('refuses a second stack of the same name', async () => {
    await createStack(cfn, 'twice', `Resources:${bucket('twice-bucket')}\n`);

    await expect(
      cfn.send(
        new CreateStackCommand({
          StackName: 'twice',
          TemplateBody: `Resources:${bucket('twice-bucket')}\n`,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'AlreadyExistsException',
      message: 'Stack [twice] already exists',
    });
  });
});

describe('stacks whose resources fail', () => {
  it('rolls back a create when a resource fails, with the service error in the events', async () => {
    const template = `Resources:${bucket('failing-create-bucket')}
  Stream:
    Type: AWS::KinesisFirehose::DeliveryStream
    Properties:
      DeliveryStreamName: failing-stream
      ExtendedS3DestinationConfiguration:
        BucketARN: !GetAtt Bucket.Arn
        RoleARN: arn:aws:iam::000000000000:role/firehose
        BufferingHints:
          IntervalInSeconds: 901
`;

    const stack = await createStack(cfn, 'failing-create', template);

    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    const events = await stackEvents(cfn, 'failing-create');
    const failed = events.find((e) => e.ResourceStatus === 'CREATE_FAILED');
    expect(failed?.LogicalResourceId).toBe('Stream');
    expect(failed?.ResourceStatusReason).toContain('Member must have value between 0 and 900');
    expect(events.map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`)).toEqual(
      expect.arrayContaining(['Bucket DELETE_COMPLETE', 'failing-create ROLLBACK_IN_PROGRESS']),
    );
    await expect(
      s3.send(new HeadBucketCommand({ Bucket: 'failing-create-bucket' })),
    ).rejects.toThrow();
  });

  it('fails a resource of a type local AWS cannot provision, naming the type', async () => {
    const template = `Resources:${bucket('unsupported-type-bucket')}
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
`;

    const stack = await createStack(cfn, 'unsupported-type', template);

    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    const failed = (await stackEvents(cfn, 'unsupported-type')).find(
      (e) => e.ResourceStatus === 'CREATE_FAILED',
    );
    expect(failed?.ResourceStatusReason).toMatch(/^local AWS cannot provision AWS::EC2::VPC/);
  });

  it('can only delete a stack in ROLLBACK_COMPLETE', async () => {
    const stack = await createStack(
      cfn,
      'rolled-back',
      `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n`,
    );
    const message = `Stack:${stack.StackId} is in ROLLBACK_COMPLETE state and can not be updated.`;

    await expect(
      cfn.send(new UpdateStackCommand({ StackName: 'rolled-back', UsePreviousTemplate: true })),
    ).rejects.toMatchObject({ name: 'ValidationError', message });
    await expect(
      cfn.send(
        new CreateChangeSetCommand({
          StackName: 'rolled-back',
          ChangeSetName: 'again',
          UsePreviousTemplate: true,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError', message });
    await cfn.send(new DeleteStackCommand({ StackName: 'rolled-back' }));
    await expect(settled(cfn, stack.StackId!)).resolves.toMatchObject({
      StackStatus: 'DELETE_COMPLETE',
    });
  });

  it('keeps what a resource that failed to delete still uses, and deletes it on the retry', async () => {
    const template = `Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: kept-topic${bucket('kept-bucket')}
      Tags:
        - Key: topic
          Value: !GetAtt Topic.TopicName
`;
    const created = await createStack(cfn, 'kept-uses', template);
    await s3.send(new PutObjectCommand({ Bucket: 'kept-bucket', Key: 'left', Body: 'x' }));

    await cfn.send(new DeleteStackCommand({ StackName: 'kept-uses' }));
    const failed = await settled(cfn, 'kept-uses');

    expect(failed.StackStatus).toBe('DELETE_FAILED');
    const { Topics = [] } = await sns.send(new ListTopicsCommand({}));
    expect(Topics.map((t) => t.TopicArn)).toContain(
      'arn:aws:sns:eu-west-1:000000000000:kept-topic',
    );
    await s3.send(new DeleteObjectCommand({ Bucket: 'kept-bucket', Key: 'left' }));
    await cfn.send(new DeleteStackCommand({ StackName: 'kept-uses' }));
    expect((await settled(cfn, created.StackId!)).StackStatus).toBe('DELETE_COMPLETE');
    const after = await sns.send(new ListTopicsCommand({}));
    expect(after.Topics?.map((t) => t.TopicArn)).not.toContain(
      'arn:aws:sns:eu-west-1:000000000000:kept-topic',
    );
  });
});
