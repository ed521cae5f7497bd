import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import type { CreateFunctionCommandInput } from '@aws-sdk/client-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { useAwsCli } from '../support/awsCli.js';
import { TEST_FUNCTION, zipHandler } from '../support/lambdaZip.js';
import { useLocalAws } from '../support/localAws.js';

const local = useLocalAws();
const aws = useAwsCli(local.endpoint);
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;

beforeAll(() => {
  lambda = new LambdaClient({ maxAttempts: 1 });
  logs = new CloudWatchLogsClient({ maxAttempts: 1 });
});

async function deploy(
  name: string,
  source: string,
  extra: Partial<CreateFunctionCommandInput> = {},
): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      ...TEST_FUNCTION,
      FunctionName: name,
      Code: { ZipFile: zipHandler(source) },
      ...extra,
    }),
  );
}

async function invoke(name: string, payload: unknown = {}, logType?: 'Tail') {
  const result = await lambda.send(
    new InvokeCommand({
      FunctionName: name,
      Payload: Buffer.from(JSON.stringify(payload)),
      ...(logType ? { LogType: logType } : {}),
    }),
  );
  return {
    ...result,
    body: JSON.parse(Buffer.from(result.Payload ?? []).toString('utf8')) as Record<string, unknown>,
    log: result.LogResult ? Buffer.from(result.LogResult, 'base64').toString('utf8') : '',
  };
}

async function logLines(group: string): Promise<string[]> {
  const { events } = await logs.send(new FilterLogEventsCommand({ logGroupName: group }));
  return (events ?? []).map((event) => event.message ?? '');
}

const REPORT_PID = `export const handler = async (event) => ({ pid: process.pid, event });`;

describe('Lambda invoke', () => {
  it('runs the handler with the event and answers its result', async () => {
    await deploy('echo', REPORT_PID);

    const result = await invoke('echo', { hello: 'world' });

    expect(result.StatusCode).toBe(200);
    expect(result.ExecutedVersion).toBe('$LATEST');
    expect(result.FunctionError).toBeUndefined();
    expect(result.body.event).toEqual({ hello: 'world' });
  });

  it('reuses a warm instance and starts more for overlapping invocations', async () => {
    await deploy(
      'warm',
      `export const handler = async (e) => { await new Promise((r) => setTimeout(r, e.wait)); return process.pid; };`,
    );

    const first = await invoke('warm', { wait: 0 });
    const second = await invoke('warm', { wait: 0 });
    const overlapping = await Promise.all([
      invoke('warm', { wait: 300 }),
      invoke('warm', { wait: 300 }),
    ]);

    expect(second.body).toBe(first.body);
    expect(new Set(overlapping.map((r) => r.body)).size).toBe(2);
  });

  it('gives the function Lambda’s environment and context', async () => {
    await deploy(
      'context',
      `export const handler = async (event, context) => ({
        env: Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(AWS_|LAMBDA_|_HANDLER|TZ|COLOUR)/.test(k))),
        remaining: context.getRemainingTimeInMillis(),
        context: { ...context },
        heap: (await import('node:v8')).getHeapStatistics().heap_size_limit,
      });`,
      { MemorySize: 256, Timeout: 7, Environment: { Variables: { COLOUR: 'blue' } } },
    );

    const { body } = await invoke('context');
    const env = body.env as Record<string, string>;

    expect(env).toMatchObject({
      AWS_LAMBDA_FUNCTION_NAME: 'context',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/context',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_ENDPOINT_URL: local.endpoint(),
      _HANDLER: 'index.handler',
      TZ: ':UTC',
      COLOUR: 'blue',
    });
    expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(
      /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/,
    );
    expect(
      env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && env.AWS_SESSION_TOKEN,
    ).toBeTruthy();
    expect(await readFile(join(env.LAMBDA_TASK_ROOT!, 'index.mjs'), 'utf8')).toContain('handler');
    expect(body.remaining).toBeGreaterThan(6000);
    expect(body.remaining).toBeLessThanOrEqual(7000);
    expect(body.context).toMatchObject({
      functionName: 'context',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:context',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/context',
      logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
      callbackWaitsForEmptyEventLoop: true,
      awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
    });
    expect(body.heap).toBeLessThan(400 * 1024 * 1024);
  });

  it('supports callback handlers', async () => {
    await deploy(
      'callback',
      `export const handler = (event, context, callback) => { setTimeout(() => callback(null, { n: event.n + 1 }), 5); };`,
    );

    const { body } = await invoke('callback', { n: 41 });

    expect(body).toEqual({ n: 42 });
  });

  it('runs a CommonJS index.js', async () => {
    await lambda.send(
      new CreateFunctionCommand({
        ...TEST_FUNCTION,
        FunctionName: 'commonjs',
        Code: { ZipFile: zipHandler('exports.handler = async () => "cjs";', 'index.js') },
      }),
    );

    const { body } = await invoke('commonjs');

    expect(body).toBe('cjs');
  });

  it('answers DryRun with 204 and runs nothing', async () => {
    await deploy('dry', REPORT_PID);

    const result = await lambda.send(
      new InvokeCommand({ FunctionName: 'dry', InvocationType: 'DryRun' }),
    );

    expect(result.StatusCode).toBe(204);
  });

  it('returns the last 4 KB of the log with LogType Tail', async () => {
    await deploy(
      'tail',
      `export const handler = async () => { console.log('x'.repeat(3000)); console.log('last line'); return 1; };`,
    );

    const { log } = await invoke('tail', {}, 'Tail');

    expect(Buffer.byteLength(log)).toBeLessThanOrEqual(4096);
    expect(log).toMatch(/\tINFO\tlast line\n/);
    expect(log).toMatch(
      /REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB/,
    );
  });

  it('answers through the AWS CLI v2 (aws lambda invoke)', async () => {
    await deploy('cli', REPORT_PID);
    const outfile = join(local.instance().stateDir, 'cli-out.json');

    const meta = JSON.parse(
      await aws(
        'lambda',
        'invoke',
        '--function-name',
        'cli',
        '--cli-binary-format',
        'raw-in-base64-out',
        '--payload',
        '{"via":"cli"}',
        outfile,
      ),
    ) as { StatusCode: number };

    expect(meta.StatusCode).toBe(200);
    expect(JSON.parse(await readFile(outfile, 'utf8'))).toMatchObject({ event: { via: 'cli' } });
  });
});

