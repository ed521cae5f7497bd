import {
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { dynamoTickerTable, firehoseRecordSink } from '../../../functions/streaming/aws.js';
import { TickerWriteError } from '../../../functions/streaming/errors.js';
import { runTick } from '../../../functions/streaming/tick.js';

// Mocks only for failure modes local AWS does not produce: DynamoDB refusing one write after the
// SDK's own retries, and a PutRecordBatch answer with entries missing.
const dynamodbMock = mockClient(DynamoDBClient);
const firehoseMock = mockClient(FirehoseClient);
afterEach(() => {
  dynamodbMock.reset();
  firehoseMock.reset();
});

const items = [1, 2, 3].map((index) => ({
  TickerName: { S: `Index_${index}` },
  Price: { N: '100' },
}));

function ports() {
  return {
    table: dynamoTickerTable(new DynamoDBClient({ region: 'eu-west-1' }), 'table'),
    sink: firehoseRecordSink(new FirehoseClient({ region: 'eu-west-1' }), 'stream'),
  };
}

describe('the streaming tick over the SDK adapters', () => {
  it('fails naming the ticker DynamoDB refused, after delivering the others', async () => {
    // Prepare
    dynamodbMock.on(ScanCommand).resolves({ Items: items });
    dynamodbMock.on(UpdateItemCommand).resolves({});
    dynamodbMock
      .on(UpdateItemCommand, { Key: { TickerName: { S: 'Index_2' } } })
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    firehoseMock
      .on(PutRecordBatchCommand)
      .resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: 'r1' }] });
    // Act
    const error = await runTick({ ...ports(), eventId: 'e' }).catch((thrown: unknown) => thrown);
    // Assess
    expect(error).toBeInstanceOf(TickerWriteError);
    expect((error as Error).message).toBe(
      'Index_2: could not be written: ProvisionedThroughputExceededException: slow down',
    );
    const [call] = firehoseMock.commandCalls(PutRecordBatchCommand);
    const lines = new TextDecoder()
      .decode(call!.args[0].input.Records![0]!.Data)
      .trim()
      .split('\n');
    expect(lines.map((line) => JSON.parse(line).TickerName)).toEqual(['Index_1', 'Index_3']);
  });

  it('treats entries missing from a PutRecordBatch answer as failed and resends them', async () => {
    // Prepare
    dynamodbMock.on(ScanCommand).resolves({ Items: items });
    dynamodbMock.on(UpdateItemCommand).resolves({});
    firehoseMock
      .on(PutRecordBatchCommand)
      .resolvesOnce({ FailedPutCount: 0, RequestResponses: [] })
      .resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: 'r1' }] });
    // Act
    const summary = await runTick({ ...ports(), delivery: { sleep: async () => undefined } });
    // Assess
    expect(summary.committed).toBe(3);
    expect(firehoseMock.commandCalls(PutRecordBatchCommand)).toHaveLength(2);
  });
});
