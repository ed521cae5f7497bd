import { describe, expect, it } from 'vitest';
import {
  batchRecords,
  billingUnits,
  changeLine,
  deliver,
  FIREHOSE_LIMITS,
  packRecords,
} from '../../../functions/streaming/delivery.js';
import type { RecordSink } from '../../../functions/streaming/delivery.js';
import { DeliveryError } from '../../../functions/streaming/errors.js';

const decoder = new TextDecoder();
const noSleep = async () => undefined;

function line(index: number): string {
  return changeLine({
    ticker: `Index_${index}`,
    price: 100.42,
    previousPrice: 100,
    version: 17,
    timestamp: '2026-11-26T06:00:00.000Z',
  });
}

/** A sink that fails the entries `fail(call, index)` picks and records what it was sent. */
function scriptedSink(fail: (call: number, index: number) => string | undefined) {
  const calls: string[][] = [];
  const sink: RecordSink = {
    async putRecordBatch(records) {
      const call = calls.length;
      calls.push(records.map((record) => decoder.decode(record)));
      return records.map((_, index) => fail(call, index));
    },
  };
  return { sink, calls };
}

describe('changeLine', () => {
  it('is one JSON object ending in a newline', () => {
    const text = line(1);
    expect(text.endsWith('\n')).toBe(true);
    expect(JSON.parse(text)).toEqual({
      TickerName: 'Index_1',
      Price: 100.42,
      PreviousPrice: 100,
      Version: 17,
      Timestamp: '2026-11-26T06:00:00.000Z',
    });
  });
});

describe('packRecords', () => {
  it('packs the five tutorial tickers into one record costing one billing unit', () => {
    const records = packRecords([1, 2, 3, 4, 5].map(line));
    expect(records).toHaveLength(1);
    expect(billingUnits(records)).toBe(1);
    expect(decoder.decode(records[0]).split('\n')).toHaveLength(6);
  });

  it('starts a new record before one would exceed the limit, never splitting a line', () => {
    // Prepare
    const lines = Array.from({ length: 10 }, (_, index) => line(index));
    const size = new TextEncoder().encode(lines[0]).length;
    // Act
    const records = packRecords(lines, size * 3 + 1);
    // Assess
    expect(records.map((record) => record.length)).toEqual([size * 3, size * 3, size * 3, size]);
    expect(records.map((record) => decoder.decode(record)).join('')).toBe(lines.join(''));
  });

  it('needs 1 record for 1,000 tickers', () => {
    const records = packRecords(Array.from({ length: 1000 }, (_, index) => line(index)));
    expect(records).toHaveLength(1);
    expect(records[0]!.length).toBeLessThanOrEqual(FIREHOSE_LIMITS.recordBytes);
  });
});

describe('batchRecords', () => {
  it('keeps each call within 500 records', () => {
    const records = Array.from({ length: 1001 }, () => new Uint8Array(1));
    expect(batchRecords(records).map((batch) => batch.length)).toEqual([500, 500, 1]);
  });

  it('keeps each call within 4 MiB', () => {
    const records = Array.from({ length: 5 }, () => new Uint8Array(FIREHOSE_LIMITS.recordBytes));
    expect(batchRecords(records).map((batch) => batch.length)).toEqual([4, 1]);
  });
});

describe('deliver', () => {
  const records = ['a\n', 'b\n', 'c\n', 'd\n'].map((text) => new TextEncoder().encode(text));

  it('resends only the entries that failed', async () => {
    // Prepare: the first call fails entries 1 and 3
    const { sink, calls } = scriptedSink((call, index) =>
      call === 0 && index % 2 === 1 ? 'ServiceUnavailableException' : undefined,
    );
    // Act
    const report = await deliver(sink, records, { sleep: noSleep });
    // Assess
    expect(calls).toEqual([
      ['a\n', 'b\n', 'c\n', 'd\n'],
      ['b\n', 'd\n'],
    ]);
    expect(report.calls).toBe(2);
  });

  it('backs off exponentially, with jitter, up to the cap', async () => {
    // Prepare
    const sleeps: number[] = [];
    const { sink } = scriptedSink((call) => (call < 5 ? 'ServiceUnavailableException' : undefined));
    // Act
    await deliver(sink, records, {
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 1,
      baseDelayMs: 100,
      maxDelayMs: 500,
      maxAttempts: 6,
    });
    // Assess
    expect(sleeps).toEqual([100, 200, 400, 500, 500]);
  });

  it('throws a DeliveryError counting the undelivered lines when attempts run out', async () => {
    const { sink, calls } = scriptedSink((_, index) =>
      index === 0 ? 'InternalFailure' : undefined,
    );
    const error = await deliver(sink, records, { sleep: noSleep, maxAttempts: 3 }).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ undeliveredLines: 1, errorCodes: ['InternalFailure'] });
    expect(calls).toHaveLength(3);
  });

  it('stops at once on an error the sink does not report as retryable', async () => {
    // Prepare
    const missing = Object.assign(new Error('stream not found'), {
      name: 'ResourceNotFoundException',
    });
    const sink: RecordSink = {
      putRecordBatch: async () => {
        throw missing;
      },
    };
    // Act
    const error = await deliver(sink, records, { sleep: noSleep }).catch(
      (thrown: unknown) => thrown,
    );
    // Assess
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ undeliveredLines: 4, cause: missing });
  });
});