describe('Lambda errors', () => {
  it('reports a thrown error in Lambda’s shape', async () => {
    await deploy(
      'throws',
      `class DrillError extends Error { name = 'DrillError'; }
      export const handler = async () => { throw new DrillError('on purpose'); };`,
    );

    const result = await invoke('throws');

    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBe('Unhandled');
    expect(result.body).toMatchObject({ errorType: 'DrillError', errorMessage: 'on purpose' });
    expect(result.body.trace).toEqual(
      expect.arrayContaining([expect.stringContaining('DrillError: on purpose')]),
    );
  });

  it('kills an instance that times out, reports it as Lambda does, and starts a fresh one', async () => {
    await deploy(
      'slow',
      `export const handler = async (e) => { if (e.hang) await new Promise(() => setInterval(() => {}, 1000)); return process.pid; };`,
      { Timeout: 1 },
    );
    const before = await invoke('slow');

    const timedOut = await invoke('slow', { hang: true }, 'Tail');
    const after = await invoke('slow');

    expect(timedOut.FunctionError).toBe('Unhandled');
    expect(timedOut.body).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringMatching(
        /^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/,
      ) as unknown,
    });
    expect(timedOut.log).toMatch(/Task timed out after 1\.00 seconds/);
    expect(timedOut.log).toMatch(/Status: timeout/);
    expect(after.body).not.toBe(before.body);
  });

  it('reports a process exit as Runtime.ExitError and starts a fresh instance', async () => {
    await deploy(
      'exits',
      `export const handler = async (e) => { if (e.exit) process.exit(3); return process.pid; };`,
    );
    const before = await invoke('exits');

    const exited = await invoke('exits', { exit: true });
    const after = await invoke('exits');

    expect(exited.FunctionError).toBe('Unhandled');
    expect(exited.body).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringMatching(
        /^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$/,
      ) as unknown,
    });
    expect(after.body).not.toBe(before.body);
  });

  it('reports a handler that is not exported', async () => {
    await deploy('no-handler', `export const other = async () => 1;`);

    const result = await invoke('no-handler');

    expect(result.FunctionError).toBe('Unhandled');
    expect(result.body).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'index.handler is undefined or not exported',
    });
  });

  it('reports an error thrown while the module loads', async () => {
    await deploy(
      'init-fails',
      `throw new TypeError('TABLE_NAME is not set');\nexport const handler = async () => 1;`,
    );

    const result = await invoke('init-fails');

    expect(result.body).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'TABLE_NAME is not set',
    });
  });

  it('refuses a payload that is not JSON', async () => {
    await deploy('not-json', REPORT_PID);

    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'not-json', Payload: Buffer.from('{nope') })),
    ).rejects.toMatchObject({ name: 'InvalidRequestContentException' });
  });

  it('answers ResourceNotFoundException for an unknown function', async () => {
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'nobody' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:eu-west-1:000000000000:function:nobody',
    });
  });
});

