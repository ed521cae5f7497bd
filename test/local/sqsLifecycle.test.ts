import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws } from '../../local/index.js';
import { QueueDoesNotExistError } from '../../local/sqs/index.js';
import { TEST_ENV, useLocalAws } from '../support/localAws.js';

const local = useLocalAws();
let sqs: SQSClient;
const folders: string[] = [];

beforeAll(() => {
  sqs = new SQSClient({ maxAttempts: 1 });
});

afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

const arnOf = (name: string) => `arn:aws:sqs:eu-west-1:000000000000:${name}`;

describe('SQS delays and dead-letter queues', () => {
  it('holds a delayed message back until its delay has passed', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'delayed-queue' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 1 }));

    const early = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    const delayed = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessagesDelayed'],
      }),
    );
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 3 }),
    );

    expect(early.Messages).toBeUndefined();
    expect(delayed.Attributes?.ApproximateNumberOfMessagesDelayed).toBe('1');
    expect(Messages?.[0]?.Body).toBe('later');
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const dead = await sqs.send(new CreateQueueCommand({ QueueName: 'dead-letters' }));
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'redriven-queue',
        Attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: arnOf('dead-letters'),
            maxReceiveCount: 2,
          }),
        },
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'poison' }));

    for (let receive = 0; receive < 2; receive++)
      await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }));
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    const inDeadLetters = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dead.QueueUrl, MessageSystemAttributeNames: ['All'] }),
    );

    expect(third.Messages).toBeUndefined();
    expect(inDeadLetters.Messages?.[0]?.Body).toBe('poison');
  });

  it('refuses a RedrivePolicy whose dead-letter queue does not exist', async () => {
    await expect(
      sqs.send(
        new CreateQueueCommand({
          QueueName: 'orphan-queue',
          Attributes: {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: arnOf('no-dead-letters'),
              maxReceiveCount: 3,
            }),
          },
        }),
      ),
    ).rejects.toMatchObject({
      message: expect.stringContaining('Dead letter target'),
    });
  });
});

describe('SQS state', () => {
  it('keeps queues and messages across a restart', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'local-aws-sqs-'));
    folders.push(stateDir);
    const first = await startLocalAws({ port: 0, stateDir });
    const client = (endpoint: string) =>
      new SQSClient({
        endpoint,
        region: TEST_ENV.AWS_REGION,
        maxAttempts: 1,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
    const before = client(first.endpoint);
    const { QueueUrl } = await before.send(new CreateQueueCommand({ QueueName: 'kept-queue' }));
    await before.send(new SendMessageCommand({ QueueUrl, MessageBody: 'still here' }));
    await first.stop();

    const second = await startLocalAws({ port: 0, stateDir });
    const { Messages } = await client(second.endpoint).send(
      new ReceiveMessageCommand({
        QueueUrl: `${second.endpoint}/000000000000/kept-queue`,
      }),
    );
    await second.stop();

    expect(Messages?.[0]?.Body).toBe('still here');
  });

  it('brings times from a faster run back to the clock of the next', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'local-aws-sqs-'));
    folders.push(stateDir);
    const client = (endpoint: string) =>
      new SQSClient({
        endpoint,
        region: TEST_ENV.AWS_REGION,
        maxAttempts: 1,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
    const fast = await startLocalAws({ port: 0, stateDir, timeScale: 60 });
    const { QueueUrl } = await client(fast.endpoint).send(
      new CreateQueueCommand({ QueueName: 'scaled-state-queue' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await client(fast.endpoint).send(new SendMessageCommand({ QueueUrl, MessageBody: 'sent' }));
    await fast.stop();

    const normal = await startLocalAws({ port: 0, stateDir });
    const { Messages } = await client(normal.endpoint).send(
      new ReceiveMessageCommand({
        QueueUrl: `${normal.endpoint}/000000000000/scaled-state-queue`,
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    );
    await normal.stop();

    expect(Number(Messages?.[0]?.Attributes?.SentTimestamp)).toBeLessThanOrEqual(Date.now());
  });

  it('answers a long poll at once when local AWS stops', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'local-aws-sqs-'));
    folders.push(stateDir);
    const running = await startLocalAws({ port: 0, stateDir });
    const client = new SQSClient({
      endpoint: running.endpoint,
      region: TEST_ENV.AWS_REGION,
      maxAttempts: 1,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'polled-queue' }));
    const polling = client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();

    await running.stop();
    const answer = await polling;

    expect(answer.Messages).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('the SQS in-process API', () => {
  it('sends by queue ARN, for other local services', async () => {
    await sqs.send(new CreateQueueCommand({ QueueName: 'in-process-queue' }));
    const queueArn = 'arn:aws:sqs:eu-west-1:000000000000:in-process-queue';

    const messageId = await (
      await local.instance().service('sqs')
    ).sendMessage(queueArn, 'from Lambda');
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: `${local.endpoint()}/000000000000/in-process-queue` }),
    );

    expect(Messages?.[0]).toMatchObject({ MessageId: messageId, Body: 'from Lambda' });
  });

  it('creates a queue and reads and sets its attributes, for CloudFormation', async () => {
    const sqsApi = await local.instance().service('sqs');

    const created = await sqsApi.createQueue({
      name: 'provisioned-queue',
      region: 'eu-west-1',
      attributes: { VisibilityTimeout: '60' },
    });
    await sqsApi.setQueueAttributes(created.arn, { DelaySeconds: '5' });

    expect(created).toEqual({
      url: `${local.endpoint()}/000000000000/provisioned-queue`,
      arn: 'arn:aws:sqs:eu-west-1:000000000000:provisioned-queue',
    });
    expect(sqsApi.queueAttributes(created.arn)).toMatchObject({
      QueueArn: created.arn,
      VisibilityTimeout: '60',
      DelaySeconds: '5',
    });
  });

  it('raises QueueDoesNotExistError for an unknown queue', async () => {
    await expect(
      (await local.instance().service('sqs')).sendMessage(
        'arn:aws:sqs:eu-west-1:000000000000:nowhere',
        'x',
      ),
    ).rejects.toBeInstanceOf(QueueDoesNotExistError);
  });
});
