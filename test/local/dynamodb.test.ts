import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
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

  describe('ReturnValuesOnConditionCheckFailure', () => {
    const failing = {
      TableName: 'tickers',
      ConditionExpression: 'Version = :expected',
      ExpressionAttributeValues: { ':expected': { N: '2' } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    } as const;
    const stored = { TickerName: { S: 'Index_3' }, Version: { N: '3' }, Price: { N: '99.5' } };

    beforeAll(async () => {
      await dynamodb.send(new PutItemCommand({ TableName: 'tickers', Item: stored }));
    });

    it('returns the item that failed an UpdateItem condition, with ALL_OLD', async () => {
      const update = dynamodb.send(
        new UpdateItemCommand({
          ...failing,
          Key: { TickerName: { S: 'Index_3' } },
          UpdateExpression: 'SET Price = :price',
          ExpressionAttributeValues: { ...failing.ExpressionAttributeValues, ':price': { N: '1' } },
        }),
      );

      await expect(update).rejects.toMatchObject({
        name: 'ConditionalCheckFailedException',
        Item: stored,
      });
    });

    it('returns the item that failed a PutItem condition, with ALL_OLD', async () => {
      const put = dynamodb.send(
        new PutItemCommand({ ...failing, Item: { TickerName: { S: 'Index_3' } } }),
      );

      await expect(put).rejects.toMatchObject({ Item: stored });
    });

    it('returns the item that failed a DeleteItem condition, with ALL_OLD', async () => {
      const remove = dynamodb.send(
        new DeleteItemCommand({ ...failing, Key: { TickerName: { S: 'Index_3' } } }),
      );

      await expect(remove).rejects.toMatchObject({ Item: stored });
    });

    it('returns no item without ALL_OLD', async () => {
      const update = dynamodb.send(
        new UpdateItemCommand({
          ...failing,
          ReturnValuesOnConditionCheckFailure: 'NONE',
          Key: { TickerName: { S: 'Index_3' } },
          UpdateExpression: 'SET Price = :expected',
        }),
      );

      const error: unknown = await update.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConditionalCheckFailedException);
      expect((error as ConditionalCheckFailedException).Item).toBeUndefined();
    });

    it('returns no item when there was none to fail the condition', async () => {
      const update = dynamodb.send(
        new UpdateItemCommand({
          ...failing,
          Key: { TickerName: { S: 'Index_absent' } },
          UpdateExpression: 'SET Price = :expected',
        }),
      );

      const error: unknown = await update.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConditionalCheckFailedException);
      expect((error as ConditionalCheckFailedException).Item).toBeUndefined();
    });

    it('rejects a value other than ALL_OLD or NONE, naming the field', async () => {
      const update = dynamodb.send(
        new UpdateItemCommand({
          ...failing,
          ReturnValuesOnConditionCheckFailure: 'ALL_NEW' as 'ALL_OLD',
          Key: { TickerName: { S: 'Index_3' } },
          UpdateExpression: 'SET Price = :expected',
        }),
      );

      await expect(update).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining("at 'returnValuesOnConditionCheckFailure'"),
      });
    });
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
