import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LOCAL_ACCOUNT_ID } from '../account.js';
import { AwsError, readBody } from '../http.js';
import { ASYNC_DEFAULTS } from './asyncInvoker.js';
import { validation } from './config.js';
import type { LambdaService } from './index.js';
import type { EventInvokeConfig, FunctionRecord, PolicyStatement } from './store.js';

type Json = Record<string, unknown>;

/** Lambda's limits on invocation payloads. */
export const PAYLOAD_LIMITS = { requestResponse: 6 * 1024 * 1024, event: 1024 * 1024 } as const;

function send(
  response: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': headers['x-amzn-requestid'] ?? randomUUID(),
    ...headers,
  });
  response.end(text);
}

/** Lambda's REST-JSON error: the code in `x-amzn-errortype`, `{"Type", "Message"}` in the body. */
function sendError(response: ServerResponse, error: AwsError): void {
  send(
    response,
    error.status,
    { Type: error.sender ? 'User' : 'Service', Message: error.message },
    { 'x-amzn-errortype': error.code },
  );
}

/** A function's configuration, as GetFunctionConfiguration answers it. */
export function configuration(record: FunctionRecord): Json {
  return {
    FunctionName: record.name,
    FunctionArn: record.arn,
    Runtime: record.runtime,
    Role: record.role,
    Handler: record.handler,
    CodeSize: record.codeSize,
    Description: record.description,
    Timeout: record.timeout,
    MemorySize: record.memorySize,
    LastModified: record.lastModified,
    CodeSha256: record.codeSha256,
    Version: '$LATEST',
    Environment: { Variables: record.environment },
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: record.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: record.architectures,
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: {
      LogFormat: record.logging.format,
      ...(record.logging.applicationLogLevel
        ? { ApplicationLogLevel: record.logging.applicationLogLevel }
        : {}),
      ...(record.logging.systemLogLevel ? { SystemLogLevel: record.logging.systemLogLevel } : {}),
      LogGroup: record.logging.logGroup ?? `/aws/lambda/${record.name}`,
    },
  };
}

function eventInvokeConfig(record: FunctionRecord, config: EventInvokeConfig): Json {
  return {
    LastModified: config.lastModified,
    FunctionArn: `${record.arn}:$LATEST`,
    MaximumRetryAttempts: config.maximumRetryAttempts ?? ASYNC_DEFAULTS.maximumRetryAttempts,
    MaximumEventAgeInSeconds:
      config.maximumEventAgeInSeconds ?? ASYNC_DEFAULTS.maximumEventAgeInSeconds,
    DestinationConfig: {
      OnSuccess: config.onSuccess ? { Destination: config.onSuccess } : {},
      OnFailure: config.onFailure ? { Destination: config.onFailure } : {},
    },
  };
}

function readInvokeConfig(input: Json, previous?: EventInvokeConfig): EventInvokeConfig {
  const result: EventInvokeConfig = { ...previous, lastModified: Date.now() / 1000 };
  const retries = input.MaximumRetryAttempts;
  if (retries !== undefined) {
    if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > 2) {
      throw validation(retries, 'maximumRetryAttempts', 'Member must have value between 0 and 2');
    }
    result.maximumRetryAttempts = retries;
  }
  const age = input.MaximumEventAgeInSeconds;
  if (age !== undefined) {
    if (typeof age !== 'number' || !Number.isInteger(age) || age < 60 || age > 21_600) {
      throw validation(
        age,
        'maximumEventAgeInSeconds',
        'Member must have value between 60 and 21600',
      );
    }
    result.maximumEventAgeInSeconds = age;
  }
  const destinations = (input.DestinationConfig ?? {}) as Json;
  for (const [field, property] of [
    ['OnSuccess', 'onSuccess'],
    ['OnFailure', 'onFailure'],
  ] as const) {
    if (destinations[field] === undefined) continue;
    const destination = (destinations[field] as Json).Destination;
    if (destination === undefined || destination === '') {
      delete result[property];
    } else if (
      typeof destination !== 'string' ||
      !/^arn:aws[a-zA-Z-]*:(lambda|sns|sqs|events):[a-z0-9-]+:\d{12}:.+$/.test(destination)
    ) {
      throw new AwsError(
        'InvalidParameterValueException',
        `The destination ARN ${String(destination)} is invalid: give a Lambda function, SNS topic, SQS queue or EventBridge bus ARN`,
      );
    } else {
      result[property] = destination;
    }
  }
  return result;
}

