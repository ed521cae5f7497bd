import { UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
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

beforeAll(() => {
  cfn = cloudFormationClient();
});

/** Every resource here takes its changeable settings from parameters. */
const TEMPLATE = `Parameters:
  Billing: {Type: String}
  Interval: {Type: Number}
  Display: {Type: String}
  Rate: {Type: String}
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: in-place-table
      BillingMode: !Ref Billing
      ProvisionedThroughput: !If [Provisioned, {ReadCapacityUnits: 2, WriteCapacityUnits: 2}, !Ref AWS::NoValue]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: in-place-bucket
  Stream:
    Type: AWS::KinesisFirehose::DeliveryStream
    Properties:
      DeliveryStreamName: in-place-stream
      ExtendedS3DestinationConfiguration:
        BucketARN: !GetAtt Bucket.Arn
        RoleARN: arn:aws:iam::000000000000:role/firehose
        BufferingHints:
          IntervalInSeconds: !Ref Interval
          SizeInMBs: 5
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: in-place-topic
      DisplayName: !Ref Display
  Schedule:
    Type: AWS::Scheduler::Schedule
    Properties:
      Name: in-place-schedule
      ScheduleExpression: !Ref Rate
      State: DISABLED
      FlexibleTimeWindow: {Mode: 'OFF'}
      Target:
        Arn: !Ref Topic
        RoleArn: arn:aws:iam::000000000000:role/scheduler
Conditions:
  Provisioned: !Equals [!Ref Billing, PROVISIONED]
`;

describe('updates in place', () => {
  it('changes billing, buffering, display name and schedule without replacing anything', async () => {
    await createStack(cfn, 'in-place', TEMPLATE, {
      parameters: {
        Billing: 'PAY_PER_REQUEST',
        Interval: '60',
        Display: 'before',
        Rate: 'rate(5 minutes)',
      },
    });

    await cfn.send(
      new UpdateStackCommand({
        StackName: 'in-place',
        UsePreviousTemplate: true,
        Parameters: parameters({
          Billing: 'PROVISIONED',
          Interval: '120',
          Display: 'after',
          Rate: 'rate(10 minutes)',
        }),
      }),
    );
    const stack = await settled(cfn, 'in-place');

    const failed = (await stackEvents(cfn, 'in-place')).find((e) =>
      e.ResourceStatus?.endsWith('_FAILED'),
    );
    expect(failed?.ResourceStatusReason, failed?.LogicalResourceId).toBeUndefined();
    expect(stack.StackStatus).toBe('UPDATE_COMPLETE');
    const { Table } = await new DynamoDBClient({}).send(
      new DescribeTableCommand({ TableName: 'in-place-table' }),
    );
    expect(Table?.ProvisionedThroughput?.ReadCapacityUnits).toBe(2);
    const { DeliveryStreamDescription } = await new FirehoseClient({}).send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'in-place-stream' }),
    );
    expect(
      DeliveryStreamDescription?.Destinations?.[0]?.ExtendedS3DestinationDescription
        ?.BufferingHints,
    ).toEqual({ IntervalInSeconds: 120, SizeInMBs: 5 });
    const { Attributes } = await new SNSClient({}).send(
      new GetTopicAttributesCommand({
        TopicArn: 'arn:aws:sns:eu-west-1:000000000000:in-place-topic',
      }),
    );
    expect(Attributes?.DisplayName).toBe('after');
    const schedule = await new SchedulerClient({}).send(
      new GetScheduleCommand({ Name: 'in-place-schedule' }),
    );
    expect(schedule.ScheduleExpression).toBe('rate(10 minutes)');
    const replaced = (await stackEvents(cfn, 'in-place')).filter((e) =>
      e.ResourceStatusReason?.startsWith('Requested update requires the creation'),
    );
    expect(replaced).toEqual([]);
  });
});
