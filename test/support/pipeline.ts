import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { LocalClients } from '../../local/pipeline.js';

/** Every item of the table. */
export async function scanTable(clients: LocalClients, table: string) {
  const items: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await clients.dynamodb.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** One delivered JSON line. */
export interface DeliveredLine {
  TickerName: string;
  Price: number;
  PreviousPrice: number;
  Version: number;
  Timestamp: string;
  EventId?: string;
}

/** Every line Firehose wrote to the bucket so far. */
export async function readDelivered(
  clients: LocalClients,
  bucket: string,
): Promise<DeliveredLine[]> {
  const lines: DeliveredLine[] = [];
  let token: string | undefined;
  do {
    const page = await clients.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      const { Body } = await clients.s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: object.Key }),
      );
      const text = (await Body?.transformToString('utf8')) ?? '';
      for (const line of text.split('\n')) if (line) lines.push(JSON.parse(line) as DeliveredLine);
    }
    token = page.NextContinuationToken;
  } while (token);
  return lines;
}
