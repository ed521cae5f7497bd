import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useAwsCli } from '../support/awsCli.js';
import { TEST_ENV, useLocalAws } from '../support/localAws.js';

const local = useLocalAws();
const aws = useAwsCli(local.endpoint);
const run = promisify(execFile);

async function json<T>(...args: string[]): Promise<T> {
  return JSON.parse(await aws(...args)) as T;
}

describe('SQS through the AWS CLI 2.9 (query protocol)', () => {
  it('creates a queue with attributes and tags and reads them back', async () => {
    const { QueueUrl } = await json<{ QueueUrl: string }>(
      'sqs',
      'create-queue',
      '--queue-name',
      'cli-queue',
      '--attributes',
      'VisibilityTimeout=45,MessageRetentionPeriod=600',
      '--tags',
      'team=pipeline',
    );
    const { Attributes } = await json<{ Attributes: Record<string, string> }>(
      'sqs',
      'get-queue-attributes',
      '--queue-url',
      QueueUrl,
      '--attribute-names',
      'All',
    );
    const { Tags } = await json<{ Tags: Record<string, string> }>(
      'sqs',
      'list-queue-tags',
      '--queue-url',
      QueueUrl,
    );

    expect(QueueUrl).toBe(`${local.endpoint()}/000000000000/cli-queue`);
    expect(Attributes).toMatchObject({
      VisibilityTimeout: '45',
      MessageRetentionPeriod: '600',
      QueueArn: 'arn:aws:sqs:eu-west-1:000000000000:cli-queue',
    });
    expect(Tags).toEqual({ team: 'pipeline' });
  });

  it('sends, receives and deletes a message with attributes', async () => {
    const { QueueUrl } = await json<{ QueueUrl: string }>(
      'sqs',
      'create-queue',
      '--queue-name',
      'cli-messages',
    );
    const sent = await json<{ MessageId: string; MD5OfMessageAttributes: string }>(
      'sqs',
      'send-message',
      '--queue-url',
      QueueUrl,
      '--message-body',
      'hello <from> & the CLI',
      '--message-attributes',
      '{"ticker":{"DataType":"String","StringValue":"Index_1"}}',
    );
    const { Messages } = await json<{
      Messages: {
        MessageId: string;
        Body: string;
        ReceiptHandle: string;
        Attributes: Record<string, string>;
        MessageAttributes: Record<string, { StringValue: string }>;
      }[];
    }>(
      'sqs',
      'receive-message',
      '--queue-url',
      QueueUrl,
      '--attribute-names',
      'All',
      '--message-attribute-names',
      'All',
      '--max-number-of-messages',
      '10',
    );
    await aws(
      'sqs',
      'delete-message',
      '--queue-url',
      QueueUrl,
      '--receipt-handle',
      Messages[0]!.ReceiptHandle,
    );
    const after = await aws('sqs', 'receive-message', '--queue-url', QueueUrl);

    expect(Messages).toHaveLength(1);
    expect(Messages[0]).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'hello <from> & the CLI',
      Attributes: { ApproximateReceiveCount: '1' },
      MessageAttributes: { ticker: { StringValue: 'Index_1' } },
    });
    expect(after.trim()).toBe('');
  });

  it('sends a batch and lists queues by prefix', async () => {
    const { QueueUrl } = await json<{ QueueUrl: string }>(
      'sqs',
      'create-queue',
      '--queue-name',
      'cli-batch',
    );
    const batch = await json<{ Successful: { Id: string }[] }>(
      'sqs',
      'send-message-batch',
      '--queue-url',
      QueueUrl,
      '--entries',
      'Id=one,MessageBody=first',
      'Id=two,MessageBody=second',
    );
    const { QueueUrls } = await json<{ QueueUrls: string[] }>(
      'sqs',
      'list-queues',
      '--queue-name-prefix',
      'cli-b',
    );

    expect(batch.Successful.map((entry) => entry.Id)).toEqual(['one', 'two']);
    expect(QueueUrls).toEqual([QueueUrl]);
  });

  it('shows the query error code for a queue that is not there', async () => {
    const stderr = await aws.fails('sqs', 'get-queue-url', '--queue-name', 'cli-missing');

    expect(stderr).toContain('AWS.SimpleQueueService.NonExistentQueue');
  });
});

describe('SQS through boto3 (JSON protocol, a second client)', () => {
  it('round-trips a message with attributes', async () => {
    const script = `
import boto3, json, os
sqs = boto3.client('sqs', endpoint_url=os.environ['ENDPOINT'])
url = sqs.create_queue(QueueName='boto3-queue')['QueueUrl']
sent = sqs.send_message(QueueUrl=url, MessageBody='from boto3',
    MessageAttributes={'n': {'DataType': 'Number', 'StringValue': '42'}})
got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=['All'], WaitTimeSeconds=1)
print(json.dumps({'sent': sent['MD5OfMessageAttributes'], 'message': got['Messages'][0]}))
`;
    const { stdout } = await run('python3', ['-c', script], {
      env: { ...process.env, ...TEST_ENV, ENDPOINT: local.endpoint() },
    });
    const { sent, message } = JSON.parse(stdout) as {
      sent: string;
      message: { Body: string; MD5OfMessageAttributes: string };
    };

    expect(message.Body).toBe('from boto3');
    expect(message.MD5OfMessageAttributes).toBe(sent);
  });
});

describe('SQS input that no SDK would send', () => {
  async function call(operation: string, body: unknown) {
    const response = await fetch(local.endpoint(), {
      method: 'POST',
      headers: {
        // Signed by any key: the administrator's (an unsigned call is anonymous, and refused).
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20260101/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=x',
        'x-amz-target': `AmazonSQS.${operation}`,
        'content-type': 'application/x-amz-json-1.0',
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { message: string } };
  }

  it('answers a field of the wrong type with a 400 that names the field', async () => {
    const { status, body } = await call('CreateQueue', { QueueName: 'typed', Attributes: 5 });

    expect(status).toBe(400);
    expect(body.message).toContain('parameter Attributes');
  });

  it('answers a malformed message attribute with a 400 that names it', async () => {
    await call('CreateQueue', { QueueName: 'raw-json-queue' });
    const { status, body } = await call('SendMessage', {
      QueueUrl: `${local.endpoint()}/000000000000/raw-json-queue`,
      MessageBody: 'x',
      MessageAttributes: { broken: null },
    });

    expect(status).toBe(400);
    expect(body.message).toContain('MessageAttributes.broken');
  });
});