function principal(value: unknown): PolicyStatement['Principal'] {
  if (typeof value !== 'string' || value === '') {
    throw validation(value ?? null, 'principal', 'Member must not be null');
  }
  if (value === '*') return { AWS: '*' };
  if (/^\d{12}$/.test(value)) return { AWS: `arn:aws:iam::${value}:root` };
  if (value.startsWith('arn:')) return { AWS: value };
  return { Service: value };
}

function addPermission(record: FunctionRecord, input: Json): PolicyStatement {
  const sid = input.StatementId;
  if (typeof sid !== 'string' || !/^[a-zA-Z0-9-_.]{1,100}$/.test(sid)) {
    throw validation(
      sid ?? null,
      'statementId',
      'Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)',
    );
  }
  const action = input.Action;
  if (typeof action !== 'string' || !/^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/.test(action)) {
    throw validation(
      action ?? null,
      'action',
      'Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])',
    );
  }
  if (record.policy.some((statement) => statement.Sid === sid)) {
    throw new AwsError(
      'ResourceConflictException',
      `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
      409,
    );
  }
  const condition: NonNullable<PolicyStatement['Condition']> = {};
  if (typeof input.SourceArn === 'string') condition.ArnLike = { 'AWS:SourceArn': input.SourceArn };
  if (typeof input.SourceAccount === 'string') {
    condition.StringEquals = { 'AWS:SourceAccount': input.SourceAccount };
  }
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: principal(input.Principal),
    Action: action,
    Resource: record.arn,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

function page<T>(items: T[], url: URL): { slice: T[]; marker?: string } {
  const max = Number(url.searchParams.get('MaxItems') ?? 50);
  if (!Number.isInteger(max) || max < 1 || max > 10_000) {
    throw validation(max, 'maxItems', 'Member must have value between 1 and 10000');
  }
  const marker = url.searchParams.get('Marker');
  const start = marker ? Number(Buffer.from(marker, 'base64url').toString('utf8')) || 0 : 0;
  const end = start + max;
  return {
    slice: items.slice(start, end),
    ...(end < items.length ? { marker: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}

/** Serves one Lambda REST-JSON request (`/2015-03-31/functions/...` and friends). */
export async function handleLambdaRequest(
  lambda: LambdaService,
  request: IncomingMessage,
  response: ServerResponse,
  region: string,
  url: URL,
): Promise<void> {
  try {
    const body = await readBody(request, PAYLOAD_LIMITS.requestResponse + 1024 * 1024);
    await route(lambda, request, response, region, url, body);
  } catch (error: unknown) {
    if (!(error instanceof AwsError)) throw error;
    sendError(response, error);
  }
}

function json(body: Buffer): Json {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as Json;
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid JSON');
  }
}

async function route(
  lambda: LambdaService,
  request: IncomingMessage,
  response: ServerResponse,
  region: string,
  url: URL,
  body: Buffer,
): Promise<void> {
  const method = request.method ?? 'GET';
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [version, collection, identifier, sub, subId] = parts;
  const qualifier = url.searchParams.get('Qualifier');
  const find = () => lambda.find(identifier!, region, qualifier);

  if (version === '2017-03-31' && collection === 'tags' && identifier) {
    const record = find();
    if (method === 'GET') return send(response, 200, { Tags: record.tags });
    if (method === 'POST') {
      await lambda.functions.change(record, (r) =>
        Object.assign(r.tags, (json(body).Tags ?? {}) as Record<string, string>),
      );
      return send(response, 204);
    }
    if (method === 'DELETE') {
      const keys = url.searchParams.getAll('tagKeys');
      await lambda.functions.change(record, (r) => keys.forEach((key) => delete r.tags[key]));
      return send(response, 204);
    }
  }
  if (collection !== 'functions') return unsupported(method, url);

  if (version === '2019-09-25' && sub === 'event-invoke-config' && identifier) {
    const record = find();
    switch (method) {
      case 'PUT':
      case 'POST': {
        const config = readInvokeConfig(
          json(body),
          method === 'POST' ? record.eventInvokeConfig : undefined,
        );
        await lambda.functions.change(record, (r) => (r.eventInvokeConfig = config));
        return send(response, 200, eventInvokeConfig(record, config));
      }
      case 'GET':
        if (!record.eventInvokeConfig) {
          throw new AwsError(
            'ResourceNotFoundException',
            `The function ${record.arn}:$LATEST doesn't have an EventInvokeConfig`,
            404,
          );
        }
        return send(response, 200, eventInvokeConfig(record, record.eventInvokeConfig));
      case 'DELETE':
        await lambda.functions.change(record, (r) => delete r.eventInvokeConfig);
        return send(response, 204);
    }
  }
  if (version !== '2015-03-31') return unsupported(method, url);

  if (!identifier) {
    if (method === 'POST') {
      return send(response, 201, configuration(await lambda.create(json(body), region)));
    }
    if (method === 'GET') {
      const { slice, marker } = page(lambda.functions.list(region), url);
      return send(response, 200, {
        Functions: slice.map(configuration),
        ...(marker ? { NextMarker: marker } : {}),
      });
    }
    return unsupported(method, url);
  }
  const record = find();
  switch (`${method} ${sub ?? ''}`) {
    case 'GET ':
      return send(response, 200, {
        Configuration: configuration(record),
        Code: { RepositoryType: 'S3' },
        Tags: record.tags,
      });
    case 'DELETE ':
      await lambda.delete(record);
      return send(response, 204);
    case 'GET configuration':
      return send(response, 200, configuration(record));
    case 'PUT configuration':
      return send(
        response,
        200,
        configuration(await lambda.updateConfiguration(record, json(body))),
      );
    case 'PUT code':
      return send(response, 200, configuration(await lambda.updateCode(record, json(body))));
    case 'POST invocations':
      return invoke(lambda, record, request, response, body);
    case 'POST policy': {
      const statement = addPermission(record, json(body));
      await lambda.functions.change(record, (r) => r.policy.push(statement));
      return send(response, 201, { Statement: JSON.stringify(statement) });
    }
    case 'GET policy':
      if (record.policy.length === 0) {
        throw new AwsError(
          'ResourceNotFoundException',
          'The resource you requested does not exist.',
          404,
        );
      }
      return send(response, 200, {
        Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: record.policy }),
        RevisionId: record.revisionId,
      });
    case 'DELETE policy': {
      if (!record.policy.some((statement) => statement.Sid === subId)) {
        throw new AwsError(
          'ResourceNotFoundException',
          `Statement ${subId ?? ''} is not found in resource policy.`,
          404,
        );
      }
      await lambda.functions.change(record, (r) => {
        r.policy = r.policy.filter((statement) => statement.Sid !== subId);
      });
      return send(response, 204);
    }
  }
  return unsupported(method, url);
}

