import { AwsError } from '../http.js';
import { ASYNC_DEFAULTS } from './asyncInvoker.js';
import { validation } from './config.js';
import type { EventInvokeConfig, FunctionRecord, PolicyStatement } from './store.js';

type Json = Record<string, unknown>;

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

/** An event invoke config as the API answers it. */
export function eventInvokeConfig(record: FunctionRecord, config: EventInvokeConfig): Json {
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

/** Reads a Put (replace) or Update (merge) of an event invoke config, with AWS's ranges. */
export function readInvokeConfig(input: Json, previous?: EventInvokeConfig): EventInvokeConfig {
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

/** A policy principal as AddPermission writes it: a service, an account or an ARN. */
export function principal(value: unknown): PolicyStatement['Principal'] {
  if (typeof value !== 'string' || value === '') {
    throw validation(value ?? null, 'principal', 'Member must not be null');
  }
  if (value === '*') return { AWS: '*' };
  if (/^\d{12}$/.test(value)) return { AWS: `arn:aws:iam::${value}:root` };
  if (value.startsWith('arn:')) return { AWS: value };
  return { Service: value };
}

/** The statement AddPermission adds, checked as Lambda checks it. */
export function addPermission(record: FunctionRecord, input: Json): PolicyStatement {
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
