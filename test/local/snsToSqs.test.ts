import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalAws } from '../support/localAws.js';

useLocalAws();
let sns: SNSClient;
let sqs: SQSClient;

beforeAll(() => {
  sns = new SNSClient({ maxAttempts: 1 });
  sqs = new SQSClient({ maxAttempts: 1 });
});

/** A topic with one queue subscribed to it. */
async function topicWithQueue(name: string, attributes?: Record<string, string>) {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${name}-topic` }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-queue` }));
  const queueArn = `arn:aws:sqs:eu-west-1:000000000000:${name}-queue`;
  const { SubscriptionArn } = await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      Attributes: attributes,
      ReturnSubscriptionArn: true,
    }),
  );
  return { TopicArn: TopicArn!, QueueUrl: QueueUrl!, SubscriptionArn: SubscriptionArn! };
}

async function receiveOne(QueueUrl: string) {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MessageAttributeNames: ['All'] }),
  );
  expect(Messages).toHaveLength(1);
  return Messages![0]!;
}

describe('SNS subscriptions of protocol sqs', () => {
  it('are confirmed at once', async () => {
    const { SubscriptionArn } = await topicWithQueue('confirmed');

    const { Attributes } = await sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn }),
    );

    expect(Attributes).toMatchObject({
      Protocol: 'sqs',
      Endpoint: 'arn:aws:sqs:eu-west-1:000000000000:confirmed-queue',
      PendingConfirmation: 'false',
      RawMessageDelivery: 'false',
    });
  });

  it('deliver the SNS JSON envelope to the queue', async () => {
    const { TopicArn, QueueUrl } = await topicWithQueue('envelope');

    const { MessageId } = await sns.send(
      new PublishCommand({
        TopicArn,
        Subject: 'Pipeline failed',
        Message: 'Index_1 stopped',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
      }),
    );
    const envelope = JSON.parse((await receiveOne(QueueUrl)).Body!) as Record<string, unknown>;

    expect(envelope).toMatchObject({
      Type: 'Notification',
      MessageId,
      TopicArn,
      Subject: 'Pipeline failed',
      Message: 'Index_1 stopped',
      SignatureVersion: '1',
      Signature: expect.any(String),
      SigningCertURL: expect.stringMatching(/^https:\/\//),
      UnsubscribeURL: expect.stringContaining('Action=Unsubscribe'),
      MessageAttributes: { severity: { Type: 'String', Value: 'high' } },
    });
    expect(new Date(envelope.Timestamp as string).getTime()).not.toBeNaN();
  });

  it('deliver the raw message and its attributes with RawMessageDelivery', async () => {
    const { TopicArn, QueueUrl, SubscriptionArn } = await topicWithQueue('raw');
    await sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn,
        AttributeName: 'RawMessageDelivery',
        AttributeValue: 'true',
      }),
    );

    await sns.send(
      new PublishCommand({
        TopicArn,
        Message: '{"price":101}',
        MessageAttributes: { ticker: { DataType: 'String', StringValue: 'Index_1' } },
      }),
    );
    const message = await receiveOne(QueueUrl);

    expect(message.Body).toBe('{"price":101}');
    expect(message.MessageAttributes?.ticker).toMatchObject({
      DataType: 'String',
      StringValue: 'Index_1',
    });
  });

  it('accept RawMessageDelivery when subscribing', async () => {
    const { TopicArn, QueueUrl } = await topicWithQueue('raw-at-subscribe', {
      RawMessageDelivery: 'true',
    });

    await sns.send(new PublishCommand({ TopicArn, Message: 'plain' }));

    expect((await receiveOne(QueueUrl)).Body).toBe('plain');
  });

  it('refuse an endpoint that is not a queue ARN', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'bad-endpoint-topic' }));
    await expect(
      sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: 'my-queue' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('SQS endpoint ARN'),
    });
  });

  it('refuse a RawMessageDelivery that is not true or false', async () => {
    const { SubscriptionArn } = await topicWithQueue('bad-raw');
    await expect(
      sns.send(
        new SetSubscriptionAttributesCommand({
          SubscriptionArn,
          AttributeName: 'RawMessageDelivery',
          AttributeValue: 'yes',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});
