import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_PRICE_CENTS, MAX_TICKER_NAME_BYTES } from '../../../lib/config/limits.js';
import { dynamoTickerTable } from '../../../functions/streaming/aws.js';
import type { RecordSink } from '../../../functions/streaming/delivery.js';
import type { StoredItem } from '../../../functions/streaming/storedItem.js';
import { runTick } from '../../../functions/streaming/tick.js';
import {
  commitRequest,
  parseTickerItem,
  RECENT_EVENTS_WINDOW,
} from '../../../functions/streaming/ticker.js';
import { useLocalAws } from '../../support/localAws.js';

// Local DynamoDB (dynalite) reports the capacity a write consumed from its own item-size count,
// an independent check of the 1 KB budget. It counts characters, so names here are ASCII.
const local = useLocalAws();
let client: DynamoDBClient;
let tables = 0;

beforeAll(() => {
  client = new DynamoDBClient({
    endpoint: local.endpoint(),
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

/** A new, empty ticker table, once DynamoDB says it is active. */
async function newTable(): Promise<string> {
  const name = `tickers-${++tables}`;
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'TickerName', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'TickerName', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return name;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const toSdk = (item: StoredItem) => item as Record<string, AttributeValue>;

async function seed(table: string, item: StoredItem): Promise<void> {
  await client.send(new PutItemCommand({ TableName: table, Item: toSdk(item) }));
}

/** Commits one change made by `eventId` as the tick does, and answers the write units it cost. */
async function commitOnce(
  table: string,
  name: string,
  eventId: string,
  cents: number,
): Promise<number> {
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: table,
      Key: { TickerName: { S: name } },
      ConsistentRead: true,
    }),
  );
  const parsed = parseTickerItem(Item as StoredItem);
  if (!parsed.ok) throw new Error(parsed.malformed.problem);
  const { ticker } = parsed;
  const request = commitRequest(ticker, {
    ticker: name,
    price: cents / 100,
    previousPrice: ticker.price,
    version: ticker.version + 1,
    timestamp: new Date(Date.UTC(2099, 0, 1) + ticker.version * 60_000).toISOString(),
    eventId,
  });
  const result = await client.send(
    new UpdateItemCommand({
      TableName: table,
      ...request,
      Key: toSdk(request.Key),
      ExpressionAttributeValues: toSdk(request.ExpressionAttributeValues),
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  return result.ConsumedCapacity?.CapacityUnits ?? NaN;
}

/** The window as the previous version of the function wrote it: full ids and ISO times in JSON. */
function legacyWindow(count: number): string {
  return JSON.stringify(
    Array.from({ length: count }, (_, index) => [
      `0b0e8f3c-6f0e-4d3a-9c1e-${String(index).padStart(12, '0')}`,
      count - index,
      100 + (count - index) / 100,
      100 + (count - index - 1) / 100,
      new Date(Date.UTC(2026, 10, 28, 17, 16 - index)).toISOString(),
    ]),
  );
}

/** A sink that accepts every record and keeps the lines, for the tick's table side only. */
function keepingSink(): { sink: RecordSink; lines: () => unknown[] } {
  const records: Uint8Array[] = [];
  const sink: RecordSink = {
    async putRecordBatch(batch) {
      records.push(...batch);
      return batch.map(() => undefined);
    },
  };
  const lines = () =>
    records.flatMap((record) =>
      new TextDecoder()
        .decode(record)
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
    );
  return { sink, lines };
}

describe('ticker writes against local DynamoDB', () => {
  it('cost one write unit each, at the longest name and highest price, with a full window', async () => {
    // Prepare
    const table = await newTable();
    const name = 'N'.repeat(MAX_TICKER_NAME_BYTES);
    await seed(table, {
      TickerName: { S: name },
      Price: { N: String((MAX_PRICE_CENTS - 1) / 100) },
    });
    // Act
    const units: number[] = [];
    for (let i = 0; i < RECENT_EVENTS_WINDOW + 2; i++)
      units.push(await commitOnce(table, name, `${i}`.padStart(256, 'e'), MAX_PRICE_CENTS - 2 - i));
    // Assess
    expect(units).toEqual(units.map(() => 1));
  });

  it('rewrite an item of the previous format: two units for the first write, one after', async () => {
    // Prepare: 1.5 KB, as the previous version left a full window
    const table = await newTable();
    await seed(table, {
      TickerName: { S: 'Legacy' },
      Price: { N: '100.16' },
      Version: { N: '16' },
      RecentEvents: { S: legacyWindow(16) },
    });
    // Act
    const first = await commitOnce(table, 'Legacy', 'new-1', 10_020);
    const second = await commitOnce(table, 'Legacy', 'new-2', 10_030);
    // Assess
    expect([first, second]).toEqual([2, 1]);
  });
});

describe('a tick on an item of the previous format', () => {
  it('replays the change an event recorded there, exactly, and keeps it once rewritten', async () => {
    // Prepare
    const recorded = 'event-recorded';
    const tableName = await newTable();
    await seed(tableName, {
      TickerName: { S: 'Older' },
      Price: { N: '100.16' },
      Version: { N: '16' },
      RecentEvents: {
        S: legacyWindow(16).replace('0b0e8f3c-6f0e-4d3a-9c1e-000000000000', recorded),
      },
    });
    const table = dynamoTickerTable(client, tableName);
    const expected = {
      TickerName: 'Older',
      Price: 100.16,
      PreviousPrice: 100.15,
      Version: 16,
      Timestamp: '2026-11-28T17:16:00.000Z',
      EventId: recorded,
    };
    // Act
    const before = keepingSink();
    const replay = await runTick({ table, sink: before.sink, eventId: recorded });
    await runTick({ table, sink: keepingSink().sink, eventId: 'event-new' });
    const rewritten = await table.getItem({ TickerName: { S: 'Older' } });
    const after = keepingSink();
    const again = await runTick({ table, sink: after.sink, eventId: recorded });
    // Assess
    expect(replay).toMatchObject({ committed: 0, replayed: 1 });
    expect(before.lines()).toContainEqual(expected);
    expect(rewritten?.RecentEvents?.S).not.toMatch(/^\[/);
    expect(again).toMatchObject({ committed: 0, replayed: 1 });
    expect(after.lines()).toContainEqual(expected);
  });
});
