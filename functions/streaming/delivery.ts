import { DeliveryError } from './errors.js';
import type { Change } from './ticker.js';

/** Firehose's documented limits, in bytes and records. */
export const FIREHOSE_LIMITS = {
  /** Largest record, before base64: 1,000 KiB. */
  recordBytes: 1_000 * 1024,
  /** Most records in one PutRecordBatch call. */
  batchRecords: 500,
  /** Largest PutRecordBatch call: 4 MiB. */
  batchBytes: 4 * 1024 * 1024,
  /** Firehose bills each record rounded up to the next 5 KB. */
  billingUnitBytes: 5 * 1024,
} as const;

/** Where records go: PutRecordBatch, answering each entry's error code (`undefined` when accepted). */
export interface RecordSink {
  /**
   * Sends one batch. Resolves with one entry per record: its error code, or `undefined` if accepted.
   * A retryable failure of the whole call is reported as every entry failing with its code.
   */
  putRecordBatch(records: readonly Uint8Array[]): Promise<(string | undefined)[]>;
}

/** Retry settings of {@link deliver}; the sleep is injectable so tests need not wait. */
export interface DeliveryOptions {
  /** Attempts per batch, including the first (default 6: about 3 s of backoff at most). */
  maxAttempts?: number;
  /** Backoff before the second attempt, doubled each time, with full jitter (default 100 ms). */
  baseDelayMs?: number;
  /** Cap of one backoff (default 2 s). */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** What one delivery cost and how it went. */
export interface DeliveryReport {
  records: number;
  calls: number;
  billingUnits: number;
  bytes: number;
}

const encoder = new TextEncoder();

/** The JSON line delivered for one change; `(TickerName, Version)` identifies a duplicate. */
export function changeLine(change: Change): string {
  return `${JSON.stringify({
    TickerName: change.ticker,
    Price: change.price,
    PreviousPrice: change.previousPrice,
    Version: change.version,
    Timestamp: change.timestamp,
    ...(change.eventId === undefined ? {} : { EventId: change.eventId }),
  })}\n`;
}

/**
 * Packs lines into as few records as Firehose allows, keeping lines whole and in order (Firehose
 * bills per record in 5 KB steps, so five tickers fit one unit instead of five).
 */
export function packRecords(
  lines: readonly string[],
  maxBytes: number = FIREHOSE_LIMITS.recordBytes,
): Uint8Array[] {
  const records: Uint8Array[] = [];
  let parts: Uint8Array[] = [];
  let size = 0;
  const flush = () => {
    if (parts.length === 0) return;
    const record = new Uint8Array(size);
    let offset = 0;
    for (const part of parts) {
      record.set(part, offset);
      offset += part.length;
    }
    records.push(record);
    parts = [];
    size = 0;
  };
  for (const line of lines) {
    const bytes = encoder.encode(line);
    if (bytes.length > maxBytes)
      throw new RangeError(
        `a line of ${bytes.length} bytes exceeds Firehose's record limit of ${maxBytes}`,
      );
    if (size + bytes.length > maxBytes) flush();
    parts.push(bytes);
    size += bytes.length;
  }
  flush();
  return records;
}

/** Splits records into PutRecordBatch calls within the record-count and byte limits. */
export function batchRecords(
  records: readonly Uint8Array[],
  limits: { batchRecords: number; batchBytes: number } = FIREHOSE_LIMITS,
): Uint8Array[][] {
  const batches: Uint8Array[][] = [];
  let batch: Uint8Array[] = [];
  let size = 0;
  for (const record of records) {
    if (
      batch.length === limits.batchRecords ||
      (batch.length > 0 && size + record.length > limits.batchBytes)
    ) {
      batches.push(batch);
      batch = [];
      size = 0;
    }
    batch.push(record);
    size += record.length;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** Firehose 5 KB billing units of these records. */
export function billingUnits(records: readonly Uint8Array[]): number {
  return records.reduce(
    (sum, record) => sum + Math.max(1, Math.ceil(record.length / FIREHOSE_LIMITS.billingUnitBytes)),
    0,
  );
}

function countLines(record: Uint8Array): number {
  let lines = 0;
  for (const byte of record) if (byte === 10) lines++;
  return lines;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends records with PutRecordBatch and resends only the entries that failed, with exponential
 * backoff and full jitter, up to `maxAttempts` per batch. Throws a {@link DeliveryError} counting
 * the lines still undelivered, so the invocation fails and its retry re-delivers them.
 */
export async function deliver(
  sink: RecordSink,
  records: readonly Uint8Array[],
  options: DeliveryOptions = {},
): Promise<DeliveryReport> {
  const { maxAttempts = 6, baseDelayMs = 100, maxDelayMs = 2_000 } = options;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const report: DeliveryReport = {
    records: records.length,
    calls: 0,
    billingUnits: billingUnits(records),
    bytes: records.reduce((sum, record) => sum + record.length, 0),
  };
  const batches = batchRecords(records);
  const linesAfter = (index: number) =>
    batches
      .slice(index + 1)
      .flat()
      .reduce((sum, record) => sum + countLines(record), 0);
  for (const [index, batch] of batches.entries()) {
    let pending = batch;
    let codes: string[] = [];
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1)
        await sleep(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 2)));
      report.calls++;
      let results: (string | undefined)[];
      try {
        results = await sink.putRecordBatch(pending);
      } catch (error: unknown) {
        const undelivered =
          pending.reduce((sum, record) => sum + countLines(record), 0) + linesAfter(index);
        const name = error instanceof Error ? error.name : 'UnknownError';
        throw new DeliveryError(undelivered, [name], { cause: error });
      }
      const failed = pending.filter((_, index) => results[index] !== undefined);
      codes = [...new Set(results.filter((code): code is string => code !== undefined))];
      pending = failed;
      if (pending.length > 0 && attempt >= maxAttempts) {
        throw new DeliveryError(
          pending.reduce((sum, record) => sum + countLines(record), 0) + linesAfter(index),
          codes,
        );
      }
    }
  }
  return report;
}
