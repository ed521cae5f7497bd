// Creates and seeds a streaming pipeline's table, bucket and delivery stream in a local AWS, as
// CloudFormation and the tutorial's seed step would: shared by the benchmark and the tests.
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import type { BucketLocationConstraint } from '@aws-sdk/client-s3';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/** Clients for one local AWS endpoint, with dummy credentials. */
export interface LocalClients {
  dynamodb: DynamoDBClient;
  firehose: FirehoseClient;
  s3: S3Client;
}

/** Clients pointed at `endpoint` (loopback only) with dummy credentials. */
export function localClients(endpoint: string, region = 'eu-west-1'): LocalClients {
  const common = {
    endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  return {
    dynamodb: new DynamoDBClient(common),
    firehose: new FirehoseClient(common),
    s3: new S3Client({ ...common, forcePathStyle: true }),
  };
}

/** The names of one streaming pipeline's table, stream and bucket. */
export interface PipelineNames {
  table: string;
  deliveryStream: string;
  bucket: string;
}

/** A ticker row to seed: the tutorial's items carry no Version. */
export type SeedItem = Record<string, AttributeValue>;

/** `count` tickers like the tutorial's, `Index_1` at 100 and so on, without Version. */
export function tutorialTickers(count: number): SeedItem[] {
  return Array.from({ length: count }, (_, index) => ({
    TickerName: { S: `Index_${index + 1}` },
    Price: { N: String(100 - (index % 50)) },
  }));
}

/**
 * Creates the table, the bucket and a delivery stream that writes every record to S3 at once
 * (buffer interval 0), then seeds the items.
 */
export async function createPipeline(
  clients: LocalClients,
  names: PipelineNames,
  items: readonly SeedItem[],
): Promise<void> {
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: names.table,
      AttributeDefinitions: [{ AttributeName: 'TickerName', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'TickerName', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // A new table is CREATING for a moment, as in AWS.
  for (;;) {
    const { Table } = await clients.dynamodb.send(
      new DescribeTableCommand({ TableName: names.table }),
    );
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await clients.s3.send(
    new CreateBucketCommand({
      Bucket: names.bucket,
      // Outside us-east-1, S3 requires the bucket's region.
      CreateBucketConfiguration: {
        LocationConstraint: (await clients.s3.config.region()) as BucketLocationConstraint,
      },
    }),
  );
  await clients.firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: names.deliveryStream,
      DeliveryStreamType: 'DirectPut',
      ExtendedS3DestinationConfiguration: {
        RoleARN: 'arn:aws:iam::000000000000:role/firehose',
        BucketARN: `arn:aws:s3:::${names.bucket}`,
        BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 1 },
      },
    }),
  );
  await putItems(clients, names.table, items);
}

/** Writes items in batches of 25. */
export async function putItems(
  clients: LocalClients,
  table: string,
  items: readonly SeedItem[],
): Promise<void> {
  for (let start = 0; start < items.length; start += 25) {
    let requests: Record<string, { PutRequest: { Item: SeedItem } }[]> = {
      [table]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })),
    };
    while (Object.keys(requests).length > 0) {
      const { UnprocessedItems } = await clients.dynamodb.send(
        new BatchWriteItemCommand({ RequestItems: requests }),
      );
      requests = (UnprocessedItems ?? {}) as typeof requests;
    }
  }
}
