import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalAws } from '../support/localAws.js';

useLocalAws();
let sqs: SQSClient;

beforeAll(() => {
  sqs = new SQSClient({ maxAttempts: 1 });
});

async function fifoQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}.fifo`,
      Attributes: { FifoQueue: 'true', ...attributes },
    }),
  );
  return QueueUrl!;
}

async function receive(QueueUrl: string, max = 10) {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl,
      MaxNumberOfMessages: max,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return Messages;
}

describe('SQS FIFO queues', () => {
  it('are created with FifoQueue=true and a .fifo name, with the FIFO defaults', async () => {
    const QueueUrl = await fifoQueue('orders');

    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }),
    );

    expect(Attributes).toMatchObject({
      FifoQueue: 'true',
      ContentBasedDeduplication: 'false',
      DeduplicationScope: 'queue',
      FifoThroughputLimit: 'perQueue',
    });
  });

  it('refuse a .fifo name without FifoQueue=true', async () => {
    await expect(
      sqs.send(new CreateQueueCommand({ QueueName: 'half.fifo' })),
    ).rejects.toMatchObject({
      message: expect.stringContaining('needs the attribute FifoQueue=true'),
    });
  });

  it('are the only queues with FIFO attributes', async () => {
    await expect(
      sqs.send(
        new CreateQueueCommand({
          QueueName: 'standard-with-fifo-attribute',
          Attributes: { ContentBasedDeduplication: 'true' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidAttributeName' });
  });

  it('need a MessageGroupId on every message', async () => {
    const QueueUrl = await fifoQueue('grouped');
    await expect(
      sqs.send(
        new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageDeduplicationId: 'd1' }),
      ),
    ).rejects.toMatchObject({ message: expect.stringContaining('MessageGroupId') });
  });

  it('drop a message with a deduplication id seen in the last five minutes', async () => {
    const QueueUrl = await fifoQueue('deduplicated');
    const message = { QueueUrl, MessageGroupId: 'g', MessageDeduplicationId: 'same' };

    const first = await sqs.send(new SendMessageCommand({ ...message, MessageBody: 'one' }));
    const second = await sqs.send(new SendMessageCommand({ ...message, MessageBody: 'one' }));
    const messages = await receive(QueueUrl);

    expect(second.MessageId).toBe(first.MessageId);
    expect(messages.map((m) => m.Body)).toEqual(['one']);
  });

  it('deduplicate by body with ContentBasedDeduplication', async () => {
    const QueueUrl = await fifoQueue('content-deduplicated', {
      ContentBasedDeduplication: 'true',
    });

    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'tick', MessageGroupId: 'g' },
          { Id: 'b', MessageBody: 'tick', MessageGroupId: 'g' },
          { Id: 'c', MessageBody: 'tock', MessageGroupId: 'g' },
        ],
      }),
    );

    expect((await receive(QueueUrl)).map((m) => m.Body)).toEqual(['tick', 'tock']);
  });

  it('number messages in order and hold a group while one of its messages is in flight', async () => {
    const QueueUrl = await fifoQueue('ordered', { ContentBasedDeduplication: 'true' });
    const sent = [];
    for (const [group, body] of [
      ['a', 'a1'],
      ['a', 'a2'],
      ['b', 'b1'],
    ])
      sent.push(
        await sqs.send(
          new SendMessageCommand({ QueueUrl, MessageGroupId: group, MessageBody: body }),
        ),
      );

    const [a1] = await receive(QueueUrl, 1);
    const whileA1InFlight = await receive(QueueUrl);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: a1!.ReceiptHandle }));
    const afterA1 = await receive(QueueUrl);

    expect(sent.map((s) => Number(s.SequenceNumber))).toEqual([1, 2, 3]);
    expect(a1?.Attributes).toMatchObject({
      MessageGroupId: 'a',
      SequenceNumber: sent[0]!.SequenceNumber,
    });
    expect(whileA1InFlight.map((m) => m.Body)).toEqual(['b1']);
    expect(afterA1.map((m) => m.Body)).toEqual(['a2']);
  });
});
