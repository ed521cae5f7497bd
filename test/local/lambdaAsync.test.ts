import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import type { PutFunctionEventInvokeConfigCommandInput } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_FUNCTION, zipHandler } from '../support/lambdaZip.js';
import { useLocalAws } from '../support/localAws.js';

// 600 times faster: Lambda's one- and two-minute retry delays take 0.1 s and 0.2 s.
const local = useLocalAws({ timeScale: 600 });
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;
let sns: SNSClient;

beforeAll(() => {
  lambda = new LambdaClient({ maxAttempts: 1 });
  logs = new CloudWatchLogsClient({ maxAttempts: 1 });
  sns = new SNSClient({ maxAttempts: 1 });
});

const FAILS = `export const handler = async (event) => { console.log('got', JSON.stringify(event)); throw new Error('always fails'); };`;
const LOGS_EVENT = `export const handler = async (event) => { console.log(JSON.stringify(event)); return 'ok'; };`;

async function deploy(
  name: string,
  source: string,
  config?: Omit<PutFunctionEventInvokeConfigCommandInput, 'FunctionName'>,
): Promise<string> {
  const { FunctionArn } = await lambda.send(
    new CreateFunctionCommand({
      ...TEST_FUNCTION,
      FunctionName: name,
      Code: { ZipFile: zipHandler(source) },
    }),
  );
  if (config) {
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, ...config }));
  }
  return FunctionArn!;
}

async function sendEvent(name: string, payload: unknown) {
  return lambda.send(
    new InvokeCommand({
      FunctionName: name,
      InvocationType: 'Event',
      Payload: Buffer.from(JSON.stringify(payload)),
    }),
  );
}

async function messages(group: string): Promise<{ message: string; timestamp: number }[]> {
  const { events } = await logs
    .send(new FilterLogEventsCommand({ logGroupName: group }))
    .catch(() => ({ events: [] }));
  return (events ?? []).map((e) => ({ message: e.message ?? '', timestamp: e.timestamp ?? 0 }));
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function topicWithEmail(name: string): Promise<string> {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  await sns.send(
    new SubscribeCommand({ TopicArn, Protocol: 'email-json', Endpoint: 'ops@example.com' }),
  );
  return TopicArn!;
}

async function emails(topic: string): Promise<Record<string, unknown>[]> {
  const outbox = local.instance().outbox;
  const files = (await readdir(outbox).catch(() => [] as string[])).filter((f) =>
    f.includes(`-${topic}-`),
  );
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(join(outbox, file), 'utf8');
      const body = text.slice(text.indexOf('\r\n\r\n') + 4).split('\r\n')[0]!;
      return JSON.parse((JSON.parse(body) as { Message: string }).Message) as Record<
        string,
        unknown
      >;
    }),
  );
}

