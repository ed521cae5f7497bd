import {
  ConditionalCheckFailedException,
  GetItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { RecordSink } from './delivery.js';
import type { StoredItem } from './storedItem.js';
import type { TickerTable } from './tick.js';

// The pure side builds the same wire shapes without the SDK's tagged-union types; the cast is
// the one place where the two meet.
const toSdk = <Value>(value: Value) => value as unknown as Record<string, AttributeValue>;

/** The tick's table port backed by DynamoDB: strongly consistent reads, conditional writes. */
export function dynamoTickerTable(client: DynamoDBClient, tableName: string): TickerTable {
  return {
    async scanPage(startKey) {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName,
          ConsistentRead: true,
          ExclusiveStartKey: startKey && toSdk(startKey),
        }),
      );
      return {
        items: (page.Items ?? []) as StoredItem[],
        lastKey: page.LastEvaluatedKey as StoredItem | undefined,
      };
    },
    async getItem(key) {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: toSdk(key), ConsistentRead: true }),
      );
      return Item as StoredItem | undefined;
    },
    async update(request) {
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            ...request,
            Key: toSdk(request.Key),
            ExpressionAttributeValues: toSdk(request.ExpressionAttributeValues),
          }),
        );
        return 'updated';
      } catch (error: unknown) {
        if (error instanceof ConditionalCheckFailedException) return 'conflict';
        throw error;
      }
    },
  };
}

// Whole-call failures worth another attempt after the SDK's own retries gave up.
const RETRYABLE_CALL_ERRORS = new Set([
  'ServiceUnavailableException',
  'ThrottlingException',
  'LimitExceededException',
  'InternalFailure',
  'InternalServerError',
]);

/** The tick's record sink backed by Firehose PutRecordBatch. */
export function firehoseRecordSink(client: FirehoseClient, deliveryStreamName: string): RecordSink {
  return {
    async putRecordBatch(records) {
      try {
        const response = await client.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: deliveryStreamName,
            Records: records.map((Data) => ({ Data: Data as Uint8Array })),
          }),
        );
        const entries = response.RequestResponses ?? [];
        return records.map((_, index) => {
          const entry = entries[index];
          if (!entry) return 'MissingResponseEntry';
          return entry.ErrorCode ?? (entry.RecordId ? undefined : 'MissingRecordId');
        });
      } catch (error: unknown) {
        if (error instanceof Error && RETRYABLE_CALL_ERRORS.has(error.name))
          return records.map(() => error.name);
        throw error;
      }
    },
  };
}
