import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordingReporter } from '../../../lib/steps/report.js';
import { seedTickers } from '../../../lib/steps/seed.js';
import { useLocalAws } from '../../support/localAws.js';

useLocalAws();
let dynamodb: DynamoDBClient;
let tableCount = 0;

const TICKERS = [
  { name: 'Index_1', price: 100 },
  { name: 'Index_2', price: 90 },
];

async function newTable(): Promise<string> {
  const TableName = `seed-${++tableCount}`;
  await dynamodb.send(
    new CreateTableCommand({
      TableName,
      AttributeDefinitions: [{ AttributeName: 'TickerName', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'TickerName', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30, minDelay: 1 }, { TableName });
  return TableName;
}

async function item(TableName: string, name: string) {
  const { Item } = await dynamodb.send(
    new GetItemCommand({ TableName, Key: { TickerName: { S: name } }, ConsistentRead: true }),
  );
  return Item;
}

beforeAll(() => {
  dynamodb = new DynamoDBClient({ maxAttempts: 1 });
});

describe('seedTickers', () => {
  it('writes every configured ticker at its price and version 0 into an empty table', async () => {
    const tableName = await newTable();

    const result = await seedTickers(
      dynamodb,
      { tickers: TICKERS, tableName, reset: false },
      recordingReporter(),
    );

    expect(result).toEqual({ written: ['Index_1', 'Index_2'], kept: [], notInConfig: [] });
    expect(await item(tableName, 'Index_2')).toEqual({
      TickerName: { S: 'Index_2' },
      Price: { N: '90' },
      Version: { N: '0' },
    });
  });

  it('keeps the live price and version of a ticker already in the table', async () => {
    const tableName = await newTable();
    const live = { TickerName: { S: 'Index_1' }, Price: { N: '101.37' }, Version: { N: '42' } };
    await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: live }));

    const result = await seedTickers(
      dynamodb,
      { tickers: TICKERS, tableName, reset: false },
      recordingReporter(),
    );

    expect(result.kept).toEqual(['Index_1']);
    expect(result.written).toEqual(['Index_2']);
    expect(await item(tableName, 'Index_1')).toEqual(live);
  });

  it('overwrites a live ticker with the config price at version 0 when reset', async () => {
    const tableName = await newTable();
    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { TickerName: { S: 'Index_1' }, Price: { N: '5' }, Version: { N: '7' } },
      }),
    );

    const result = await seedTickers(
      dynamodb,
      { tickers: TICKERS, tableName, reset: true },
      recordingReporter(),
    );

    expect(result.written).toEqual(['Index_1', 'Index_2']);
    expect((await item(tableName, 'Index_1'))?.Version).toEqual({ N: '0' });
    expect((await item(tableName, 'Index_1'))?.Price).toEqual({ N: '100' });
  });

  it('reports a ticker that is in the table but not in the config, and leaves it there', async () => {
    const tableName = await newTable();
    const stray = { TickerName: { S: 'Old_Index' }, Price: { N: '3' } };
    await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: stray }));
    const reporter = recordingReporter();

    const result = await seedTickers(
      dynamodb,
      { tickers: TICKERS, tableName, reset: true },
      reporter,
    );

    expect(result.notInConfig).toEqual(['Old_Index']);
    expect(await item(tableName, 'Old_Index')).toEqual(stray);
    expect(reporter.warnings.join('\n')).toContain('Old_Index');
  });

  it('is idempotent: a second run writes nothing and keeps everything', async () => {
    const tableName = await newTable();
    const options = { tickers: TICKERS, tableName, reset: false };
    await seedTickers(dynamodb, options, recordingReporter());

    const second = await seedTickers(dynamodb, options, recordingReporter());

    expect(second).toEqual({ written: [], kept: ['Index_1', 'Index_2'], notInConfig: [] });
  });

  it('lists each ticker and its outcome in the summary', async () => {
    const tableName = await newTable();
    const reporter = recordingReporter();

    await seedTickers(dynamodb, { tickers: TICKERS, tableName, reset: false }, reporter);

    expect(reporter.markdown.join('\n')).toMatch(/\| Index_1 \| written \|/);
  });

  it('says to deploy first when the table does not exist', async () => {
    const seeding = seedTickers(
      dynamodb,
      { tickers: TICKERS, tableName: 'no-such-table', reset: false },
      recordingReporter(),
    );

    await expect(seeding).rejects.toThrow(/no-such-table does not exist.*deploy/);
  });
});
