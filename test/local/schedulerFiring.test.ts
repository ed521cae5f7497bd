import {
  CreateScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import type { CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalAws } from '../support/localAws.js';

const local = useLocalAws({ timeScale: 60 });
const ROLE = 'arn:aws:iam::000000000000:role/scheduler-role';
const CONTEXT_INPUT = JSON.stringify({
  arn: '<aws.scheduler.schedule-arn>',
  time: '<aws.scheduler.scheduled-time>',
  id: '<aws.scheduler.execution-id>',
  attempt: '<aws.scheduler.attempt-number>',
});
let scheduler: SchedulerClient;
let sqs: SQSClient;
let sns: SNSClient;

beforeAll(() => {
  scheduler = new SchedulerClient({});
  sqs = new SQSClient({ maxAttempts: 1 });
  sns = new SNSClient({ maxAttempts: 1 });
});

/** A queue, by URL and ARN. */
async function queue(name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  return { url: QueueUrl!, arn: `arn:aws:sqs:eu-west-1:000000000000:${name}` };
}

/** Receives until `count` messages have arrived or `timeoutMs` (real) has passed. */
async function receive(url: string, count: number, timeoutMs = 10_000): Promise<Message[]> {
  const messages: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (messages.length < count && Date.now() < deadline) {
    // WaitTimeSeconds is scaled too: 20 s of local time is a third of a real second.
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        WaitTimeSeconds: 20,
        // Visibility timeouts are scaled too: keep a received message from coming back.
        VisibilityTimeout: 43_200,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    messages.push(...(Messages ?? []));
  }
  return messages;
}

function schedule(
  name: string,
  target: CreateScheduleCommandInput['Target'],
  overrides: Partial<CreateScheduleCommandInput> = {},
): CreateScheduleCommandInput {
  return {
    Name: name,
    ScheduleExpression: 'rate(1 minute)',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: target,
    ...overrides,
  };
}

/** `at(...)` for a scaled instant, in UTC. */
function atExpression(instant: number): string {
  return `at(${new Date(instant).toISOString().slice(0, 19)})`;
}

describe('local Scheduler firing at --time-scale 60', () => {
  it('delivers a rate(1 minute) schedule to a queue at once and then every (scaled) minute, with the context substituted', async () => {
    const target = await queue('every-minute');

    const { ScheduleArn } = await scheduler.send(
      new CreateScheduleCommand(
        schedule('every-minute', { Arn: target.arn, RoleArn: ROLE, Input: CONTEXT_INPUT }),
      ),
    );
    const messages = await receive(target.url, 2);

    expect(messages).toHaveLength(2);
    const [first, second] = messages.map(
      (message) => JSON.parse(message.Body!) as Record<string, string>,
    );
    expect(first).toMatchObject({ arn: ScheduleArn, attempt: '1' });
    expect(first!.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(first!.id).toMatch(/^[0-9a-f]{16}$/);
    expect(second!.id).not.toBe(first!.id);
    expect(Date.parse(second!.time!) - Date.parse(first!.time!)).toBe(60_000);
  });

  it('publishes to an SNS topic target', async () => {
    const target = await queue('topic-subscriber');
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'scheduled-topic' }));
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: target.arn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );

    await scheduler.send(
      new CreateScheduleCommand(
        schedule('to-topic', { Arn: TopicArn!, RoleArn: ROLE, Input: '{"hello": "topic"}' }),
      ),
    );
    const [message] = await receive(target.url, 1);

    expect(message?.Body).toBe('{"hello": "topic"}');
  });

  it('sends {} when the target has no Input', async () => {
    const target = await queue('no-input');

    await scheduler.send(
      new CreateScheduleCommand(schedule('no-input', { Arn: target.arn, RoleArn: ROLE })),
    );
    const [message] = await receive(target.url, 1);

    expect(message?.Body).toBe('{}');
  });

  it('sends the undelivered event to the dead-letter queue after its retries, with Scheduler’s attributes', async () => {
    const dlq = await queue('missing-function-dlq');
    const functionArn = 'arn:aws:lambda:eu-west-1:000000000000:function:no-such-function';

    const { ScheduleArn } = await scheduler.send(
      new CreateScheduleCommand(
        schedule(
          'missing-function',
          {
            Arn: functionArn,
            RoleArn: ROLE,
            Input: CONTEXT_INPUT,
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
            DeadLetterConfig: { Arn: dlq.arn },
          },
          { ScheduleExpression: 'rate(1 hour)' },
        ),
      ),
    );
    const [dead] = await receive(dlq.url, 1);

    const attribute = (name: string) => dead?.MessageAttributes?.[name]?.StringValue;
    const body = JSON.parse(dead!.Body!) as Record<string, string>;
    expect(attribute('ERROR_CODE')).toBe('ResourceNotFoundException');
    expect(attribute('ERROR_MESSAGE')).toContain('no-such-function');
    expect(attribute('RETRY_ATTEMPTS')).toBe('2');
    expect(attribute('EXHAUSTED_RETRY_CONDITION')).toBe('MaximumRetryAttempts');
    expect(attribute('SCHEDULE_ARN')).toBe(ScheduleArn);
    expect(attribute('TARGET_ARN')).toBe(functionArn);
    expect(attribute('EXECUTION_ID')).toBe(body.id);
    expect(attribute('SCHEDULED_TIME')).toBe(body.time);
    expect(attribute('IS_PAYLOAD_TRUNCATED')).toBe('false');
    expect(body.attempt).toBe('3');
  });

  it('stops retrying once the event is older than MaximumEventAgeInSeconds', async () => {
    const dlq = await queue('too-old-dlq');

    await scheduler.send(
      new CreateScheduleCommand(
        schedule(
          'too-old',
          {
            Arn: 'arn:aws:sqs:eu-west-1:000000000000:no-such-queue',
            RoleArn: ROLE,
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60 },
            DeadLetterConfig: { Arn: dlq.arn },
          },
          { ScheduleExpression: 'rate(1 day)' },
        ),
      ),
    );
    const [dead] = await receive(dlq.url, 1);

    const attribute = (name: string) => dead?.MessageAttributes?.[name]?.StringValue;
    expect(attribute('ERROR_CODE')).toBe('QueueDoesNotExist');
    expect(attribute('EXHAUSTED_RETRY_CONDITION')).toBe('MaximumEventAgeInSeconds');
    expect(Number(attribute('RETRY_ATTEMPTS'))).toBeLessThan(185);
  });

  it('fires a one-time schedule once and then deletes it (ActionAfterCompletion DELETE)', async () => {
    const target = await queue('one-time');
    const when = local.instance().clock.now() + 30_000;

    await scheduler.send(
      new CreateScheduleCommand(
        schedule(
          'one-time',
          { Arn: target.arn, RoleArn: ROLE, Input: CONTEXT_INPUT },
          { ScheduleExpression: atExpression(when), ActionAfterCompletion: 'DELETE' },
        ),
      ),
    );
    const messages = await receive(target.url, 2, 2500);
    const gone = await scheduler
      .send(new GetScheduleCommand({ Name: 'one-time' }))
      .catch((error: unknown) => error);

    expect(messages).toHaveLength(1);
    const body = JSON.parse(messages[0]!.Body!) as Record<string, string>;
    expect(Date.parse(body.time!)).toBe(Math.floor(when / 1000) * 1000);
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
  });

  it('does not fire while disabled, and fires once enabled', async () => {
    const target = await queue('toggled');
    const definition = schedule('toggled', { Arn: target.arn, RoleArn: ROLE });

    await scheduler.send(new CreateScheduleCommand({ ...definition, State: 'DISABLED' }));
    const whileDisabled = await receive(target.url, 1, 1500);
    await scheduler.send(new UpdateScheduleCommand({ ...definition, State: 'ENABLED' }));
    const onceEnabled = await receive(target.url, 1);

    expect(whileDisabled).toEqual([]);
    expect(onceEnabled).toHaveLength(1);
  });
});