describe('Lambda logs', () => {
  it('writes START, console lines, END and REPORT to /aws/lambda/<name> in Text format', async () => {
    await deploy(
      'text-logs',
      `export const handler = async () => { console.log('hello', { a: 1 }); console.warn('careful'); return 1; };`,
    );

    await invoke('text-logs');
    const lines = await logLines('/aws/lambda/text-logs');

    expect(lines[0]).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\tINFO\thello \{ a: 1 \}$/);
    expect(lines[2]).toMatch(/\tWARN\tcareful$/);
    expect(lines[3]).toMatch(/^END RequestId: /);
    expect(lines[4]).toMatch(/^REPORT RequestId: .*\tInit Duration: [\d.]+ ms\t$/);
  });

  it('writes JSON lines and platform events to the configured group, honouring the log level', async () => {
    await deploy(
      'json-logs',
      `export const handler = async () => { console.debug('hidden'); console.info('shown'); console.error(new RangeError('bad')); return 1; };`,
      {
        LoggingConfig: {
          LogFormat: 'JSON',
          LogGroup: '/custom/json-logs',
          ApplicationLogLevel: 'INFO',
        },
      },
    );

    await invoke('json-logs');
    const lines = (await logLines('/custom/json-logs')).map(
      (line) => JSON.parse(line) as Record<string, unknown>,
    );

    expect(lines.map((line) => line.type ?? line.message)).toEqual([
      'platform.start',
      'shown',
      expect.stringContaining('RangeError: bad'),
      'platform.report',
    ]);
    expect(lines[1]).toMatchObject({
      level: 'INFO',
      requestId: expect.any(String) as unknown,
      timestamp: expect.any(String) as unknown,
    });
    expect(lines[2]).toMatchObject({
      level: 'ERROR',
      errorType: 'RangeError',
      errorMessage: 'bad',
    });
    expect(lines[3]).toMatchObject({
      record: {
        status: 'success',
        metrics: { memorySizeMB: 128, durationMs: expect.any(Number) as unknown },
      },
    });
  });

  it('leaves out platform events below SystemLogLevel', async () => {
    await deploy(
      'warn-system',
      `export const handler = async () => { console.log('only me'); return 1; };`,
      {
        LoggingConfig: { LogFormat: 'JSON', SystemLogLevel: 'WARN' },
      },
    );

    await invoke('warn-system');
    const lines = await logLines('/aws/lambda/warn-system');

    expect(lines.map((line) => (JSON.parse(line) as { message?: string }).message)).toEqual([
      'only me',
    ]);
  });

  it('starts fresh instances after a configuration change', async () => {
    await deploy(
      'reconfigured',
      `export const handler = async () => process.env.COLOUR ?? 'none';`,
    );
    const before = await invoke('reconfigured');

    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'reconfigured',
        Environment: { Variables: { COLOUR: 'green' } },
      }),
    );
    const after = await invoke('reconfigured');

    expect([before.body, after.body]).toEqual(['none', 'green']);
  });
});
