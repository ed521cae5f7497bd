import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
} from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalAws } from '../support/localAws.js';

const local = useLocalAws();
let sqs: SQSClient;

beforeAll(() => {
  sqs = new SQSClient({ maxAttempts: 1 });
});

async function queue(name: string, attributes?: Record<string, string>): Promise<string> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  return QueueUrl!;
}

describe('SQS queues', () => {
  it('creates a queue at <endpoint>/<account>/<name> with AWS default attributes', async () => {
    const url = await queue('defaults-queue');
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );

    expect(url).toBe(`${local.endpoint()}/000000000000/defaults-queue`);
    expect(Attributes).toMatchObject({
      QueueArn: 'arn:aws:sqs:eu-west-1:000000000000:defaults-queue',
      VisibilityTimeout: '30',
      MessageRetentionPeriod: '345600',
      MaximumMessageSize: '262144',
      ReceiveMessageWaitTimeSeconds: '0',
      DelaySeconds: '0',
      SqsManagedSseEnabled: 'true',
      ApproximateNumberOfMessages: '0',
    });
  });

  it('is idempotent for the same attributes and refuses different ones', async () => {
    const first = await queue('idempotent-queue', { VisibilityTimeout: '45' });
    const again = await queue('idempotent-queue', { VisibilityTimeout: '45' });

    expect(again).toBe(first);
    await expect(queue('idempotent-queue', { VisibilityTimeout: '60' })).rejects.toMatchObject({
      name: 'QueueNameExists',
      message: expect.stringContaining('attribute VisibilityTimeout'),
    });
  });

  it('records policy, encryption and tags, and reads them back', async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [] });
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'recorded-queue',
        Attributes: { Policy: policy, KmsMasterKeyId: 'alias/aws/sqs' },
        tags: { team: 'pipeline' },
      }),
    );
    await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { stage: 'test' } }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['Policy', 'KmsMasterKeyId', 'SqsManagedSseEnabled'],
      }),
    );
    const { Tags } = await sqs.send(new ListQueueTagsCommand({ QueueUrl }));

    expect(Attributes).toEqual({
      Policy: policy,
      KmsMasterKeyId: 'alias/aws/sqs',
      SqsManagedSseEnabled: 'false',
    });
    expect(Tags).toEqual({ team: 'pipeline', stage: 'test' });
  });

  it('names the attribute and its range when a value is out of range', async () => {
    const QueueUrl = await queue('range-queue');
    await expect(
      sqs.send(
        new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '43201' } }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidAttributeValue',
      message: expect.stringContaining('VisibilityTimeout must be an integer from 0 to 43200'),
    });
  });

  it('lists queues by prefix, gets a URL by name and deletes', async () => {
    const url = await queue('listed-alpha');
    await queue('listed-beta');
    await queue('other-gamma');

    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'listed-' }));
    const byName = await sqs.send(new GetQueueUrlCommand({ QueueName: 'listed-alpha' }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));

    expect(listed.QueueUrls?.map((u) => u.split('/').at(-1))).toEqual([
      'listed-alpha',
      'listed-beta',
    ]);
    expect(byName.QueueUrl).toBe(url);
    await expect(
      sqs.send(new GetQueueUrlCommand({ QueueName: 'listed-alpha' })),
    ).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
    });
  });

  it('pages ListQueues with MaxResults and NextToken', async () => {
    for (const name of ['paged-1', 'paged-2', 'paged-3']) await queue(name);

    const first = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: 'paged-', MaxResults: 2 }),
    );
    const second = await sqs.send(
      new ListQueuesCommand({
        QueueNamePrefix: 'paged-',
        MaxResults: 2,
        NextToken: first.NextToken,
      }),
    );

    expect(first.QueueUrls).toHaveLength(2);
    expect(second.QueueUrls?.map((u) => u.split('/').at(-1))).toEqual(['paged-3']);
    expect(second.NextToken).toBeUndefined();
  });
});

