import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';

/** Creates a log group with one stream. */
export async function createGroupWithStream(
  logs: CloudWatchLogsClient,
  group: string,
  stream = 'stream-1',
): Promise<void> {
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
}

/** Puts messages one millisecond apart from `start`. */
export function putMessages(
  logs: CloudWatchLogsClient,
  group: string,
  stream: string,
  messages: string[],
  start = Date.now(),
) {
  return logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: stream,
      logEvents: messages.map((message, index) => ({ timestamp: start + index, message })),
    }),
  );
}

/** Every message of a group, in time order. */
export async function groupMessages(logs: CloudWatchLogsClient, group: string): Promise<string[]> {
  const { events } = await logs.send(new FilterLogEventsCommand({ logGroupName: group }));
  return (events ?? []).map((event) => event.message ?? '');
}
