import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { callAws, hasCredentials } from '../../../lib/steps/aws.js';
import {
  CredentialsExpiredError,
  PermissionError,
  ThrottledError,
} from '../../../lib/steps/errors.js';
import type { Clock } from '../../../lib/steps/report.js';

const dynamodbMock = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'eu-west-1' });
const CALL = { action: 'dynamodb:Scan', resource: 'table t' };

afterEach(() => dynamodbMock.reset());

/** An AWS error as the SDK throws it: its name is the service's error code. */
function awsError(name: string): Error {
  return Object.assign(new Error(`${name} from AWS`), { name, $metadata: {} });
}

function fakeClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  let now = 0;
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const scan = () => client.send(new ScanCommand({ TableName: 't' }));

describe('callAws', () => {
  it('retries throttling with doubling backoff and returns the answer once it passes', async () => {
    dynamodbMock
      .on(ScanCommand)
      .rejectsOnce(awsError('ThrottlingException'))
      .rejectsOnce(awsError('ProvisionedThroughputExceededException'))
      .resolves({ Count: 3 });
    const clock = fakeClock();

    const result = await callAws(CALL, scan, { clock, baseDelayMs: 100 });

    expect(result.Count).toBe(3);
    expect(clock.slept).toEqual([100, 200]);
  });

  it('gives up on throttling that lasts every attempt, with its own error', async () => {
    dynamodbMock.on(ScanCommand).rejects(awsError('ThrottlingException'));

    const calling = callAws(CALL, scan, { clock: fakeClock(), attempts: 3 });

    await expect(calling).rejects.toBeInstanceOf(ThrottledError);
    expect(dynamodbMock.commandCalls(ScanCommand)).toHaveLength(3);
  });

  it('says to run again when the credentials expired', async () => {
    dynamodbMock.on(ScanCommand).rejects(awsError('ExpiredTokenException'));

    const calling = callAws(CALL, scan, { clock: fakeClock() });

    await expect(calling).rejects.toBeInstanceOf(CredentialsExpiredError);
    await expect(callAws(CALL, scan, { clock: fakeClock() })).rejects.toThrow(/expired/);
  });

  it('names the IAM action and the resource when permission is missing', async () => {
    dynamodbMock.on(ScanCommand).rejects(awsError('AccessDeniedException'));

    const calling = callAws(CALL, scan, { clock: fakeClock() });

    await expect(calling).rejects.toBeInstanceOf(PermissionError);
    await expect(callAws(CALL, scan, { clock: fakeClock() })).rejects.toThrow(
      /dynamodb:Scan on table t/,
    );
  });

  it('passes any other error through unchanged, without retrying', async () => {
    dynamodbMock.on(ScanCommand).rejects(awsError('ResourceNotFoundException'));

    const calling = callAws(CALL, scan, { clock: fakeClock() });

    await expect(calling).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(dynamodbMock.commandCalls(ScanCommand)).toHaveLength(1);
  });
});

describe('hasCredentials', () => {
  it('is true when the provider chain finds credentials', async () => {
    const found = await hasCredentials(async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }));

    expect(found).toBe(true);
  });

  it('is false when the chain finds none (CredentialsProviderError)', async () => {
    const none = async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      });
    };

    expect(await hasCredentials(none)).toBe(false);
  });

  it('is false for a real SDK client with no source of credentials at all', async () => {
    const saved = { ...process.env };
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE'])
      delete process.env[name];
    Object.assign(process.env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_CONFIG_FILE: '/nonexistent/config',
    });
    try {
      const bare = new DynamoDBClient({ region: 'eu-west-1' });

      expect(await hasCredentials(bare.config.credentials)).toBe(false);
    } finally {
      process.env = saved;
    }
  });

  it('throws a failure that is not "no credentials", so its reason is seen', async () => {
    const broken = async () => {
      throw Object.assign(new Error('token file unreadable'), { name: 'SomethingElse' });
    };

    await expect(hasCredentials(broken)).rejects.toThrow('token file unreadable');
  });
});
