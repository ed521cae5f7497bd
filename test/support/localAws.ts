import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { FaultSettings } from '../../local/faults.js';
import { startLocalAws } from '../../local/index.js';
import type { LocalAws, LocalAwsOptions } from '../../local/index.js';

/** Dummy credentials and region: tests never reach real AWS. */
export const TEST_ENV = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: 'eu-west-1',
} as const;

/** Handles on the local AWS a test file runs against. */
export interface LocalAwsHandle {
  endpoint(): string;
  instance(): LocalAws;
  setFaults(faults: FaultSettings): Promise<void>;
  clearFaults(): Promise<void>;
}

/**
 * Starts one local AWS on a free port with a temporary state folder for the calling test file, points
 * the AWS SDK at it through the environment, and stops it afterwards.
 */
export function useLocalAws(options: Pick<LocalAwsOptions, 'timeScale'> = {}): LocalAwsHandle {
  let local: LocalAws | undefined;
  let stateDir = '';
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'local-aws-'));
    local = await startLocalAws({ ...options, port: 0, stateDir });
    const env = { ...TEST_ENV, AWS_ENDPOINT_URL: local.endpoint };
    for (const [name, value] of Object.entries(env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });

  afterAll(async () => {
    await local?.stop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await rm(stateDir, { recursive: true, force: true });
  });

  const instance = () => {
    if (!local)
      throw new Error('local AWS is not started: call useLocalAws() inside a describe block');
    return local;
  };
  const admin = async (method: string, body?: unknown) => {
    const response = await fetch(`${instance().endpoint}/_local/faults`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`faults: ${response.status} ${await response.text()}`);
  };
  return {
    endpoint: () => instance().endpoint,
    instance,
    setFaults: (faults) => admin('PUT', faults),
    clearFaults: () => admin('DELETE'),
  };
}

/** The CreateBucket configuration for the test region: outside us-east-1, S3 requires it. */
export const IN_REGION = {
  CreateBucketConfiguration: { LocationConstraint: TEST_ENV.AWS_REGION },
} as const;
