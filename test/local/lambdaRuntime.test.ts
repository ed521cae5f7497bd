import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { useAwsCli } from '../support/awsCli.js';
import { deployFunction, invokeJson, TEST_FUNCTION, zipHandler } from '../support/lambdaZip.js';
import { useLocalAws } from '../support/localAws.js';

const local = useLocalAws();
const aws = useAwsCli(local.endpoint);
let lambda: LambdaClient;

beforeAll(() => {
  lambda = new LambdaClient({ maxAttempts: 1 });
});

const REPORT_PID = `export const handler = async (event) => ({ pid: process.pid, event });`;

describe('Lambda invoke', () => {
  it('runs the handler with the event and answers its result', async () => {
    await deployFunction(lambda, 'echo', REPORT_PID);

    const result = await invokeJson(lambda, 'echo', { hello: 'world' });

    expect(result.StatusCode).toBe(200);
    expect(result.ExecutedVersion).toBe('$LATEST');
    expect(result.FunctionError).toBeUndefined();
    expect(result.body.event).toEqual({ hello: 'world' });
  });

  it('reuses a warm instance and starts more for overlapping invocations', async () => {
    await deployFunction(
      lambda,
      'warm',
      `export const handler = async (e) => { await new Promise((r) => setTimeout(r, e.wait)); return process.pid; };`,
    );

    const first = await invokeJson(lambda, 'warm', { wait: 0 });
    const second = await invokeJson(lambda, 'warm', { wait: 0 });
    const overlapping = await Promise.all([
      invokeJson(lambda, 'warm', { wait: 300 }),
      invokeJson(lambda, 'warm', { wait: 300 }),
    ]);

    expect(second.body).toBe(first.body);
    expect(new Set(overlapping.map((r) => r.body)).size).toBe(2);
  });

  it('gives the function Lambda’s environment and context', async () => {
    await deployFunction(
      lambda,
      'context',
      `export const handler = async (event, context) => ({
        env: Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(AWS_|LAMBDA_|_HANDLER|TZ|COLOUR)/.test(k))),
        remaining: context.getRemainingTimeInMillis(),
        context: { ...context },
        heap: (await import('node:v8')).getHeapStatistics().heap_size_limit,
      });`,
      { MemorySize: 256, Timeout: 7, Environment: { Variables: { COLOUR: 'blue' } } },
    );

    const { body } = await invokeJson(lambda, 'context');
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

  it('passes the client context to the function', async () => {
    await deployFunction(
      lambda,
      'client-context',
      `export const handler = async (e, c) => c.clientContext;`,
    );

    const result = await lambda.send(
      new InvokeCommand({
        FunctionName: 'client-context',
        ClientContext: Buffer.from(JSON.stringify({ custom: { app: 'mobile' } })).toString(
          'base64',
        ),
      }),
    );

    expect(JSON.parse(Buffer.from(result.Payload!).toString())).toEqual({
      custom: { app: 'mobile' },
    });
  });

  it('supports callback handlers', async () => {
    await deployFunction(
      lambda,
      'callback',
      `export const handler = (event, context, callback) => { setTimeout(() => callback(null, { n: event.n + 1 }), 5); };`,
    );

    const { body } = await invokeJson(lambda, 'callback', { n: 41 });

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

    const { body } = await invokeJson(lambda, 'commonjs');

    expect(body).toBe('cjs');
  });

  it('answers DryRun with 204 and runs nothing', async () => {
    await deployFunction(lambda, 'dry', REPORT_PID);

    const result = await lambda.send(
      new InvokeCommand({ FunctionName: 'dry', InvocationType: 'DryRun' }),
    );

    expect(result.StatusCode).toBe(204);
  });

  it('returns the last 4 KB of the log with LogType Tail', async () => {
    await deployFunction(
      lambda,
      'tail',
      `export const handler = async () => { console.log('x'.repeat(3000)); console.log('last line'); return 1; };`,
    );

    const { log } = await invokeJson(lambda, 'tail', {}, 'Tail');

    expect(Buffer.byteLength(log)).toBeLessThanOrEqual(4096);
    expect(log).toMatch(/\tINFO\tlast line\n/);
    expect(log).toMatch(
      /REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB/,
    );
  });

  it('answers through the AWS CLI v2 (aws lambda invoke)', async () => {
    await deployFunction(lambda, 'cli', REPORT_PID);
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
    await deployFunction(
      lambda,
      'throws',
      `class DrillError extends Error { name = 'DrillError'; }
      export const handler = async () => { throw new DrillError('on purpose'); };`,
    );

    const result = await invokeJson(lambda, 'throws');

    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBe('Unhandled');
    expect(result.body).toMatchObject({ errorType: 'DrillError', errorMessage: 'on purpose' });
    expect(result.body.trace).toEqual(
      expect.arrayContaining([expect.stringContaining('DrillError: on purpose')]),
    );
  });

  it('kills an instance that times out, reports it as Lambda does, and starts a fresh one', async () => {
    await deployFunction(
      lambda,
      'slow',
      `export const handler = async (e) => { if (e.hang) await new Promise(() => setInterval(() => {}, 1000)); return process.pid; };`,
      { Timeout: 1 },
    );
    const before = await invokeJson(lambda, 'slow');

    const timedOut = await invokeJson(lambda, 'slow', { hang: true }, 'Tail');
    const after = await invokeJson(lambda, 'slow');

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
    await deployFunction(
      lambda,
      'exits',
      `export const handler = async (e) => { if (e.exit) process.exit(3); return process.pid; };`,
    );
    const before = await invokeJson(lambda, 'exits');

    const exited = await invokeJson(lambda, 'exits', { exit: true });
    const after = await invokeJson(lambda, 'exits');

    expect(exited.FunctionError).toBe('Unhandled');
    expect(exited.body).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringMatching(
        /^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$/,
      ) as unknown,
    });
    expect(after.body).not.toBe(before.body);
  });

  it('reports an unhandled rejection and starts a fresh instance', async () => {
    await deployFunction(
      lambda,
      'rejects',
      `export const handler = (e) => new Promise((resolve) => {
        if (e.reject) Promise.reject(new Error('nobody caught me'));
        else resolve(process.pid);
      });`,
    );
    const before = await invokeJson(lambda, 'rejects');

    const rejected = await invokeJson(lambda, 'rejects', { reject: true });
    const after = await invokeJson(lambda, 'rejects');

    expect(rejected.FunctionError).toBe('Unhandled');
    expect(rejected.body).toMatchObject({
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: 'nobody caught me',
    });
    expect(typeof after.body).toBe('number');
    expect(after.body).not.toBe(before.body);
  });

  it('reports a handler that is not exported', async () => {
    await deployFunction(lambda, 'no-handler', `export const other = async () => 1;`);

    const result = await invokeJson(lambda, 'no-handler');

    expect(result.FunctionError).toBe('Unhandled');
    expect(result.body).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'index.handler is undefined or not exported',
    });
  });

  it('reports an error thrown while the module loads', async () => {
    await deployFunction(
      lambda,
      'init-fails',
      `throw new TypeError('TABLE_NAME is not set');\nexport const handler = async () => 1;`,
    );

    const result = await invokeJson(lambda, 'init-fails');

    expect(result.body).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'TABLE_NAME is not set',
    });
  });

  it('refuses a payload that is not JSON', async () => {
    await deployFunction(lambda, 'not-json', REPORT_PID);

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