describe('Lambda asynchronous invocation', () => {
  it('accepts an Event with 202 and runs the function', async () => {
    await deploy('async-ok', LOGS_EVENT);

    const accepted = await sendEvent('async-ok', { n: 1 });
    const lines = await eventually(
      () => messages('/aws/lambda/async-ok'),
      (found) => found.some((line) => line.message.includes('{"n":1}')),
    );

    expect(accepted.StatusCode).toBe(202);
    expect(lines.map((line) => line.message)).toContainEqual(expect.stringContaining('{"n":1}'));
  });

  it('retries a failing event twice, after one and two (scaled) minutes, then sends the record to an SNS topic', async () => {
    const topicArn = await topicWithEmail('async-failures');
    await deploy('async-fails', FAILS, {
      DestinationConfig: { OnFailure: { Destination: topicArn } },
    });

    const accepted = await sendEvent('async-fails', { order: 7 });
    const [record] = await eventually(
      () => emails('async-failures'),
      (found) => found.length > 0,
    );
    const starts = (await messages('/aws/lambda/async-fails')).filter((line) =>
      line.message.startsWith('START'),
    );

    const requestId = accepted.$metadata.requestId;
    expect(starts.map((line) => line.message)).toEqual(
      Array(3).fill(`START RequestId: ${requestId} Version: $LATEST`),
    );
    expect(starts[1]!.timestamp - starts[0]!.timestamp).toBeGreaterThanOrEqual(95);
    expect(starts[2]!.timestamp - starts[1]!.timestamp).toBeGreaterThanOrEqual(195);
    expect(record).toEqual({
      version: '1.0',
      timestamp: expect.any(String) as unknown,
      requestContext: {
        requestId,
        functionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:async-fails:$LATEST',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: { order: 7 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: {
        errorType: 'Error',
        errorMessage: 'always fails',
        trace: expect.any(Array) as unknown,
      },
    });
  });

  it('sends the failure record to a Lambda function destination, invoked asynchronously', async () => {
    const targetArn = await deploy('async-target', LOGS_EVENT);
    await deploy('async-to-lambda', FAILS, {
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: targetArn } },
    });

    await sendEvent('async-to-lambda', { x: 1 });
    const lines = await eventually(
      () => messages('/aws/lambda/async-target'),
      (found) => found.some((line) => line.message.includes('RetriesExhausted')),
    );

    const record = lines.find((line) => line.message.includes('RetriesExhausted'))!.message;
    expect(record).toContain('"approximateInvokeCount":1');
    expect(record).toContain('"requestPayload":{"x":1}');
  });

  it('sends an OnSuccess record with the function’s response', async () => {
    const targetArn = await deploy('success-target', LOGS_EVENT);
    await deploy('async-succeeds', `export const handler = async () => ({ done: true });`, {
      DestinationConfig: { OnSuccess: { Destination: targetArn } },
    });

    await sendEvent('async-succeeds', { y: 2 });
    const lines = await eventually(
      () => messages('/aws/lambda/success-target'),
      (found) => found.some((line) => line.message.includes('"condition":"Success"')),
    );

    expect(lines.map((line) => line.message)).toContainEqual(
      expect.stringContaining('"responsePayload":{"done":true}'),
    );
  });

  it('runs one function’s events in turn, not at once, so that one instance serves them', async () => {
    const targetArn = await deploy('in-turn-target', LOGS_EVENT);
    await deploy(
      'async-in-turn',
      `export const handler = async () => { const began = Date.now(); await new Promise((r) => setTimeout(r, 150)); return { began, ended: Date.now() }; };`,
      { DestinationConfig: { OnSuccess: { Destination: targetArn } } },
    );

    await Promise.all([1, 2, 3].map((n) => sendEvent('async-in-turn', { n })));
    const lines = await eventually(
      () => messages('/aws/lambda/in-turn-target'),
      (found) => found.filter((line) => line.message.includes('"condition":"Success"')).length >= 3,
    );
    const runs = lines
      .filter((line) => line.message.includes('"condition":"Success"'))
      .map(
        (line) =>
          // The record follows the log line's prefix (time, request id, level).
          (
            JSON.parse(line.message.slice(line.message.indexOf('{'))) as {
              responsePayload: { began: number; ended: number };
            }
          ).responsePayload,
      )
      .sort((a, b) => a.began - b.began);

    expect(runs).toHaveLength(3);
    expect(runs[1]!.began).toBeGreaterThanOrEqual(runs[0]!.ended);
    expect(runs[2]!.began).toBeGreaterThanOrEqual(runs[1]!.ended);
  });

  it('gives up with EventAgeExceeded when the event outlives its maximum age', async () => {
    const topicArn = await topicWithEmail('async-too-old');
    await deploy('async-old', FAILS, {
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: topicArn } },
    });

    await sendEvent('async-old', {});
    const [record] = await eventually(
      () => emails('async-too-old'),
      (found) => found.length > 0,
    );

    expect(record?.requestContext).toMatchObject({
      condition: 'EventAgeExceeded',
      approximateInvokeCount: 1,
    });
  });
});
