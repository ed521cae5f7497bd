import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalAws } from '../../local/index.js';
import type { LocalAws } from '../../local/index.js';
import { TEST_FUNCTION, zipHandler } from '../support/lambdaZip.js';
import { TEST_ENV } from '../support/localAws.js';

const running: LocalAws[] = [];
const folders: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((local) => local.stop()));
  await Promise.all(folders.splice(0).map((f) => rm(f, { recursive: true, force: true })));
});

async function start(stateDir: string, timeScale = 1, log?: (line: string) => void) {
  const local = await startLocalAws({ port: 0, stateDir, timeScale, ...(log ? { log } : {}) });
  running.push(local);
  const config = {
    endpoint: local.endpoint,
    region: 'eu-west-1',
    credentials: {
      accessKeyId: TEST_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: TEST_ENV.AWS_SECRET_ACCESS_KEY,
    },
    maxAttempts: 1,
  };
  return { local, lambda: new LambdaClient(config), sns: new SNSClient(config) };
}

async function folder(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'local-lambda-'));
  folders.push(path);
  return path;
}

async function until(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

const FAILS = `export const handler = async () => { throw new Error('down'); };`;

describe('Lambda across restarts', () => {
  it('keeps functions and runs them after a restart', async () => {
    const stateDir = await folder();
    const first = await start(stateDir);
    await first.lambda.send(
      new CreateFunctionCommand({
        ...TEST_FUNCTION,
        FunctionName: 'kept',
        Code: { ZipFile: zipHandler('export const handler = async () => "still here";') },
      }),
    );
    await first.local.stop();

    const second = await start(stateDir);
    const result = await second.lambda.send(new InvokeCommand({ FunctionName: 'kept' }));

    expect(Buffer.from(result.Payload!).toString()).toBe('"still here"');
  });

  it('journals a pending retry so a restart still delivers the failure record', async () => {
    const stateDir = await folder();
    const first = await start(stateDir);
    const { TopicArn } = await first.sns.send(new CreateTopicCommand({ Name: 'restart-alerts' }));
    await first.sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'ops@example.com' }),
    );
    await first.lambda.send(
      new CreateFunctionCommand({
        ...TEST_FUNCTION,
        FunctionName: 'fails',
        Code: { ZipFile: zipHandler(FAILS) },
      }),
    );
    await first.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'fails',
        MaximumRetryAttempts: 1,
        DestinationConfig: { OnFailure: { Destination: TopicArn } },
      }),
    );
    await first.lambda.send(new InvokeCommand({ FunctionName: 'fails', InvocationType: 'Event' }));
    const journal = join(stateDir, 'lambda', 'async');
    // The first attempt has run once the event's journal records it; its retry is a minute away.
    await until(async () => (await readdir(journal)).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await first.local.stop();
    const pendingAtStop = await readdir(journal);

    // Restarted 600 times faster, the minute left before the retry passes in a tenth of a second.
    const second = await start(stateDir, 600);
    // The journalled event starts Lambda at boot: no call comes to start it.
    const startedAtBoot = second.local.started();
    const delivered = await until(async () =>
      (await readdir(second.local.outbox).catch(() => [] as string[])).some((f) =>
        f.includes('-restart-alerts-'),
      ),
    );

    // The journal entry goes once the record is sent, just after the email is written.
    const journalEmptied = await until(async () => (await readdir(journal)).length === 0);

    expect(pendingAtStop).toHaveLength(1);
    expect(startedAtBoot).toContain('lambda');
    expect(delivered).toBe(true);
    expect(journalEmptied).toBe(true);
  });

  it('sends the failure record to an SQS destination', async () => {
    // Real time: SQS's long poll runs on the scaled clock too.
    const { local, lambda } = await start(await folder());
    const sqs = new SQSClient({
      endpoint: local.endpoint,
      region: 'eu-west-1',
      credentials: {
        accessKeyId: TEST_ENV.AWS_ACCESS_KEY_ID,
        secretAccessKey: TEST_ENV.AWS_SECRET_ACCESS_KEY,
      },
    });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'failures' }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await lambda.send(
      new CreateFunctionCommand({
        ...TEST_FUNCTION,
        FunctionName: 'to-sqs',
        Code: { ZipFile: zipHandler(FAILS) },
      }),
    );
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'to-sqs',
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: Attributes!.QueueArn } },
      }),
    );

    await lambda.send(
      new InvokeCommand({
        FunctionName: 'to-sqs',
        InvocationType: 'Event',
        Payload: Buffer.from('{"n":1}'),
      }),
    );
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 1 }),
    );

    const record = JSON.parse(Messages?.[0]?.Body ?? '{}') as {
      requestContext?: { condition?: string; approximateInvokeCount?: number };
      requestPayload?: unknown;
    };
    expect(record.requestContext).toMatchObject({
      condition: 'RetriesExhausted',
      approximateInvokeCount: 1,
    });
    expect(record.requestPayload).toEqual({ n: 1 });
  });
});
