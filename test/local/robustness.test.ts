import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { FirehoseClient, ListDeliveryStreamsCommand } from '@aws-sdk/client-firehose';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ENV } from '../support/localAws.js';
import { spawnLocalAws } from '../support/localAwsProcess.js';
import type { LocalAwsProcess } from '../support/localAwsProcess.js';

const credentials = {
  accessKeyId: TEST_ENV.AWS_ACCESS_KEY_ID,
  secretAccessKey: TEST_ENV.AWS_SECRET_ACCESS_KEY,
};

/** Now, in SigV4's basic ISO 8601 form: S3 refuses a request time far from its own. */
const AMZ_DATE = new Date().toISOString().replace(/[-:]|\.\d+/g, '');

function signedFor(service: string): string {
  return (
    `Authorization: AWS4-HMAC-SHA256 Credential=test/${AMZ_DATE.slice(0, 8)}/eu-west-1/${service}/aws4_request, ` +
    `SignedHeaders=host;x-amz-date, Signature=0000\r\nX-Amz-Date: ${AMZ_DATE}`
  );
}

/** One ordinary request per service, as raw HTTP: its request line and headers, and its body. */
const REQUESTS = {
  dynamodb: {
    head: `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n${signedFor('dynamodb')}\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Type: application/x-amz-json-1.0`,
    body: '{"Limit": 10}',
  },
  s3: {
    head: `PUT /robust-bucket/robust-key HTTP/1.1\r\nHost: 127.0.0.1\r\n${signedFor('s3')}\r\nX-Amz-Content-Sha256: UNSIGNED-PAYLOAD\r\nContent-Type: text/plain`,
    body: 'an object body, sent slowly',
  },
  firehose: {
    head: `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n${signedFor('firehose')}\r\nX-Amz-Target: Firehose_20150804.ListDeliveryStreams\r\nContent-Type: application/x-amz-json-1.1`,
    body: '{"Limit": 10}',
  },
  sns: {
    head: `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n${signedFor('sns')}\r\nContent-Type: application/x-www-form-urlencoded`,
    body: 'Action=ListTopics&Version=2010-03-31',
  },
  admin: {
    head: 'PUT /_local/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json',
    body: '{"firehose": {"failRate": 0}}',
  },
} as const;
const SERVICES = Object.keys(REQUESTS) as (keyof typeof REQUESTS)[];

let local: LocalAwsProcess;
let stateDir: string;

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(local.port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends on a socket until it closes it. */
function answer(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `data` and then drops the connection, as a client that crashed or lost its network. */
async function sendAndVanish(data: string): Promise<void> {
  const socket = await open();
  socket.write(data);
  await sleep(100);
  socket.destroy();
  await sleep(100);
}

async function answersEveryService(): Promise<Record<string, unknown>> {
  const common = { endpoint: local.endpoint, region: 'eu-west-1', credentials, maxAttempts: 1 };
  const health = await fetch(`${local.endpoint}/_local/health`);
  return {
    dynamodb: (await new DynamoDBClient(common).send(new ListTablesCommand({}))).TableNames,
    s3: (
      await new S3Client({ ...common, forcePathStyle: true }).send(new ListBucketsCommand({}))
    ).Buckets?.map((bucket) => bucket.Name),
    firehose: (await new FirehoseClient(common).send(new ListDeliveryStreamsCommand({})))
      .DeliveryStreamNames,
    sns: (await new SNSClient(common).send(new ListTopicsCommand({}))).Topics,
    admin: health.status,
  };
}

const HEALTHY = {
  dynamodb: [],
  s3: ['robust-bucket'],
  firehose: [],
  sns: [],
  admin: 200,
};

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'local-aws-robust-'));
  local = await spawnLocalAws(['--state-dir', stateDir]);
  await new S3Client({
    endpoint: local.endpoint,
    region: 'eu-west-1',
    credentials,
    forcePathStyle: true,
  }).send(new CreateBucketCommand({ Bucket: 'robust-bucket' }));
}, 30_000);

afterAll(async () => {
  await local?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

describe('local AWS facing clients that misbehave', () => {
  it.each(SERVICES)(
    'survives a %s client that sends half its headers and vanishes',
    async (name) => {
      const { head } = REQUESTS[name];

      await sendAndVanish(head.slice(0, Math.floor(head.length / 2)));

      expect(local.exit()).toBeUndefined();
      expect(await answersEveryService()).toEqual(HEALTHY);
    },
  );

  it.each(SERVICES)(
    'survives a %s client that sends only its headers and vanishes',
    async (name) => {
      const { head, body } = REQUESTS[name];

      await sendAndVanish(`${head}\r\nContent-Length: ${body.length}\r\n\r\n`);

      expect(local.exit()).toBeUndefined();
      expect(await answersEveryService()).toEqual(HEALTHY);
    },
  );

  it.each(SERVICES)(
    'survives a %s client that promises a longer body than it sends and vanishes',
    async (name) => {
      const { head, body } = REQUESTS[name];

      await sendAndVanish(`${head}\r\nContent-Length: ${body.length + 1000}\r\n\r\n${body}`);

      expect(local.exit()).toBeUndefined();
      expect(await answersEveryService()).toEqual(HEALTHY);
    },
  );

  it.each(SERVICES)(
    'serves everyone else promptly while a %s client trickles its body, then answers it',
    async (name) => {
      const { head, body } = REQUESTS[name];
      const socket = await open();
      const slowAnswer = answer(socket);
      socket.write(`${head}\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`);
      let sent = 0;
      const trickled = (async () => {
        for (const char of body) {
          await sleep(40);
          socket.write(char);
          sent += 1;
        }
      })();

      const others = await answersEveryService();
      const sentWhileOthersServed = sent;
      await trickled;

      expect(others).toEqual(HEALTHY);
      expect(sentWhileOthersServed).toBeLessThan(body.length);
      expect(await slowAnswer).toMatch(/^HTTP\/1\.1 200 /);
      expect(local.exit()).toBeUndefined();
    },
  );
});
