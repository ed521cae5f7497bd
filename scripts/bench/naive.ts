import { ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutRecordCommand } from '@aws-sdk/client-firehose';
import type { FirehoseClient } from '@aws-sdk/client-firehose';

const encoder = new TextEncoder();

/**
 * The baseline, written the tutorial's way: scan, then for each ticker in turn one UpdateItem and
 * one PutRecord, with no condition, no idempotency and no batching.
 */
export async function naiveTick(
  clients: { dynamodb: DynamoDBClient; firehose: FirehoseClient },
  names: { table: string; deliveryStream: string },
): Promise<void> {
  const items: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await clients.dynamodb.send(
      new ScanCommand({ TableName: names.table, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  for (const item of items) {
    const price = Number(item.Price?.N);
    const next = Math.max(
      0.01,
      Math.round(price * (1 + (Math.random() * 2 - 1) * 0.01) * 100) / 100,
    );
    await clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: names.table,
        Key: { TickerName: item.TickerName! },
        UpdateExpression: 'SET Price = :price',
        ExpressionAttributeValues: { ':price': { N: String(next) } },
      }),
    );
    await clients.firehose.send(
      new PutRecordCommand({
        DeliveryStreamName: names.deliveryStream,
        Record: {
          Data: encoder.encode(
            `${JSON.stringify({ TickerName: item.TickerName?.S, Price: next })}\n`,
          ),
        },
      }),
    );
  }
}
