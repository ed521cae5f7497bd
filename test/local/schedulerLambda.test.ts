import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployFunction } from '../support/lambdaZip.js';
import { useLocalAws } from '../support/localAws.js';
import { groupMessages } from '../support/logs.js';

useLocalAws({ timeScale: 60 });
const ROLE = 'arn:aws:iam::000000000000:role/scheduler-role';
/** The pipeline's envelope (cloudformation/pipeline.yaml), with the attempt number besides. */
const ENVELOPE =
  '{"version": "0", "id": "<aws.scheduler.execution-id>", "detail-type": "Scheduled Event", ' +
  '"source": "aws.scheduler", "time": "<aws.scheduler.scheduled-time>", ' +
  '"resources": ["<aws.scheduler.schedule-arn>"], "detail": {"attempt": "<aws.scheduler.attempt-number>"}}';
const PRINTS_EVENT = `export const handler = async (event) => { console.log('EVENT ' + JSON.stringify(event)); return 'ok'; };`;
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;
let scheduler: SchedulerClient;
let sqs: SQSClient;

beforeAll(() => {
  lambda = new LambdaClient({ maxAttempts: 1 });
  logs = new CloudWatchLogsClient({ maxAttempts: 1 });
  scheduler = new SchedulerClient({});
  sqs = new SQSClient({ maxAttempts: 1 });
});

/** The events a function printed, once `count` are there or `timeoutMs` (real) has passed. */
async function printedEvents(
  functionName: string,
  count: number,
  timeoutMs: number,
): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = await groupMessages(logs, `/aws/lambda/${functionName}`).catch(() => []);
    const printed = messages
      .filter((message) => message.includes('EVENT '))
      .map(
        (message) =>
          JSON.parse(message.slice(message.indexOf('EVENT ') + 6)) as Record<string, unknown>,
      );
    if (printed.length >= count || Date.now() > deadline) return printed;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The first message to reach a queue within `timeoutMs` (real). */
async function firstMessage(queueUrl: string, timeoutMs = 15_000): Promise<Message | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        WaitTimeSeconds: 20,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages?.[0]) return Messages[0];
  }
  return undefined;
}

describe('local Scheduler invoking local Lambda at --time-scale 60', () => {
  it('invokes a real function from a rate(1 minute) schedule within a couple of seconds, with the substituted Input', async () => {
    await deployFunction(lambda, 'scheduled', PRINTS_EVENT);
    const functionArn = 'arn:aws:lambda:eu-west-1:000000000000:function:scheduled';

    const { ScheduleArn } = await scheduler.send(
      new CreateScheduleCommand({
        Name: 'every-minute-lambda',
        ScheduleExpression: 'rate(1 minute)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: functionArn, RoleArn: ROLE, Input: ENVELOPE },
      }),
    );
    // The first firing comes at once, the next a scaled minute (one real second) later.
    const events = await printedEvents('scheduled', 2, 15_000);

    expect(events.length).toBeGreaterThanOrEqual(2);
    const [first, second] = events as [Record<string, unknown>, Record<string, unknown>];
    expect(first).toMatchObject({
      version: '0',
      source: 'aws.scheduler',
      'detail-type': 'Scheduled Event',
      resources: [ScheduleArn],
      detail: { attempt: '1' },
    });
    expect(first.id).toMatch(/^[0-9a-f]{16}$/);
    expect(second.id).not.toBe(first.id);
    expect(Date.parse(String(second.time)) - Date.parse(String(first.time))).toBe(60_000);
  });

  it('sends the event for a function that does not exist to the dead-letter queue after its retries', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'lambda-dlq' }));
    const functionArn = 'arn:aws:lambda:eu-west-1:000000000000:function:never-created';

    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'missing-function-lambda',
        ScheduleExpression: 'rate(1 hour)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: functionArn,
          RoleArn: ROLE,
          Input: ENVELOPE,
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-west-1:000000000000:lambda-dlq' },
        },
      }),
    );
    const dead = await firstMessage(QueueUrl!);

    const attributes = dead?.MessageAttributes ?? {};
    expect(attributes.ERROR_CODE?.StringValue).toBe('ResourceNotFoundException');
    expect(attributes.ERROR_MESSAGE?.StringValue).toContain('never-created');
    expect(attributes.RETRY_ATTEMPTS?.StringValue).toBe('3');
    expect(attributes.EXHAUSTED_RETRY_CONDITION?.StringValue).toBe('MaximumRetryAttempts');
    expect(attributes.TARGET_ARN?.StringValue).toBe(functionArn);
    expect(JSON.parse(dead!.Body!)).toMatchObject({ detail: { attempt: '4' } });
  });
});
