import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { allowing, LOCAL_ACCOUNT, refusals } from '../support/iam.js';
import { deployFunction } from '../support/lambdaZip.js';
import { useLocalAws } from '../support/localAws.js';
import { groupMessages } from '../support/logs.js';

const local = useLocalAws({ timeScale: 60 });
const FUNCTION_ARN = `arn:aws:lambda:eu-west-1:${LOCAL_ACCOUNT}:function:scheduled-target`;

/** A scheduler role (trusting the Scheduler for this account's schedules) with one policy. */
async function schedulerRole(iam: IAMClient, name: string, policy: string): Promise<string> {
  await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': LOCAL_ACCOUNT } },
          },
        ],
      }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({ RoleName: name, PolicyName: 'inline', PolicyDocument: policy }),
  );
  return `arn:aws:iam::${LOCAL_ACCOUNT}:role/${name}`;
}

describe('the Scheduler acting with its role', () => {
  let iam: IAMClient;
  let sqs: SQSClient;
  let dlq: string;
  beforeAll(async () => {
    iam = new IAMClient({ maxAttempts: 1, region: 'us-east-1' });
    sqs = new SQSClient({ maxAttempts: 1 });
    await deployFunction(
      new LambdaClient({ maxAttempts: 1 }),
      'scheduled-target',
      "export const handler = async () => { console.log('FIRED'); return 1; };",
    );
    dlq = (await sqs.send(new CreateQueueCommand({ QueueName: 'schedule-dlq' }))).QueueUrl!;
  });

  it('records a failed invoke when its role may not invoke the function', async () => {
    const role = await schedulerRole(
      iam,
      'cannot-invoke',
      allowing(['lambda:GetFunction'], [FUNCTION_ARN]),
    );

    await new SchedulerClient({}).send(
      new CreateScheduleCommand({
        Name: 'refused-invoke',
        ScheduleExpression: 'rate(1 minute)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: FUNCTION_ARN,
          RoleArn: role,
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
          DeadLetterConfig: { Arn: `arn:aws:sqs:eu-west-1:${LOCAL_ACCOUNT}:schedule-dlq` },
        },
      }),
    );
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlq,
        WaitTimeSeconds: 10,
        MessageAttributeNames: ['All'],
      }),
    );

    expect(Messages?.[0]?.MessageAttributes?.ERROR_CODE?.StringValue).toBe('AccessDeniedException');
    expect(await refusals(local.endpoint())).toContainEqual(
      expect.objectContaining({
        principal: `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/cannot-invoke/refused-invoke`,
        action: 'lambda:InvokeFunction',
        resource: FUNCTION_ARN,
      }),
    );
  });

  it('invokes the function when its role may', async () => {
    const role = await schedulerRole(
      iam,
      'can-invoke',
      allowing(['lambda:InvokeFunction'], [FUNCTION_ARN]),
    );
    const logs = new CloudWatchLogsClient({ maxAttempts: 1 });

    await new SchedulerClient({}).send(
      new CreateScheduleCommand({
        Name: 'allowed-invoke',
        ScheduleExpression: 'rate(1 minute)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: FUNCTION_ARN, RoleArn: role },
      }),
    );

    await expect
      .poll(
        async () =>
          (await groupMessages(logs, '/aws/lambda/scheduled-target').catch(() => [])).some(
            (message) => message.includes('FIRED'),
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
  });
});
