import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { dynamoTickerTable, firehoseRecordSink } from './aws.js';
import { parseStreamingEnvironment } from './environment.js';
import { DrillError } from './errors.js';
import { parseTickEvent } from './event.js';
import { runTick } from './tick.js';
import type { TickSummary } from './tick.js';

// Cold start: a missing variable fails the init phase with a message naming it.
const environment = parseStreamingEnvironment(process.env);
const table = dynamoTickerTable(new DynamoDBClient({}), environment.TABLE_NAME);
const sink = firehoseRecordSink(new FirehoseClient({}), environment.DELIVERY_STREAM_NAME);

/** The streaming function: one tick per scheduled event; `{"drill": true}` fails on purpose. */
export async function handler(event: unknown): Promise<TickSummary> {
  const { id, drill } = parseTickEvent(event);
  if (drill) throw new DrillError();
  const summary = await runTick({ table, sink, ...(id === undefined ? {} : { eventId: id }) });
  console.log(JSON.stringify({ message: 'tick', ...summary }));
  return summary;
}
