import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  PublishCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalAws } from '../support/localAws.js';

const local = useLocalAws();
let sns: SNSClient;

beforeAll(() => {
  sns = new SNSClient({ maxAttempts: 1 });
});

async function outbox(topic: string): Promise<string[]> {
  const files = await readdir(local.instance().outbox).catch(() => [] as string[]);
  return Promise.all(
    files
      .filter((f) => f.includes(`-${topic}-`))
      .sort()
      .map((f) => readFile(join(local.instance().outbox, f), 'utf8')),
  );
}

describe('SNS topics and subscriptions', () => {
  it('creates, lists, describes, updates and deletes a topic', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'lifecycle-topic' }));
    await sns.send(
      new SetTopicAttributesCommand({
        TopicArn,
        AttributeName: 'DisplayName',
        AttributeValue: 'Alerts',
      }),
    );
    const listed = await sns.send(new ListTopicsCommand({}));
    const attributes = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
    await sns.send(new DeleteTopicCommand({ TopicArn }));

    expect(TopicArn).toBe('arn:aws:sns:eu-west-1:000000000000:lifecycle-topic');
    expect(listed.Topics?.map((t) => t.TopicArn)).toContain(TopicArn);
    expect(attributes.Attributes).toMatchObject({ TopicArn, DisplayName: 'Alerts' });
    await expect(sns.send(new GetTopicAttributesCommand({ TopicArn }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });

  it('subscribes and unsubscribes an email address', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'subscription-topic' }));

    const { SubscriptionArn } = await sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'kyle@example.com' }),
    );
    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    await sns.send(new UnsubscribeCommand({ SubscriptionArn }));
    const after = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));

    expect(listed.Subscriptions).toEqual([
      expect.objectContaining({ Protocol: 'email', Endpoint: 'kyle@example.com', SubscriptionArn }),
    ]);
    expect(after.Subscriptions ?? []).toEqual([]);
  });

  it('refuses protocols it cannot deliver', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'protocol-topic' }));
    await expect(
      sns.send(
        new SubscribeCommand({
          TopicArn,
          Protocol: 'http',
          Endpoint: 'http://127.0.0.1:9/',
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('Protocol http is not supported by local AWS'),
    });
  });
});

describe('SNS Publish', () => {
  it('emails each subscriber a readable RFC 5322 message in the outbox', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'email-topic' }));
    await sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'kyle@example.com' }),
    );

    const { MessageId } = await sns.send(
      new PublishCommand({
        TopicArn,
        Subject: 'Pipeline failed',
        Message: 'Prices: 100 → 101 ✓\nSecond line',
      }),
    );
    const [email] = await outbox('email-topic');

    expect(email).toContain('To: kyle@example.com\r\n');
    expect(email).toContain('Subject: Pipeline failed\r\n');
    expect(email).toContain('Content-Type: text/plain; charset=UTF-8\r\n');
    expect(email).toContain(`Message-ID: <${MessageId}@sns.amazonaws.com>`);
    expect(email).toContain('\r\n\r\nPrices: 100 → 101 ✓\r\nSecond line\r\n');
  });

  it.each([
    ['longer than 100 characters', 'x'.repeat(101)],
    ['with a line break', 'two\nlines'],
    ['with non-ASCII characters', 'Prix €'],
  ])('rejects a subject %s', async (_, subject) => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'subject-topic' }));
    await expect(
      sns.send(new PublishCommand({ TopicArn, Subject: subject, Message: 'x' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('Invalid parameter: Subject'),
    });
  });

  it('accepts a subject of exactly 100 characters', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'subject-topic' }));
    await expect(
      sns.send(new PublishCommand({ TopicArn, Subject: 'y'.repeat(100), Message: 'x' })),
    ).resolves.toHaveProperty('MessageId');
  });

  it('rejects a message over 256 KB', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'size-topic' }));
    await expect(
      sns.send(new PublishCommand({ TopicArn, Message: 'x'.repeat(262_145) })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Invalid parameter: Message too long',
    });
  });

  it('answers NotFound for a missing topic', async () => {
    await expect(
      sns.send(
        new PublishCommand({ TopicArn: 'arn:aws:sns:eu-west-1:000000000000:nope', Message: 'x' }),
      ),
    ).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });
});
