import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, readBody, sendJson, sendJsonError } from '../http.js';
import { compileFilterPattern, FilterPatternError } from './filterPattern.js';
import {
  describeGroup,
  describeStream,
  GROUP_NAME,
  groupName,
  groupOfArn,
  invalid,
  limit,
  optionalTime,
  outputEvent,
  page,
  streamName,
  text,
  validation,
} from './input.js';
import type { Json } from './input.js';
import { PUT_LIMITS, RETENTION_DAYS } from './store.js';
import type { LogStore, StoredEvent, StreamInfo } from './store.js';

export { LogStore } from './store.js';

/** CloudWatch Logs (AWS JSON 1.1, `Logs_20140328`), over a {@link LogStore}. */
export class LogsService {
  constructor(readonly store: LogStore) {}

  /** Serves one CloudWatch Logs request. */
  async handle(request: IncomingMessage, response: ServerResponse, region: string): Promise<void> {
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.replace(/^Logs_20140328\./, '');
    try {
      const body = (await readBody(request)).toString('utf8');
      let input: Json;
      try {
        input = (body ? JSON.parse(body) : {}) as Json;
      } catch {
        throw new AwsError('SerializationException', 'The request body is not valid JSON');
      }
      sendJson(response, 200, (await this.dispatch(operation, input, region)) ?? {});
    } catch (error: unknown) {
      if (error instanceof FilterPatternError) {
        sendJsonError(response, invalid(`Invalid filter pattern: ${error.message}`));
        return;
      }
      if (!(error instanceof AwsError)) throw error;
      sendJsonError(response, error);
    }
  }

  private async dispatch(operation: string, input: Json, region: string): Promise<Json | void> {
    const store = this.store;
    switch (operation) {
      case 'CreateLogGroup': {
        const name = text(input, 'logGroupName', GROUP_NAME, '[\\.\\-_/#A-Za-z0-9]+');
        await store.createLogGroup(region, name, (input.tags ?? {}) as Record<string, string>);
        return;
      }
      case 'DeleteLogGroup':
        return store.deleteLogGroup(region, groupName(input));
      case 'DescribeLogGroups':
        return this.describeLogGroups(input, region);
      case 'PutRetentionPolicy': {
        const days = input.retentionInDays;
        if (!RETENTION_DAYS.includes(days as (typeof RETENTION_DAYS)[number])) {
          throw invalid(
            `retentionInDays must be one of ${RETENTION_DAYS.join(', ')}, not ${String(days)}`,
          );
        }
        return store.setRetention(region, groupName(input), days as number);
      }
      case 'DeleteRetentionPolicy':
        return store.setRetention(region, groupName(input), undefined);
      case 'CreateLogStream':
        await store.createLogStream(region, groupName(input), streamName(input));
        return;
      case 'DeleteLogStream':
        return store.deleteLogStream(region, groupName(input), streamName(input));
      case 'DescribeLogStreams':
        return this.describeLogStreams(input, region);
      case 'PutLogEvents':
        return this.putLogEvents(input, region);
      case 'GetLogEvents':
        return this.getLogEvents(input, region);
      case 'FilterLogEvents':
        return this.filterLogEvents(input, region);
      case 'TagResource':
      case 'TagLogGroup': {
        const { region: at, name } =
          operation === 'TagLogGroup'
            ? { region, name: groupName(input) }
            : groupOfArn(input.resourceArn);
        return store.tag(at, name, (input.tags ?? {}) as Record<string, string>);
      }
      case 'UntagResource':
      case 'UntagLogGroup': {
        const { region: at, name } =
          operation === 'UntagLogGroup'
            ? { region, name: groupName(input) }
            : groupOfArn(input.resourceArn);
        const keys = (operation === 'UntagLogGroup' ? input.tags : input.tagKeys) as string[];
        return store.untag(at, name, Array.isArray(keys) ? keys : []);
      }
      case 'ListTagsForResource': {
        const { region: at, name } = groupOfArn(input.resourceArn);
        return { tags: store.group(at, name).tags };
      }
      case 'ListTagsLogGroup':
        return { tags: store.group(region, groupName(input)).tags };
      default:
        throw new AwsError(
          'UnknownOperationException',
          `CloudWatch Logs operation ${operation || '(none)'} is not supported by local AWS`,
        );
    }
  }

