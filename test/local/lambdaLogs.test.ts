import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployFunction, invokeJson } from '../support/lambdaZip.js';
import { useLocalAws } from '../support/localAws.js';
import { groupMessages } from '../support/logs.js';

useLocalAws();
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;

beforeAll(() => {
  lambda = new LambdaClient({ maxAttempts: 1 });
  logs = new CloudWatchLogsClient({ maxAttempts: 1 });
});

describe('Lambda logs', () => {
  it('writes START, console lines, END and REPORT to /aws/lambda/<name> in Text format', async () => {
    await deployFunction(
      lambda,
      'text-logs',
      `export const handler = async () => { console.log('hello', { a: 1 }); console.warn('careful'); return 1; };`,
    );

    await invokeJson(lambda, 'text-logs');
    const lines = await groupMessages(logs, '/aws/lambda/text-logs');

    expect(lines[0]).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\tINFO\thello \{ a: 1 \}$/);
    expect(lines[2]).toMatch(/\tWARN\tcareful$/);
    expect(lines[3]).toMatch(/^END RequestId: /);
    expect(lines[4]).toMatch(/^REPORT RequestId: .*\tInit Duration: [\d.]+ ms\t$/);
  });

  it('writes JSON lines and platform events to the configured group, honouring the log level', async () => {
    await deployFunction(
      lambda,
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

    await invokeJson(lambda, 'json-logs');
    const lines = (await groupMessages(logs, '/custom/json-logs')).map(
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
    await deployFunction(
      lambda,
      'warn-system',
      `export const handler = async () => { console.log('only me'); return 1; };`,
      {
        LoggingConfig: { LogFormat: 'JSON', SystemLogLevel: 'WARN' },
      },
    );

    await invokeJson(lambda, 'warn-system');
    const lines = await groupMessages(logs, '/aws/lambda/warn-system');

    expect(lines.map((line) => (JSON.parse(line) as { message?: string }).message)).toEqual([
      'only me',
    ]);
  });

  it('leaves the AWS SDK’s Node version warning out, and keeps the function’s own warnings', async () => {
    // The SDK's words, as it emits them on Node 20 (@aws-sdk/core emitWarningIfUnsupportedVersion).
    await deployFunction(
      lambda,
      'warnings',
      `process.emitWarning('NodeVersionSupportWarning: The AWS SDK for JavaScript (v3) will require node >=22.');
       process.emitWarning('the function’s own warning');
       export const handler = async () => 1;`,
    );

    await invokeJson(lambda, 'warnings');
    const lines = await groupMessages(logs, '/aws/lambda/warnings');

    expect(lines.filter((line) => line.includes('Warning:'))).toEqual([
      expect.stringContaining('Warning: the function’s own warning'),
    ]);
  });

  it('starts fresh instances after a configuration change', async () => {
    await deployFunction(
      lambda,
      'reconfigured',
      `export const handler = async () => process.env.COLOUR ?? 'none';`,
    );
    const before = await invokeJson(lambda, 'reconfigured');

    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'reconfigured',
        Environment: { Variables: { COLOUR: 'green' } },
      }),
    );
    const after = await invokeJson(lambda, 'reconfigured');

    expect([before.body, after.body]).toEqual(['none', 'green']);
  });
});
