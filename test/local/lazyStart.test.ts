import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws } from '../../local/index.js';
import type { LocalAws } from '../../local/index.js';
import { useTempDir } from '../support/tempDir.js';

const tempDir = useTempDir('local-aws-lazy-');
const running: LocalAws[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((local) => local.stop()));
});

async function start(stateDir?: string): Promise<LocalAws> {
  const local = await startLocalAws({ port: 0, stateDir: stateDir ?? (await tempDir()) });
  running.push(local);
  return local;
}

/** A JSON-protocol request as a SigV4 client sends it; local AWS does not check signatures. */
function call(
  local: LocalAws,
  service: string,
  init: { target: string; body: string },
): Promise<Response> {
  const headers: Record<string, string> = {
    authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    'x-amz-date': '20260101T000000Z',
  };
  headers['x-amz-target'] = init.target;
  headers['content-type'] = 'application/x-amz-json-1.0';
  return fetch(local.endpoint, { method: 'POST', headers, body: init.body });
}

async function health(endpoint: string): Promise<{ started: string[]; services: string[] }> {
  const response = await fetch(`${endpoint}/_local/health`);
  return (await response.json()) as { started: string[]; services: string[] };
}

describe('local AWS at start', () => {
  it('answers its health check with no service started', async () => {
    const local = await start();

    const answer = await health(local.endpoint);

    expect(answer.services).toHaveLength(13);
    expect(answer.started).toEqual([]);
    expect(local.started()).toEqual([]);
  });

  it('starts a service on the first request routed to it, and no other', async () => {
    const local = await start();

    const tables = await call(local, 'dynamodb', {
      target: 'DynamoDB_20120810.ListTables',
      body: '{}',
    });
    const afterDynamoDb = local.started();
    const queues = await call(local, 'sqs', { target: 'AmazonSQS.ListQueues', body: '{}' });

    expect(tables.status).toBe(200);
    expect(queues.status).toBe(200);
    expect(afterDynamoDb).toEqual(['dynamodb']);
    expect(local.started()).toEqual(['dynamodb', 'sqs']);
  });

  it('starts the services another one uses along with it', async () => {
    const local = await start();

    const athena = await local.service('athena');

    expect(athena).toBe(await local.service('athena'));
    expect([...local.started()].sort()).toEqual(['athena', 'glue', 's3']);
  });

  it('reads a service through its field once started, and says how to start it before', async () => {
    const local = await start();

    expect(() => local.s3).toThrow(/await local\.service\('s3'\)/);
    const s3 = await local.service('s3');

    expect(local.s3).toBe(s3);
  });
});

describe('local AWS across a restart', () => {
  it('starts nothing for state that holds no pending work', async () => {
    const stateDir = await tempDir();
    const first = await start(stateDir);
    await (await first.service('sqs')).createQueue({ name: 'idle', region: 'us-east-1' });
    await (await first.service('s3')).store.createBucket('idle-bucket', 'us-east-1');
    await first.stop();

    const second = await start(stateDir);

    expect(second.started()).toEqual([]);
  });
});

describe('npm run local-aws (the launcher, in a child process)', () => {
  beforeAll(async () => {
    // Builds (or finds current) the split build, so that the traced run below does not build.
    const built = spawn(process.execPath, ['scripts/launch.mjs', 'local-aws', '--help'], {
      stdio: 'ignore',
    });
    await new Promise((resolve) => built.once('exit', resolve));
  }, 120_000);

  it('loads no package until a service that needs one starts', async () => {
    const dir = await tempDir();
    const trace = join(dir, 'packages.txt');
    const child = spawn(
      process.execPath,
      [
        '--import',
        './test/support/packageTrace/register.mjs',
        'scripts/launch.mjs',
        'local-aws',
        '--port',
        '0',
        '--state-dir',
        join(dir, 'state'),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PACKAGE_TRACE_FILE: trace } },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          const match = /serving .* on (http:\/\/\S+)/.exec(line);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) =>
          reject(new Error(`local AWS exited (${code}) before serving`)),
        );
      });
      const packages = () => readFile(trace, 'utf8').catch(() => '');

      const atStart = await packages();
      const started = (await health(endpoint)).started;
      const athena = (operation: string, body: unknown) =>
        fetch(endpoint, {
          method: 'POST',
          headers: {
            authorization:
              'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/athena/aws4_request, SignedHeaders=host, Signature=0',
            'x-amz-target': `AmazonAthena.${operation}`,
            'content-type': 'application/x-amz-json-1.1',
          },
          body: JSON.stringify(body),
        });
      // Workgroups (what CloudFormation makes) need no engine; the first query loads DuckDB.
      const workGroups = await athena('ListWorkGroups', {});
      const afterWorkGroups = await packages();
      const query = await athena('StartQueryExecution', {
        QueryString: 'SELECT 1',
        ResultConfiguration: { OutputLocation: 's3://results/' },
      });
      const { QueryExecutionId } = (await query.json()) as { QueryExecutionId: string };
      for (let polls = 0; polls < 200; polls++) {
        const answer = await athena('GetQueryExecution', { QueryExecutionId });
        const { QueryExecution } = (await answer.json()) as {
          QueryExecution: { Status: { State: string } };
        };
        if (!['QUEUED', 'RUNNING'].includes(QueryExecution.Status.State)) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const afterQuery = await packages();

      expect(atStart).toBe('');
      expect(started).toEqual([]);
      expect(workGroups.status).toBe(200);
      expect(afterWorkGroups).not.toContain('@duckdb/node-api');
      expect(query.status).toBe(200);
      expect(afterQuery).toContain('@duckdb/node-api');
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  }, 60_000);
});
