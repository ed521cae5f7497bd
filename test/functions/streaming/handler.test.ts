import { PutRecordCommand } from '@aws-sdk/client-firehose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createPipeline,
  localClients,
  putItems,
  tutorialTickers,
} from '../../../local/pipeline.js';
import type { SeedItem } from '../../../local/pipeline.js';
import { readDelivered, scanTable } from '../../support/pipeline.js';
import type { DeliveredLine } from '../../support/pipeline.js';
import { useLocalAws } from '../../support/localAws.js';

const local = useLocalAws();
let pipelines = 0;
let markers = 0;

beforeAll(() => {
  // The handler logs one summary line per tick; keep the test output readable.
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => local.clearFaults());

/** A fresh table, bucket and delivery stream, and the handler imported (cold start) against them. */
async function pipeline(items: readonly SeedItem[] = tutorialTickers(5)) {
  const id = ++pipelines;
  const names = { table: `ticks-${id}`, deliveryStream: `stream-${id}`, bucket: `bucket-${id}` };
  const clients = localClients(local.endpoint());
  await createPipeline(clients, names, items);
  process.env.TABLE_NAME = names.table;
  process.env.DELIVERY_STREAM_NAME = names.deliveryStream;
  vi.resetModules();
  const { handler } = await import('../../../functions/streaming/handler.js');
  const table = async () =>
    new Map(
      (await scanTable(clients, names.table)).map((item) => [
        item.TickerName!.S!,
        { price: item.Price?.N, version: Number(item.Version?.N ?? 0) },
      ]),
    );
  const delivered = () => readDelivered(clients, names.bucket);
  /**
   * Waits until every committed version of every ticker is in S3, and at least `minLines` lines
   * (duplicates included): local Firehose writes to S3 asynchronously, as AWS's does.
   */
  const settled = async (minLines = 0) => {
    const expected = await table();
    const deadline = Date.now() + 10_000;
    for (;;) {
      const lines = await delivered();
      const seen = new Set(lines.map((line) => `${line.TickerName}#${line.Version}`));
      const complete = [...expected].every(([name, { version }]) =>
        Array.from({ length: version }, (_, index) => `${name}#${index + 1}`).every((key) =>
          seen.has(key),
        ),
      );
      if ((complete && lines.length >= minLines) || Date.now() > deadline) {
        return { table: expected, lines };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  /**
   * Every line delivered before now: puts a marker record and waits until it is in S3. The stream
   * writes what it accepted in order, so anything accepted before the marker is there by then.
   */
  const deliveredSoFar = async () => {
    const marker = `marker-${++markers}`;
    await clients.firehose.send(
      new PutRecordCommand({
        DeliveryStreamName: names.deliveryStream,
        Record: { Data: Buffer.from(`${JSON.stringify({ TickerName: marker })}\n`) },
      }),
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      const lines = await delivered();
      if (lines.some((line) => line.TickerName === marker)) {
        return lines.filter((line) => !line.TickerName.startsWith('marker-'));
      }
      if (Date.now() > deadline) throw new Error(`the marker ${marker} never reached S3`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { handler, clients, names, table, delivered, settled, deliveredSoFar };
}

/**
 * Per ticker, the delivered versions deduplicated by (TickerName, Version): duplicates must be the
 * same line, versions run 1..n with no gap, each starts from the previous price, and the last one
 * is what the table holds.
 */
function expectGapFree(
  table: Map<string, { price: string | undefined; version: number }>,
  lines: readonly DeliveredLine[],
) {
  for (const [name, { price, version }] of table) {
    const byVersion = new Map<number, DeliveredLine>();
    for (const line of lines.filter((candidate) => candidate.TickerName === name)) {
      const earlier = byVersion.get(line.Version);
      if (earlier) expect(line, `duplicate of ${name} v${line.Version}`).toEqual(earlier);
      byVersion.set(line.Version, line);
    }
    const versions = [...byVersion.keys()].sort((a, b) => a - b);
    expect(versions, name).toEqual(Array.from({ length: version }, (_, index) => index + 1));
    for (let v = 2; v <= version; v++) {
      expect(byVersion.get(v)!.PreviousPrice, `${name} v${v}`).toBe(byVersion.get(v - 1)!.Price);
    }
    if (version > 0) expect(String(byVersion.get(version)!.Price), name).toBe(price);
  }
}

describe('streaming handler against local AWS', () => {
  it('ticks every ticker once per event and delivers one line each in one record', async () => {
    // Prepare
    const { handler, settled } = await pipeline();
    // Act
    const summary = await handler({ id: 'event-1' });
    // Assess
    expect(summary).toMatchObject({
      tickers: 5,
      committed: 5,
      replayed: 0,
      records: 1,
      billingUnits: 1,
    });
    const { table, lines } = await settled();
    expect([...table.values()].map((ticker) => ticker.version)).toEqual([1, 1, 1, 1, 1]);
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      expect(line.Price).toBeGreaterThan(0);
      expect(Math.round(line.Price * 100) / 100).toBe(line.Price);
      expect(Math.abs(line.Price - line.PreviousPrice)).toBeLessThanOrEqual(
        line.PreviousPrice * 0.01 + 0.01,
      );
      expect(line.EventId).toBe('event-1');
      expect(new Date(line.Timestamp).toISOString()).toBe(line.Timestamp);
    }
    expectGapFree(table, lines);
  });

  it('loses no update when 10 invocations overlap: versions are gap-free and match the table', async () => {
    // Prepare
    const { handler, settled } = await pipeline();
    // Act
    const summaries = await Promise.all(
      Array.from({ length: 10 }, (_, index) => handler({ id: `overlap-${index}` })),
    );
    // Assess
    expect(summaries.reduce((sum, summary) => sum + summary.committed, 0)).toBe(50);
    expect(summaries.reduce((sum, summary) => sum + summary.conflicts, 0)).toBeGreaterThan(0);
    const { table, lines } = await settled();
    expect([...table.values()].map((ticker) => ticker.version)).toEqual([10, 10, 10, 10, 10]);
    expectGapFree(table, lines);
  });

  it('changes nothing for the same event twice, and re-delivers the same lines', async () => {
    // Prepare
    const { handler, settled } = await pipeline();
    const first = await handler({ id: 'same-event' });
    // Act
    const again = await handler({ id: 'same-event' });
    // Assess
    expect(first).toMatchObject({ committed: 5, replayed: 0 });
    expect(again).toMatchObject({ committed: 0, replayed: 5 });
    const { table, lines } = await settled(10);
    expect([...table.values()].map((ticker) => ticker.version)).toEqual([1, 1, 1, 1, 1]);
    expect(lines).toHaveLength(10);
    expectGapFree(table, lines);
  });

  it('changes nothing twice when the same event runs twice at once', async () => {
    const { handler, settled } = await pipeline();
    const results = await Promise.all([handler({ id: 'twin' }), handler({ id: 'twin' })]);
    expect(results.reduce((sum, summary) => sum + summary.committed, 0)).toBe(5);
    const { table, lines } = await settled();
    expect([...table.values()].map((ticker) => ticker.version)).toEqual([1, 1, 1, 1, 1]);
    expectGapFree(table, lines);
  });

  it('treats an event without id as a fresh tick each time', async () => {
    const { handler, table } = await pipeline();
    await handler({});
    await handler(null);
    expect([...(await table()).values()].map((ticker) => ticker.version)).toEqual([2, 2, 2, 2, 2]);
  });

  it('delivers everything while Firehose fails 50 % of entries', async () => {
    // Prepare
    const { handler, settled } = await pipeline();
    await local.setFaults({ firehose: { failRate: 0.5 } });
    // Act
    for (let tick = 0; tick < 6; tick++) await handler({ id: `flaky-${tick}` });
    // Assess
    const { table, lines } = await settled();
    expect([...table.values()].map((ticker) => ticker.version)).toEqual([6, 6, 6, 6, 6]);
    expectGapFree(table, lines);
  });

  it('delivers everything while Firehose throttles half of the calls', async () => {
    const { handler, settled } = await pipeline();
    await local.setFaults({ firehose: { throttleRate: 0.5 } });
    for (let tick = 0; tick < 4; tick++) await handler({ id: `throttled-${tick}` });
    const { table, lines } = await settled();
    expect([...table.values()].map((ticker) => ticker.version)).toEqual([4, 4, 4, 4, 4]);
    expectGapFree(table, lines);
  });

  it('fails when Firehose keeps refusing, and a retry of the event delivers what was committed', async () => {
    // Prepare
    const { handler, settled, deliveredSoFar } = await pipeline();
    await local.setFaults({ firehose: { failRate: 1, errorCode: 'ServiceUnavailableException' } });
    // Act
    const failure = await handler({ id: 'stuck' }).catch((error: unknown) => error);
    await local.clearFaults();
    const nothing = await deliveredSoFar();
    const retry = await handler({ id: 'stuck' });
    // Assess
    expect(failure).toMatchObject({ name: 'DeliveryError', undeliveredLines: 5 });
    expect((failure as Error).message).toBe(
      '5 committed changes were not delivered to Firehose (ServiceUnavailableException); ' +
        'they are recorded on their tickers: a retry of event "stuck" re-delivers them',
    );
    expect(nothing).toEqual([]);
    expect(retry).toMatchObject({ committed: 0, replayed: 5 });
    const { table, lines } = await settled();
    expect([...table.values()].map((ticker) => ticker.version)).toEqual([1, 1, 1, 1, 1]);
    expectGapFree(table, lines);
  });

  it('names each malformed item and attribute, fails, and still ticks and delivers the others', async () => {
    // Prepare
    const malformed: SeedItem[] = [
      { TickerName: { S: 'NoPrice' } },
      { TickerName: { S: 'TextPrice' }, Price: { S: 'abc' } },
      { TickerName: { S: 'ZeroPrice' }, Price: { N: '0' } },
      { TickerName: { S: 'NegativePrice' }, Price: { N: '-4.2' } },
      { TickerName: { S: 'BadVersion' }, Price: { N: '10' }, Version: { S: 'seven' } },
    ];
    const { handler, clients, names, settled } = await pipeline();
    await putItems(clients, names.table, malformed);
    // Act
    const error = await handler({ id: 'with-bad-items' }).catch((thrown: unknown) => thrown);
    // Assess
    expect(error).toMatchObject({ name: 'MalformedItemsError' });
    expect((error as { items: unknown[] }).items).toEqual(
      expect.arrayContaining([
        { ticker: 'NoPrice', attribute: 'Price', problem: expect.stringContaining('is missing') },
        {
          ticker: 'TextPrice',
          attribute: 'Price',
          problem: expect.stringContaining('a string (S) "abc"'),
        },
        { ticker: 'ZeroPrice', attribute: 'Price', problem: 'is 0; it must be greater than 0' },
        {
          ticker: 'NegativePrice',
          attribute: 'Price',
          problem: 'is -4.2; it must be greater than 0',
        },
        { ticker: 'BadVersion', attribute: 'Version', problem: expect.stringContaining('"seven"') },
      ]),
    );
    expect((error as Error).message).toContain('TextPrice: Price is a string (S) "abc"');
    const { table, lines } = await settled();
    for (const name of ['Index_1', 'Index_2', 'Index_3', 'Index_4', 'Index_5']) {
      expect(table.get(name)?.version).toBe(1);
    }
    expect(table.get('ZeroPrice')).toEqual({ price: '0', version: 0 });
    expect(lines.map((line) => line.TickerName).sort()).toEqual([
      'Index_1',
      'Index_2',
      'Index_3',
      'Index_4',
      'Index_5',
    ]);
  });

  it('fails on purpose with a DrillError for {"drill": true}, touching nothing', async () => {
    const { handler, table, deliveredSoFar } = await pipeline();
    await expect(handler({ drill: true })).rejects.toMatchObject({
      name: 'DrillError',
      message: expect.stringContaining('failed on purpose'),
    });
    expect([...(await table()).values()].map((ticker) => ticker.version)).toEqual([0, 0, 0, 0, 0]);
    expect(await deliveredSoFar()).toEqual([]);
  });

  it('rejects a malformed event with a message naming the field', async () => {
    const { handler } = await pipeline();
    await expect(handler({ id: 7 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/^event id: must be a string/),
    });
  });
});