async function invoke(
  lambda: LambdaService,
  record: FunctionRecord,
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
): Promise<void> {
  const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  const limit = type === 'Event' ? PAYLOAD_LIMITS.event : PAYLOAD_LIMITS.requestResponse;
  if (body.length > limit) {
    throw new AwsError(
      'RequestTooLargeException',
      `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
      413,
    );
  }
  const payload = body.length === 0 ? '{}' : body.toString('utf8');
  try {
    JSON.parse(payload);
  } catch (error: unknown) {
    throw new AwsError(
      'InvalidRequestContentException',
      `Could not parse request body into json: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  switch (type) {
    case 'DryRun':
      return send(response, 204);
    case 'Event': {
      const requestId = await lambda.enqueue(record, payload);
      return send(response, 202, undefined, { 'x-amzn-requestid': requestId });
    }
    case 'RequestResponse': {
      const tail = request.headers['x-amz-log-type'] === 'Tail';
      const result = await lambda.invoke(record, payload, { tail });
      return send(response, 200, result.payload, {
        'x-amzn-requestid': result.requestId,
        'x-amz-executed-version': '$LATEST',
        ...(result.functionError ? { 'x-amz-function-error': result.functionError } : {}),
        ...(result.logResult ? { 'x-amz-log-result': result.logResult } : {}),
      });
    }
    default:
      throw validation(
        type,
        'invocationType',
        'Member must satisfy enum value set: [Event, RequestResponse, DryRun]',
      );
  }
}

function unsupported(method: string, url: URL): never {
  throw new AwsError(
    'UnknownOperationException',
    `Lambda operation ${method} ${url.pathname} is not supported by local AWS (account ${LOCAL_ACCOUNT_ID})`,
    501,
  );
}
