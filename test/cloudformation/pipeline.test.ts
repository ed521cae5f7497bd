import { beforeAll, describe, expect, it } from 'vitest';
import { readTemplate } from '../../lib/templates/parse.js';
import type { TemplateValue } from '../../lib/templates/parse.js';

type Resource = { Type: string; Properties: Record<string, TemplateValue> };
let resources: Record<string, Resource>;
let outputs: Record<string, unknown>;

beforeAll(async () => {
  const template = await readTemplate('cloudformation/pipeline.yaml');
  resources = template.body.Resources as unknown as Record<string, Resource>;
  outputs = template.body.Outputs as Record<string, unknown>;
});

describe('cloudformation/pipeline.yaml', () => {
  it.each([
    ['StreamingFunction', 'StreamingCodeKey', ['TABLE_NAME', 'DELIVERY_STREAM_NAME']],
    ['NotificationFunction', 'NotificationCodeKey', ['TOPIC_ARN', 'OWNER_NAME']],
  ])('deploys %s as the functions contract says', (id, codeKey, variables) => {
    const properties = resources[id]!.Properties;
    expect(properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Code: { S3Bucket: { Ref: 'CodeBucketName' }, S3Key: { Ref: codeKey } },
      LoggingConfig: { LogFormat: 'JSON' },
    });
    const environment = properties.Environment as { Variables: Record<string, unknown> };
    expect(Object.keys(environment.Variables).sort()).toEqual([...variables].sort());
  });

  it('runs the streaming function on a schedule with its execution id as the event id', () => {
    const schedule = resources.StreamingSchedule!;
    expect(schedule.Type).toBe('AWS::Scheduler::Schedule');
    expect(schedule.Properties.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    const target = schedule.Properties.Target as { Input: string; RetryPolicy: unknown };
    expect(JSON.parse(target.Input)).toMatchObject({ id: '<aws.scheduler.execution-id>' });
    expect(target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 0 });
  });

  it('retries a failed tick once (it is idempotent), then sends it to the notification function', () => {
    expect(resources.StreamingFunctionInvokeConfig!.Properties).toMatchObject({
      FunctionName: { Ref: 'StreamingFunction' },
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': ['NotificationFunction', 'Arn'] } },
      },
    });
  });

  it('outputs every name and ARN a workflow or test reads', () => {
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'TableName',
        'BucketName',
        'DeliveryStreamName',
        'StreamingFunctionName',
        'NotificationFunctionName',
        'TopicArn',
        'ScheduleName',
        'StreamingLogGroupName',
      ]),
    );
  });
});