  private describeLogGroups(input: Json, region: string): Json {
    const prefix = typeof input.logGroupNamePrefix === 'string' ? input.logGroupNamePrefix : '';
    const pattern =
      typeof input.logGroupNamePattern === 'string' ? input.logGroupNamePattern.toLowerCase() : '';
    if (prefix && pattern) {
      throw invalid(
        'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.',
      );
    }
    const groups = this.store
      .listGroups(region)
      .filter((group) => group.name.startsWith(prefix))
      .filter((group) => group.name.toLowerCase().includes(pattern));
    const { slice, nextToken } = page(groups, input, 50);
    return { logGroups: slice.map(describeGroup), nextToken };
  }

  private describeLogStreams(input: Json, region: string): Json {
    const group = this.store.group(region, groupName(input));
    const prefix = typeof input.logStreamNamePrefix === 'string' ? input.logStreamNamePrefix : '';
    const orderBy = input.orderBy ?? 'LogStreamName';
    if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
      throw validation(
        orderBy,
        'orderBy',
        'Member must satisfy enum value set: [LogStreamName, LastEventTime]',
      );
    }
    if (orderBy === 'LastEventTime' && prefix) {
      throw invalid('Cannot order by LastEventTime with a logStreamNamePrefix.');
    }
    const sortKey = (stream: StreamInfo) =>
      orderBy === 'LastEventTime'
        ? `${String(stream.lastEventTimestamp ?? 0).padStart(16, '0')}\0${stream.name}`
        : stream.name;
    const streams = Object.values(group.streams)
      .filter((stream) => stream.name.startsWith(prefix))
      .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
    if (input.descending === true) streams.reverse();
    const { slice, nextToken } = page(streams, input, 50);
    return { logStreams: slice.map((stream) => describeStream(group, stream)), nextToken };
  }

  private async putLogEvents(input: Json, region: string): Promise<Json> {
    const group = groupName(input);
    const stream = streamName(input);
    const events = input.logEvents;
    if (!Array.isArray(events) || events.length === 0) {
      throw validation(events, 'logEvents', 'Member must have length greater than or equal to 1');
    }
    if (events.length > PUT_LIMITS.events) {
      throw validation(
        `[${events.length} events]`,
        'logEvents',
        `Member must have length less than or equal to ${PUT_LIMITS.events}`,
      );
    }
    let bytes = 0;
    let previous = -Infinity;
    const checked = events.map((event: unknown, position) => {
      const { timestamp, message } = (event ?? {}) as Json;
      if (typeof timestamp !== 'number' || !Number.isInteger(timestamp)) {
        throw validation(
          timestamp,
          `logEvents.${position + 1}.member.timestamp`,
          'Member must not be null',
        );
      }
      if (typeof message !== 'string' || message.length === 0) {
        throw validation(
          message,
          `logEvents.${position + 1}.member.message`,
          'Member must have length greater than or equal to 1',
        );
      }
      if (timestamp < previous) {
        throw invalid(
          'Log events in a single PutLogEvents request must be in chronological order.',
        );
      }
      previous = timestamp;
      const size = Buffer.byteLength(message) + PUT_LIMITS.eventOverheadBytes;
      if (size > PUT_LIMITS.eventBytes + PUT_LIMITS.eventOverheadBytes) {
        throw invalid(
          `Log event too large: ${size} bytes exceeds the limit of ${PUT_LIMITS.eventBytes}`,
        );
      }
      bytes += size;
      return { timestamp, message };
    });
    if (bytes > PUT_LIMITS.batchBytes) {
      throw invalid(`Upload too large: ${bytes} bytes exceeds limit of ${PUT_LIMITS.batchBytes}`);
    }
    if (checked.at(-1)!.timestamp - checked[0]!.timestamp > PUT_LIMITS.spanMs) {
      throw invalid(
        'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
      );
    }
    const result = await this.store.putLogEvents(region, group, stream, checked);
    return { nextSequenceToken: result.nextSequenceToken, rejectedLogEventsInfo: result.rejected };
  }

  private async getLogEvents(input: Json, region: string): Promise<Json> {
    const group = groupName(input);
    const stream = streamName(input);
    const count = limit(input, 10_000);
    const token = typeof input.nextToken === 'string' ? input.nextToken : undefined;
    const tokenMatch = token ? /^([fb])\/(\d+)$/.exec(token) : null;
    if (token && !tokenMatch) throw invalid('The specified nextToken is invalid.');
    const at = tokenMatch ? Number(tokenMatch[2]) : undefined;
    const forwardFrom = tokenMatch?.[1] === 'f' || (!tokenMatch && input.startFromHead === true);
    const slice = await this.store.readEvents(region, group, stream, {
      startTime: optionalTime(input, 'startTime'),
      endTime: optionalTime(input, 'endTime'),
      ...(at === undefined
        ? {}
        : { accept: (e: StoredEvent) => (forwardFrom ? e.index >= at : e.index < at) }),
      keep: { count, end: forwardFrom ? 'first' : 'last' },
    });
    // At either end AWS hands back the token it was given, so a poller knows it has caught up.
    const end = at ?? this.store.stream(region, group, stream).events;
    const forward = slice.length > 0 ? slice.at(-1)!.index + 1 : end;
    const backward = slice.length > 0 ? slice[0]!.index : end;
    return {
      events: slice.map(outputEvent),
      nextForwardToken: `f/${forward}`,
      nextBackwardToken: `b/${backward}`,
    };
  }

  private async filterLogEvents(input: Json, region: string): Promise<Json> {
    const group = this.store.group(region, groupName(input));
    const names = Array.isArray(input.logStreamNames)
      ? (input.logStreamNames as string[])
      : undefined;
    const prefix = typeof input.logStreamNamePrefix === 'string' ? input.logStreamNamePrefix : '';
    if (names && prefix) {
      throw invalid('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
    }
    const matcher = compileFilterPattern(
      typeof input.filterPattern === 'string' ? input.filterPattern : undefined,
    );
    const count = limit(input, 10_000);
    const streams = Object.values(group.streams).filter((stream) =>
      names ? names.includes(stream.name) : stream.name.startsWith(prefix),
    );
    // The token is the last event returned: each stream contributes at most one page past it.
    let after: { time: number; id: string } | undefined;
    if (typeof input.nextToken === 'string') {
      const [time, id = ''] = Buffer.from(input.nextToken, 'base64url').toString('utf8').split('/');
      after = { time: Number(time), id };
    }
    const options = {
      startTime: optionalTime(input, 'startTime'),
      endTime: optionalTime(input, 'endTime'),
      matcher,
      keep: { count: count + 1, end: 'first' as const },
      ...(after
        ? {
            accept: (e: StoredEvent) =>
              e.timestamp > after.time || (e.timestamp === after.time && e.eventId > after.id),
          }
        : {}),
    };
    const all = (
      await Promise.all(
        streams.map((stream) => this.store.readEvents(region, group.name, stream.name, options)),
      )
    )
      .flat()
      .sort((a, b) => a.timestamp - b.timestamp || (a.eventId < b.eventId ? -1 : 1));
    const slice = all.slice(0, count);
    const last = slice.at(-1);
    return {
      events: slice.map((event) => ({
        logStreamName: event.logStreamName,
        eventId: event.eventId,
        ...outputEvent(event),
      })),
      searchedLogStreams: streams.map((stream) => ({
        logStreamName: stream.name,
        searchedCompletely: true,
      })),
      nextToken:
        last && all.length > count
          ? Buffer.from(`${last.timestamp}/${last.eventId}`).toString('base64url')
          : undefined,
    };
  }
}
