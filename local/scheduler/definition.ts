import { AwsError } from '../http.js';
import { InvalidExpressionError, parseExpression } from './expressions.js';
import type { ScheduleExpression } from './expressions.js';
import { isTimeZone } from './timeZone.js';

/** A Scheduler error: its code is the exception name the SDK throws. */
export class SchedulerError extends AwsError {
  override name = 'SchedulerError';
}

/** `ValidationException` (400). */
export class SchedulerValidationError extends SchedulerError {
  override name = 'SchedulerValidationError';
  constructor(message: string) {
    super('ValidationException', message, 400);
  }
}

/** `ResourceNotFoundException` (404). */
export class ScheduleNotFoundError extends SchedulerError {
  override name = 'ScheduleNotFoundError';
  constructor(message: string) {
    super('ResourceNotFoundException', message, 404);
  }
}

/** `ConflictException` (409). */
export class ScheduleConflictError extends SchedulerError {
  override name = 'ScheduleConflictError';
  constructor(message: string) {
    super('ConflictException', message, 409);
  }
}

/** Scheduler's smithy-style message: `1 validation error detected: Value ... at '<field>' ...`. */
export function invalidField(field: string, value: unknown, constraint: string): SchedulerError {
  const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
  return new SchedulerValidationError(
    `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

/** The retry policy of a target; Scheduler fills in 86,400 s and 185 retries when none is given. */
export interface RetryPolicy {
  MaximumEventAgeInSeconds: number;
  MaximumRetryAttempts: number;
}

/** A schedule's target as the API carries it (other target parameters are kept as given). */
export interface Target {
  Arn: string;
  RoleArn: string;
  Input?: string;
  RetryPolicy: RetryPolicy;
  DeadLetterConfig?: { Arn: string };
  SqsParameters?: { MessageGroupId?: string };
}

/** When a schedule may fire: `OFF`, or `FLEXIBLE` at a random point within the window. */
export interface FlexibleTimeWindow {
  Mode: 'OFF' | 'FLEXIBLE';
  MaximumWindowInMinutes?: number;
}

/** Everything CreateSchedule and UpdateSchedule set, checked. Dates are epoch ms. */
export interface ScheduleDefinition {
  name: string;
  groupName: string;
  expression: string;
  timeZone: string;
  startDate?: number;
  endDate?: number;
  description?: string;
  state: 'ENABLED' | 'DISABLED';
  flexibleTimeWindow: FlexibleTimeWindow;
  target: Target;
  actionAfterCompletion: 'NONE' | 'DELETE';
  kmsKeyArn?: string;
}

/** What CreateSchedule / UpdateSchedule accept, in the API's names; dates as Date or epoch seconds. */
export interface ScheduleInput {
  Name: string;
  GroupName?: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  StartDate?: Date | number | string;
  EndDate?: Date | number | string;
  Description?: string;
  State?: 'ENABLED' | 'DISABLED';
  FlexibleTimeWindow: FlexibleTimeWindow;
  Target: {
    Arn: string;
    RoleArn: string;
    Input?: string;
    RetryPolicy?: Partial<RetryPolicy>;
    DeadLetterConfig?: { Arn?: string };
    SqsParameters?: { MessageGroupId?: string };
  };
  ActionAfterCompletion?: 'NONE' | 'DELETE';
  KmsKeyArn?: string;
}

/** Names of schedules and groups. */
export const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
const ROLE_ARN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const QUEUE_ARN = /^arn:aws(-[a-z]+)?:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9\-_]+$/;
const TOPIC_ARN = /^arn:aws(-[a-z]+)?:sns:[a-z0-9-]+:\d{12}:[a-zA-Z0-9\-_]{1,256}$/;
const FUNCTION_ARN =
  /^arn:aws(-[a-z]+)?:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9\-_]+(:[\w$-]+)?$/;
/** How far in the past a StartDate may be, as Scheduler allows. */
const START_DATE_SLACK_MS = 5 * 60_000;
const DEFAULT_RETRY_POLICY: RetryPolicy = {
  MaximumEventAgeInSeconds: 86_400,
  MaximumRetryAttempts: 185,
};

type Json = Record<string, unknown>;

/** The kind of target local Scheduler delivers to, by its ARN. */
export function targetKind(arn: string): 'lambda' | 'sqs' | 'sns' | undefined {
  if (FUNCTION_ARN.test(arn)) return 'lambda';
  if (QUEUE_ARN.test(arn)) return 'sqs';
  if (TOPIC_ARN.test(arn)) return 'sns';
  return undefined;
}

function object(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidField(
      field,
      value === undefined ? undefined : JSON.stringify(value),
      'Member must not be null',
    );
  return value as Json;
}

function string(input: Json, key: string, field: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw invalidField(field, JSON.stringify(value), 'Member must be a string');
  return value;
}

function required(input: Json, key: string, field: string): string {
  const value = string(input, key, field);
  if (value === undefined) throw invalidField(field, undefined, 'Member must not be null');
  return value;
}

function integer(
  input: Json,
  key: string,
  field: string,
  range: { min: number; max: number },
): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw invalidField(field, JSON.stringify(value), 'Member must be an integer');
  if (value < range.min)
    throw invalidField(
      field,
      value,
      `Member must have value greater than or equal to ${range.min}`,
    );
  if (value > range.max)
    throw invalidField(field, value, `Member must have value less than or equal to ${range.max}`);
  return value;
}

function oneOf<T extends string>(
  input: Json,
  key: string,
  field: string,
  values: readonly T[],
): T | undefined {
  const value = string(input, key, field);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value))
    throw invalidField(field, value, `Member must satisfy enum value set: [${values.join(', ')}]`);
  return value as T;
}

/** A date as the wire (epoch seconds) or a caller (Date, ISO string) gives it, in epoch ms. */
function date(input: Json, key: string, field: string): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'number'
        ? value * 1000
        : typeof value === 'string'
          ? Date.parse(value)
          : NaN;
  if (!Number.isFinite(ms))
    throw invalidField(field, JSON.stringify(value), 'Member must be a timestamp');
  return ms;
}

/** Checks a schedule or group name. */
export function checkName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !NAME.test(value))
    throw invalidField(
      field,
      value,
      'Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$ and have length between 1 and 64',
    );
  return value;
}

function readTarget(value: unknown): Target {
  const input = object(value, 'target');
  const arn = required(input, 'Arn', 'target.arn');
  if (targetKind(arn) === undefined) {
    throw new SchedulerValidationError(
      `Target ${arn} is not supported by local AWS: it delivers to Lambda functions ` +
        '(arn:aws:lambda:<region>:<account>:function:<name>), SQS queues (arn:aws:sqs:<region>:<account>:<name>) ' +
        'and SNS topics (arn:aws:sns:<region>:<account>:<name>) only.',
    );
  }
  const roleArn = required(input, 'RoleArn', 'target.roleArn');
  if (!ROLE_ARN.test(roleArn))
    throw invalidField(
      'target.roleArn',
      roleArn,
      'Member must satisfy regular expression pattern: ^arn:aws(-[a-z]+)?:iam::\\d{12}:role\\/[\\w+=,.@\\/-]+$',
    );
  const retry =
    input.RetryPolicy === undefined ? {} : object(input.RetryPolicy, 'target.retryPolicy');
  const target: Target = {
    Arn: arn,
    RoleArn: roleArn,
    RetryPolicy: {
      MaximumEventAgeInSeconds:
        integer(retry, 'MaximumEventAgeInSeconds', 'target.retryPolicy.maximumEventAgeInSeconds', {
          min: 60,
          max: 86_400,
        }) ?? DEFAULT_RETRY_POLICY.MaximumEventAgeInSeconds,
      MaximumRetryAttempts:
        integer(retry, 'MaximumRetryAttempts', 'target.retryPolicy.maximumRetryAttempts', {
          min: 0,
          max: 185,
        }) ?? DEFAULT_RETRY_POLICY.MaximumRetryAttempts,
    },
  };
  const payload = string(input, 'Input', 'target.input');
  if (payload !== undefined) target.Input = payload;
  if (input.DeadLetterConfig !== undefined && input.DeadLetterConfig !== null) {
    const dlqArn = string(
      object(input.DeadLetterConfig, 'target.deadLetterConfig'),
      'Arn',
      'target.deadLetterConfig.arn',
    );
    if (dlqArn !== undefined) {
      if (!QUEUE_ARN.test(dlqArn))
        throw invalidField(
          'target.deadLetterConfig.arn',
          dlqArn,
          'Member must satisfy regular expression pattern: arn:aws(-[a-z]+)?:sqs:[a-z0-9\\-]+:\\d{12}:[a-zA-Z0-9\\-_]+',
        );
      target.DeadLetterConfig = { Arn: dlqArn };
    }
  }
  if (input.SqsParameters !== undefined && input.SqsParameters !== null) {
    const group = string(
      object(input.SqsParameters, 'target.sqsParameters'),
      'MessageGroupId',
      'target.sqsParameters.messageGroupId',
    );
    target.SqsParameters = group === undefined ? {} : { MessageGroupId: group };
  }
  return target;
}

function readWindow(value: unknown): FlexibleTimeWindow {
  const input = object(value, 'flexibleTimeWindow');
  const mode = oneOf(input, 'Mode', 'flexibleTimeWindow.mode', ['OFF', 'FLEXIBLE'] as const);
  if (mode === undefined)
    throw invalidField('flexibleTimeWindow.mode', undefined, 'Member must not be null');
  const minutes = integer(
    input,
    'MaximumWindowInMinutes',
    'flexibleTimeWindow.maximumWindowInMinutes',
    {
      min: 1,
      max: 1440,
    },
  );
  if (mode === 'FLEXIBLE') {
    if (minutes === undefined)
      throw new SchedulerValidationError(
        'MaximumWindowInMinutes is required when FlexibleTimeWindow Mode is FLEXIBLE.',
      );
    return { Mode: mode, MaximumWindowInMinutes: minutes };
  }
  if (minutes !== undefined)
    throw new SchedulerValidationError(
      'MaximumWindowInMinutes must not be specified when FlexibleTimeWindow Mode is OFF.',
    );
  return { Mode: mode };
}

/** Parses an expression, answering Scheduler's `Invalid Schedule Expression <expression>.`. */
export function checkExpression(expression: string): ScheduleExpression {
  try {
    return parseExpression(expression);
  } catch (error: unknown) {
    if (error instanceof InvalidExpressionError)
      throw new SchedulerValidationError(`Invalid Schedule Expression ${expression}.`);
    throw error;
  }
}

/**
 * Reads CreateSchedule / UpdateSchedule input (the wire's JSON or {@link ScheduleInput}) into a
 * checked definition, with Scheduler's defaults, refusing what Scheduler refuses. `now` is the
 * scaled clock's time, for the StartDate and EndDate checks.
 */
export function readDefinition(value: unknown, now: number): ScheduleDefinition {
  const input = object(value, 'input');
  const name = checkName(input.Name, 'name');
  const groupName =
    input.GroupName === undefined || input.GroupName === null
      ? 'default'
      : checkName(input.GroupName, 'groupName');
  const expression = required(input, 'ScheduleExpression', 'scheduleExpression');
  if (expression.length > 256)
    throw invalidField(
      'scheduleExpression',
      expression,
      'Member must have length less than or equal to 256',
    );
  checkExpression(expression);
  const timeZone =
    string(input, 'ScheduleExpressionTimezone', 'scheduleExpressionTimezone') ?? 'UTC';
  if (!isTimeZone(timeZone))
    throw new SchedulerValidationError(
      `Invalid ScheduleExpressionTimezone ${timeZone}: use an IANA time zone name such as UTC or Europe/Paris.`,
    );
  const startDate = date(input, 'StartDate', 'startDate');
  const endDate = date(input, 'EndDate', 'endDate');
  if (startDate !== undefined && startDate < now - START_DATE_SLACK_MS)
    throw new SchedulerValidationError(
      'The StartDate you specify cannot be earlier than 5 minutes ago.',
    );
  if (endDate !== undefined && endDate <= now)
    throw new SchedulerValidationError(
      'The EndDate you specify cannot be earlier than the current time.',
    );
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate)
    throw new SchedulerValidationError(
      'The EndDate you specify cannot be earlier than the StartDate.',
    );
  const description = string(input, 'Description', 'description');
  if (description !== undefined && description.length > 512)
    throw invalidField(
      'description',
      description,
      'Member must have length less than or equal to 512',
    );
  const definition: ScheduleDefinition = {
    name,
    groupName,
    expression,
    timeZone,
    state: oneOf(input, 'State', 'state', ['ENABLED', 'DISABLED'] as const) ?? 'ENABLED',
    flexibleTimeWindow: readWindow(input.FlexibleTimeWindow),
    target: readTarget(input.Target),
    actionAfterCompletion:
      oneOf(input, 'ActionAfterCompletion', 'actionAfterCompletion', ['NONE', 'DELETE'] as const) ??
      'NONE',
  };
  if (startDate !== undefined) definition.startDate = startDate;
  if (endDate !== undefined) definition.endDate = endDate;
  if (description !== undefined) definition.description = description;
  const kmsKeyArn = string(input, 'KmsKeyArn', 'kmsKeyArn');
  if (kmsKeyArn !== undefined) definition.kmsKeyArn = kmsKeyArn;
  return definition;
}
