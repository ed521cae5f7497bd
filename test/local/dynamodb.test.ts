import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalAws } from '../support/localAws.js';

useLocalAws();
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  dynamodb = new DynamoDBClient({ maxAttempts: 1 });
  await dynamodb.send(
    new CreateTableCommand({
      TableName: 'tickers',
      AttributeDefinitions: [{ AttributeName: 'TickerName', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'TickerName', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists(
    { client: dynamodb, maxWaitTime: 10, minDelay: 0.1, maxDelay: 0.2 },
    { TableName: 'tickers' },
  );
});

describe('DynamoDB through the gateway', () => {
  it('creates tables with ARNs in the region of the request', async () => {
    const { TableNames } = await dynamodb.send(new ListTablesCommand({}));
    const other = new DynamoDBClient({ region: 'us-west-2' });
    const { TableNames: elsewhere } = await other.send(new ListTablesCommand({}));

    expect(TableNames).toContain('tickers');
    expect(elsewhere).toEqual([]);
  });

  it('puts, gets, scans and updates items', async () => {
    await dynamodb.send(
      new PutItemCommand({
        TableName: 'tickers',
        Item: { TickerName: { S: 'Index_1' }, Price: { N: '100' } },
      }),
    );

    await dynamodb.send(
      new UpdateItemCommand({
        TableName: 'tickers',
        Key: { TickerName: { S: 'Index_1' } },
        UpdateExpression: 'SET Price = :price',
        ExpressionAttributeValues: { ':price': { N: '101.5' } },
      }),
    );
    const item = await dynamodb.send(
      new GetItemCommand({ TableName: 'tickers', Key: { TickerName: { S: 'Index_1' } } }),
    );
    const scan = await dynamodb.send(new ScanCommand({ TableName: 'tickers' }));

    expect(item.Item?.Price).toEqual({ N: '101.5' });
    expect(scan.Count).toBe(1);
  });

  it('fails a conditional update with ConditionalCheckFailedException', async () => {
    await dynamodb.send(
      new PutItemCommand({
        TableName: 'tickers',
        Item: { TickerName: { S: 'Index_2' }, Version: { N: '3' } },
      }),
    );

    const update = dynamodb.send(
      new UpdateItemCommand({
        TableName: 'tickers',
        Key: { TickerName: { S: 'Index_2' } },
        UpdateExpression: 'SET Version = :next',
        ConditionExpression: 'Version = :expected',
        ExpressionAttributeValues: { ':next': { N: '3' }, ':expected': { N: '2' } },
      }),
    );

    await expect(update).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('answers transactions, which dynalite lacks, with an AWS error rather than a silent success', async () => {
    const transaction = dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName: 'tickers', Item: { TickerName: { S: 'T' } } } }],
      }),
    );

    await expect(transaction).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringContaining('TransactWriteItems is not supported by local AWS'),
    });
  });
});
