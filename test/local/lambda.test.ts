import { createHash } from 'node:crypto';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListTagsCommand,
  PutFunctionEventInvokeConfigCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionEventInvokeConfigCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import type { CreateFunctionCommandInput } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_FUNCTION, zipHandler } from '../support/lambdaZip.js';
import { useLocalAws } from '../support/localAws.js';

useLocalAws();
let lambda: LambdaClient;

beforeAll(() => {
  lambda = new LambdaClient({ maxAttempts: 1 });
});

const ZIP = zipHandler('export const handler = async () => "ok";');

function create(name: string, extra: Partial<CreateFunctionCommandInput> = {}) {
  return lambda.send(
    new CreateFunctionCommand({
      ...TEST_FUNCTION,
      FunctionName: name,
      Code: { ZipFile: ZIP },
      ...extra,
    }),
  );
}

describe('Lambda functions', () => {
  it('creates a function with its ARN, code hash, defaults and an Active state', async () => {
    const created = await create('created-fn');

    expect(created).toMatchObject({
      FunctionName: 'created-fn',
      FunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:created-fn',
      CodeSha256: createHash('sha256').update(ZIP).digest('base64'),
      CodeSize: ZIP.length,
      Version: '$LATEST',
      Timeout: 3,
      MemorySize: 128,
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      LoggingConfig: { LogFormat: 'Text', LogGroup: '/aws/lambda/created-fn' },
    });
  });

  it('reads code from an S3 object', async () => {
    const s3 = new S3Client({ forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'code-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'code-bucket', Key: 'fn.zip', Body: ZIP }));

    const created = await create('from-s3', { Code: { S3Bucket: 'code-bucket', S3Key: 'fn.zip' } });

    expect(created.CodeSha256).toBe(createHash('sha256').update(ZIP).digest('base64'));
  });

  it('refuses a missing S3 object, naming it', async () => {
    await expect(
      create('no-object', { Code: { S3Bucket: 'code-bucket', S3Key: 'missing.zip' } }),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringContaining('s3://code-bucket/missing.zip') as unknown,
    });
  });

  it('satisfies the SDK waiters function-active-v2 and function-updated-v2', async () => {
    await create('waited-fn');
    await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'waited-fn', Timeout: 10 }),
    );

    const active = await waitUntilFunctionActiveV2(
      { client: lambda, maxWaitTime: 5, minDelay: 1 },
      { FunctionName: 'waited-fn' },
    );
    const updated = await waitUntilFunctionUpdatedV2(
      { client: lambda, maxWaitTime: 5, minDelay: 1 },
      { FunctionName: 'waited-fn' },
    );

    expect([active.state, updated.state]).toEqual(['SUCCESS', 'SUCCESS']);
  });

  it('gets a function by name or ARN, with its tags', async () => {
    await create('get-fn', { Tags: { team: 'data' } });

    const byName = await lambda.send(new GetFunctionCommand({ FunctionName: 'get-fn' }));
    const byArn = await lambda.send(
      new GetFunctionConfigurationCommand({
        FunctionName: 'arn:aws:lambda:eu-west-1:000000000000:function:get-fn',
      }),
    );

    expect(byName.Configuration?.FunctionName).toBe('get-fn');
    expect(byName.Tags).toEqual({ team: 'data' });
    expect(byArn.FunctionArn).toBe('arn:aws:lambda:eu-west-1:000000000000:function:get-fn');
  });

  it('updates configuration and code, with a new revision each time', async () => {
    const created = await create('updated-fn');
    const newZip = zipHandler('export const handler = async () => "v2";');

    const configured = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'updated-fn',
        MemorySize: 256,
        Environment: { Variables: { COLOUR: 'blue' } },
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'WARN' },
      }),
    );
    const coded = await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'updated-fn', ZipFile: newZip }),
    );

    expect(configured).toMatchObject({
      MemorySize: 256,
      Environment: { Variables: { COLOUR: 'blue' } },
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'WARN', SystemLogLevel: 'INFO' },
    });
    expect(coded.CodeSha256).toBe(createHash('sha256').update(newZip).digest('base64'));
    expect(new Set([created.RevisionId, configured.RevisionId, coded.RevisionId]).size).toBe(3);
  });

  it('refuses an update against an old revision', async () => {
    const created = await create('revision-fn');
    await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'revision-fn', Timeout: 5 }),
    );

    await expect(
      lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: 'revision-fn',
          Timeout: 6,
          RevisionId: created.RevisionId,
        }),
      ),
    ).rejects.toMatchObject({ name: 'PreconditionFailedException' });
  });

  it('lists functions with pagination', async () => {
    for (const name of ['list-a', 'list-b', 'list-c']) await create(name);

    const names: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, Marker }));
      names.push(...(page.Functions ?? []).map((f) => f.FunctionName!));
      Marker = page.NextMarker;
    } while (Marker);

    expect(names).toEqual(expect.arrayContaining(['list-a', 'list-b', 'list-c']));
    expect(new Set(names).size).toBe(names.length);
  });

  it('deletes a function, after which it is not found, worded as AWS words it', async () => {
    await create('deleted-fn');

    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'deleted-fn' }));

    await expect(
      lambda.send(new GetFunctionCommand({ FunctionName: 'deleted-fn' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:eu-west-1:000000000000:function:deleted-fn',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('refuses a duplicate name with ResourceConflictException', async () => {
    await create('twice-fn');

    await expect(create('twice-fn')).rejects.toMatchObject({
      name: 'ResourceConflictException',
      message: 'Function already exist: twice-fn',
    });
  });

  it.each([
    ['a bad name', { FunctionName: 'bad name!' }, 'ValidationException', 'functionName'],
    ['an unknown runtime', { Runtime: 'nodejs4.3' }, 'ValidationException', 'runtime'],
    ['a timeout of 0', { Timeout: 0 }, 'ValidationException', 'timeout'],
    ['a timeout over 900 s', { Timeout: 901 }, 'ValidationException', 'timeout'],
    ['memory under 128 MB', { MemorySize: 64 }, 'ValidationException', 'memorySize'],
    ['memory over 10240 MB', { MemorySize: 10_241 }, 'ValidationException', 'memorySize'],
    [
      'a runtime that is not Node.js',
      { Runtime: 'python3.12' },
      'InvalidParameterValueException',
      'nodejs',
    ],
    [
      'layers',
      { Layers: ['arn:aws:lambda:eu-west-1:000000000000:layer:x:1'] },
      'InvalidParameterValueException',
      'layers',
    ],
    [
      'a reserved environment variable',
      { Environment: { Variables: { AWS_REGION: 'x' } } },
      'InvalidParameterValueException',
      'AWS_REGION',
    ],
  ] as const)('refuses %s', async (_label, extra, name, mentioned) => {
    await expect(
      create('invalid-fn', extra as Partial<CreateFunctionCommandInput>),
    ).rejects.toMatchObject({ name, message: expect.stringContaining(mentioned) as unknown });
  });

  it('refuses a zip that does not unzip', async () => {
    await expect(
      create('bad-zip', { Code: { ZipFile: Buffer.from('not a zip') } }),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
  });
});

describe('Lambda permissions and tags', () => {
  it('adds, reads and removes policy statements', async () => {
    await create('policy-fn');

    const added = await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'policy-fn',
        StatementId: 'scheduler',
        Action: 'lambda:InvokeFunction',
        Principal: 'scheduler.amazonaws.com',
        SourceArn: 'arn:aws:scheduler:eu-west-1:000000000000:schedule/default/tick',
      }),
    );
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: 'policy-fn' }));
    await lambda.send(
      new RemovePermissionCommand({ FunctionName: 'policy-fn', StatementId: 'scheduler' }),
    );

    expect(JSON.parse(added.Statement!)).toMatchObject({
      Sid: 'scheduler',
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: {
        ArnLike: {
          'AWS:SourceArn': 'arn:aws:scheduler:eu-west-1:000000000000:schedule/default/tick',
        },
      },
    });
    expect(JSON.parse(policy.Policy!).Statement).toHaveLength(1);
    await expect(
      lambda.send(new GetPolicyCommand({ FunctionName: 'policy-fn' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('refuses a duplicate statement id', async () => {
    await create('policy-dup');
    const statement = {
      FunctionName: 'policy-dup',
      StatementId: 'same',
      Action: 'lambda:InvokeFunction',
      Principal: 'sns.amazonaws.com',
    };
    await lambda.send(new AddPermissionCommand(statement));

    await expect(lambda.send(new AddPermissionCommand(statement))).rejects.toMatchObject({
      name: 'ResourceConflictException',
    });
  });

  it('tags a function by ARN', async () => {
    const { FunctionArn } = await create('tag-fn');

    await lambda.send(new TagResourceCommand({ Resource: FunctionArn, Tags: { pipeline: 'x' } }));
    const tags = await lambda.send(new ListTagsCommand({ Resource: FunctionArn }));

    expect(tags.Tags).toEqual({ pipeline: 'x' });
  });
});

describe('Lambda event invoke configs', () => {
  it('puts, updates, reads and deletes a config', async () => {
    await create('config-fn');
    const destination = 'arn:aws:lambda:eu-west-1:000000000000:function:created-fn';

    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'config-fn',
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 600,
      }),
    );
    await lambda.send(
      new UpdateFunctionEventInvokeConfigCommand({
        FunctionName: 'config-fn',
        DestinationConfig: { OnFailure: { Destination: destination } },
      }),
    );
    const config = await lambda.send(
      new GetFunctionEventInvokeConfigCommand({ FunctionName: 'config-fn' }),
    );
    await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'config-fn' }));

    expect(config).toMatchObject({
      FunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:config-fn:$LATEST',
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 600,
      DestinationConfig: { OnFailure: { Destination: destination } },
    });
    await expect(
      lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'config-fn' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('refuses more than two retries', async () => {
    await create('config-bad');

    await expect(
      lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: 'config-bad',
          MaximumRetryAttempts: 3,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
