import { AwsError } from '../http.js';
import { logGroupArn } from './store.js';
import type { GroupInfo, StoredEvent, StreamInfo } from './store.js';

/** A request or answer body. */
export type Json = Record<string, unknown>;

/** A log group name's pattern. */
export const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
/** A log stream name's pattern. */
export const STREAM_NAME = /^[^:*]{1,512}$/;

/** An InvalidParameterException. */
export function invalid(message: string): AwsError {
  return new AwsError('InvalidParameterException', message);
}

/** A ValidationException worded as AWS words them. */
export function validation(value: unknown, field: string, constraint: string): AwsError {
  return new AwsError(
    'ValidationException',
    `1 validation error detected: Value '${typeof value === 'string' ? value : JSON.stringify(value)}' at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

/** A required string field matching a pattern. */
export function text(input: Json, field: string, pattern: RegExp, patternText: string): string {
  const value = input[field];
  if (typeof value !== 'string') throw validation(value, field, 'Member must not be null');
  if (!pattern.test(value)) {
    throw validation(
      value,
      field,
      `Member must satisfy regular expression pattern: ${patternText}`,
    );
  }
  return value;
}

/** A log group named by `logGroupName` or by `logGroupIdentifier` (a name or an ARN). */
export function groupName(input: Json): string {
  const identifier = input.logGroupIdentifier;
  if (typeof identifier === 'string' && input.logGroupName === undefined) {
    const match = /^arn:aws[a-z-]*:logs:[^:]*:\d{12}:log-group:([^:]+)(:\*)?$/.exec(identifier);
    return match ? match[1]! : identifier;
  }
  return text(input, 'logGroupName', GROUP_NAME, '[\\.\\-_/#A-Za-z0-9]+');
}

/** The `limit` field, within AWS's range. */
export function limit(input: Json, most: number, fallback = most): number {
  const value = input.limit ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > most) {
    throw validation(value, 'limit', `Member must have value between 1 and ${most}`);
  }
  return value;
}

/** An optional epoch-milliseconds field. */
export function optionalTime(input: Json, field: string): number | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw validation(value, field, 'Member must have value greater than or equal to 0');
  }
  return value;
}

/** Pages a sorted list; the token is the offset of the next item. */
export function page<T>(items: T[], input: Json, most: number) {
  const count = limit(input, most);
  let start = 0;
  if (typeof input.nextToken === 'string') {
    start = Number(Buffer.from(input.nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw invalid('The specified nextToken is invalid.');
  }
  const more = start + count < items.length;
  return {
    slice: items.slice(start, start + count),
    nextToken: more ? Buffer.from(String(start + count)).toString('base64url') : undefined,
  };
}

/** A log group as DescribeLogGroups answers it. */
export function describeGroup(group: GroupInfo): Json {
  const groupArn = logGroupArn(group.region, group.name);
  return {
    logGroupName: group.name,
    creationTime: group.created,
    retentionInDays: group.retentionInDays,
    metricFilterCount: 0,
    arn: `${groupArn}:*`,
    logGroupArn: groupArn,
    storedBytes: Object.values(group.streams).reduce((sum, s) => sum + s.storedBytes, 0),
    logGroupClass: 'STANDARD',
  };
}

/** A log stream as DescribeLogStreams answers it. */
export function describeStream(group: GroupInfo, stream: StreamInfo): Json {
  return {
    logStreamName: stream.name,
    creationTime: stream.created,
    firstEventTimestamp: stream.firstEventTimestamp,
    lastEventTimestamp: stream.lastEventTimestamp,
    lastIngestionTime: stream.lastIngestionTime,
    uploadSequenceToken: String(stream.events).padStart(56, '0'),
    arn: `${logGroupArn(group.region, group.name)}:log-stream:${stream.name}`,
    storedBytes: 0,
  };
}

/** An event as GetLogEvents answers it. */
export function outputEvent(event: StoredEvent): Json {
  return { timestamp: event.timestamp, message: event.message, ingestionTime: event.ingestionTime };
}

/** The group name inside a log group ARN given to the tagging calls. */
export function groupOfArn(resourceArn: unknown): { region: string; name: string } {
  const match =
    typeof resourceArn === 'string'
      ? /^arn:aws[a-z-]*:logs:([^:]+):\d{12}:log-group:([^:]+)(:\*)?$/.exec(resourceArn)
      : null;
  if (!match) throw invalid(`resourceArn must be a log group ARN, not ${String(resourceArn)}`);
  return { region: match[1]!, name: match[2]! };
}

/** The `logStreamName` field. */
export function streamName(input: Json): string {
  return text(input, 'logStreamName', STREAM_NAME, '[^:*]*');
}
