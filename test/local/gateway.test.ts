import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalAws } from '../../local/index.js';
import type { LocalAws, LocalAwsOptions } from '../../local/index.js';
import { TEST_ENV } from '../support/localAws.js';

const credentials = {
  accessKeyId: TEST_ENV.AWS_ACCESS_KEY_ID,
  secretAccessKey: TEST_ENV.AWS_SECRET_ACCESS_KEY,
};
const running: LocalAws[] = [];
const folders: string[] = [];

async function start(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const stateDir = await mkdtemp(join(tmpdir(), 'local-aws-gateway-'));
  folders.push(stateDir);
  const local = await startLocalAws({ port: 0, stateDir, ...options });
  running.push(local);
  return local;
}

function client(local: LocalAws, region = 'eu-north-1') {
  return { endpoint: local.endpoint, region, credentials, maxAttempts: 1 };
}

/** Connects, sends `data`, and says how the server ended the connection and what it sent first. */
function sendRaw(local: LocalAws, data: string): Promise<{ answer: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(local.port, '127.0.0.1', () => socket.write(data));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve({ answer, closed: true }));
  });
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((local) => local.stop()));
  await Promise.all(folders.splice(0).map((path) => rm(path, { recursive: true, force: true })));
});

describe('local AWS gateway, when a service fails inside', () => {
  it('answers DynamoDB a 500 in its JSON shape when a store cannot open, and keeps serving', async () => {
    const local = await start();
    // A folder where LevelDB's lock file should be: the region's store cannot open.
    await mkdir(join(local.stateDir, 'dynamodb', 'eu-north-1', 'LOCK'), { recursive: true });
    const failing = new DynamoDBClient(client(local));

    const failure = failing.send(new ListTablesCommand({}));

    await expect(failure).rejects.toMatchObject({
      name: 'InternalFailure',
      $metadata: { httpStatusCode: 500 },
    });
    const other = await new DynamoDBClient(client(local, 'eu-west-1')).send(
      new ListTablesCommand({}),
    );
    expect(other.TableNames).toEqual([]);
  });

  it('answers Firehose a 500 in its JSON shape', async () => {
    const local = await start();
    await mkdir(join(local.stateDir, 'firehose'), { recursive: true });
    await writeFile(join(local.stateDir, 'firehose', 'eu-north-1'), 'not a folder');

    const failure = new FirehoseClient(client(local)).send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'doomed',
        ExtendedS3DestinationConfiguration: {
          RoleARN: 'arn:aws:iam::000000000000:role/r',
          BucketARN: 'arn:aws:s3:::b',
        },
      }),
    );

    await expect(failure).rejects.toMatchObject({
      name: 'InternalFailure',
      $metadata: { httpStatusCode: 500 },
    });
  });

  it('answers SNS a 500 in its query XML shape', async () => {
    const local = await start();
    // A folder where the topics file is renamed to: saving the topics fails.
    await mkdir(join(local.stateDir, 'sns', 'topics.json'), { recursive: true });

    const failure = new SNSClient(client(local)).send(new CreateTopicCommand({ Name: 'doomed' }));

    await expect(failure).rejects.toMatchObject({
      name: 'InternalFailure',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    });
  });
});

describe('local AWS gateway, with clients that take too long', () => {
  it('drops a client that never finishes its headers', async () => {
    const local = await start({
      timeouts: { headersMs: 300, requestMs: 300, checkIntervalMs: 50 },
    });

    const { answer, closed } = await sendRaw(local, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n');

    expect(closed).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('drops a client that never finishes its body', async () => {
    const local = await start({
      timeouts: { headersMs: 300, requestMs: 300, checkIntervalMs: 50 },
    });

    const { closed } = await sendRaw(
      local,
      'PUT /_local/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{',
    );

    expect(closed).toBe(true);
  });

  it('closes an idle keep-alive connection', async () => {
    const local = await start({ timeouts: { keepAliveMs: 200 } });

    const { answer, closed } = await sendRaw(
      local,
      'GET /_local/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    );

    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(closed).toBe(true);
  });
});

describe('local AWS admin paths', () => {
  it('answers a fault setting that is not JSON with 400 saying what to send', async () => {
    const local = await start();

    const response = await fetch(`${local.endpoint}/_local/faults`, { method: 'PUT', body: '{' });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      __type: 'InvalidFaults',
      message:
        'invalid faults: the body is not JSON; send an object such as {"firehose":{"failRate":0.5}}',
    });
  });

  it('answers an unknown admin path with 404 naming the paths there are', async () => {
    const local = await start();

    const response = await fetch(`${local.endpoint}/_local/nothing`, { method: 'POST', body: '{' });

    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toBe(
      'no admin path POST /_local/nothing; try GET /_local/health, GET /_local/backends, GET, PUT, DELETE /_local/faults, PUT /_local/accounts or GET /_local/iam/decisions',
    );
  });

  it('answers a method the fault switch does not take with 405', async () => {
    const local = await start();

    const response = await fetch(`${local.endpoint}/_local/faults`, { method: 'PATCH' });

    expect(response.status).toBe(405);
  });

  it('refuses a region that is not a region name rather than making folders from it', async () => {
    const local = await start();

    const response = await fetch(`${local.endpoint}/_local/backends?region=../../escape`);

    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toBe(
      "region must be a name such as eu-west-1, not '../../escape'",
    );
  });
});