describe('SQS messages', () => {
  it('sends and receives a message with attributes (the SDK checks both MD5s)', async () => {
    const QueueUrl = await queue('attributes-queue');
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'price 100 → 101 ✓',
        MessageAttributes: {
          ticker: { DataType: 'String', StringValue: 'Index_1' },
          price: { DataType: 'Number', StringValue: '101' },
          raw: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]) },
        },
      }),
    );
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );

    expect(sent.MD5OfMessageBody).toBe(
      createHash('md5').update('price 100 → 101 ✓', 'utf8').digest('hex'),
    );
    expect(Messages).toHaveLength(1);
    expect(Messages![0]).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'price 100 → 101 ✓',
      MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
      Attributes: { ApproximateReceiveCount: '1', SentTimestamp: expect.stringMatching(/^\d+$/) },
    });
    expect(Messages![0]!.MessageAttributes?.ticker).toMatchObject({ StringValue: 'Index_1' });
    expect(Buffer.from(Messages![0]!.MessageAttributes!.raw!.BinaryValue!)).toEqual(
      Buffer.from([0, 1, 2, 255]),
    );
  });

  it('computes the attributes MD5 as AWS does (the value moto computes for the same attributes)', async () => {
    const QueueUrl = await queue('md5-queue');
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'body',
        MessageAttributes: {
          ticker: { DataType: 'String', StringValue: 'Index_1' },
          price: { DataType: 'Number', StringValue: '101' },
          raw: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]) },
        },
      }),
    );

    expect(sent.MD5OfMessageAttributes).toBe('e21350cfc0fe78033c07cf9453dd16a8');
  });

  it('hides a received message for the visibility timeout and counts receives', async () => {
    const QueueUrl = await queue('visibility-queue');
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'once' }));

    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 1 }));
    const hidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['All'] }),
    );

    expect(first.Messages).toHaveLength(1);
    expect(hidden.Messages).toBeUndefined();
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('deletes a message by its receipt handle', async () => {
    const QueueUrl = await queue('delete-queue');
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'bye' }));
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }),
    );

    await sqs.send(
      new DeleteMessageCommand({ QueueUrl, ReceiptHandle: Messages![0]!.ReceiptHandle }),
    );
    const after = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));

    expect(after.Messages).toBeUndefined();
  });

  it('makes a message visible again at once with ChangeMessageVisibility 0', async () => {
    const QueueUrl = await queue('change-visibility-queue');
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'retry me' }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));

    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl,
        ReceiptHandle: Messages![0]!.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));

    expect(again.Messages?.[0]?.Body).toBe('retry me');
  });

  it('answers ReceiptHandleIsInvalid for a handle it did not issue', async () => {
    const QueueUrl = await queue('receipt-queue');
    await expect(
      sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: 'not-a-handle' })),
    ).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid' });
  });

  it('sends and deletes in batches, reporting each entry', async () => {
    const QueueUrl = await queue('batch-queue');
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two' },
          { Id: 'c', MessageBody: 'three' },
        ],
      }),
    );
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }),
    );
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl,
        Entries: Messages!.map((m, index) => ({ Id: `m${index}`, ReceiptHandle: m.ReceiptHandle })),
      }),
    );

    expect(sent.Successful?.map((e) => e.Id)).toEqual(['a', 'b', 'c']);
    expect(Messages?.map((m) => m.Body)).toEqual(['one', 'two', 'three']);
    expect(deleted.Successful).toHaveLength(3);
  });

  it('refuses a batch with repeated ids', async () => {
    const QueueUrl = await queue('batch-ids-queue');
    await expect(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: [
            { Id: 'same', MessageBody: 'one' },
            { Id: 'same', MessageBody: 'two' },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
  });

  it('long-polls and returns as soon as a message arrives', async () => {
    const QueueUrl = await queue('long-poll-queue');
    const started = Date.now();
    const receiving = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'arrived' }));

    const { Messages } = await receiving;

    expect(Messages?.[0]?.Body).toBe('arrived');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('counts visible and in-flight messages, and purges them', async () => {
    const QueueUrl = await queue('count-queue');
    for (const body of ['1', '2', '3'])
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    const counts = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    const purged = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );

    expect(counts.Attributes).toEqual({
      ApproximateNumberOfMessages: '2',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    expect(purged.Attributes?.ApproximateNumberOfMessages).toBe('0');
  });

  it('rejects a message over the queue maximum size, naming the limit', async () => {
    const QueueUrl = await queue('small-queue', { MaximumMessageSize: '1024' });
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(1025) })),
    ).rejects.toMatchObject({
      message: expect.stringContaining('Message must be shorter than 1024 bytes'),
    });
  });

  it('answers QueueDoesNotExist for a queue that is not there', async () => {
    await expect(
      sqs.send(
        new SendMessageCommand({
          QueueUrl: `${local.endpoint()}/000000000000/missing-queue`,
          MessageBody: 'x',
        }),
      ),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });
});
