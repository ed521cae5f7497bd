import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FirehoseClient } from '@aws-sdk/client-firehose';

/** One HTTP request (one attempt) seen by a client. */
export interface RequestRecord {
  operation: string;
  start: number;
  end: number;
  /** Firehose 5 KB billing units of the records this request carried. */
  billingUnits: number;
}

const BILLING_UNIT_BYTES = 5 * 1024;

function unitsOf(input: unknown): number {
  const { Records, Record } = (input ?? {}) as {
    Records?: { Data?: Uint8Array }[];
    Record?: { Data?: Uint8Array };
  };
  const records = Records ?? (Record ? [Record] : []);
  return records.reduce(
    (sum, record) => sum + Math.max(1, Math.ceil((record.Data?.length ?? 0) / BILLING_UNIT_BYTES)),
    0,
  );
}

/**
 * Records every request a client sends, at the innermost step so each retry attempt counts:
 * what was called, when it started and ended, and what Firehose would bill for it.
 */
export function recordRequests(
  client: DynamoDBClient | FirehoseClient,
  log: RequestRecord[],
): void {
  (client as DynamoDBClient).middlewareStack.add(
    (next, context) => async (args) => {
      const start = performance.now();
      try {
        return await next(args);
      } finally {
        log.push({
          operation: context.commandName ?? 'unknown',
          start,
          end: performance.now(),
          billingUnits: unitsOf(args.input),
        });
      }
    },
    { step: 'deserialize', name: 'benchRequestRecorder' },
  );
}

/**
 * The number of sequential round trips: the longest chain of requests in which each starts only
 * after the one before it ended. Requests in flight together count once.
 */
export function sequentialRoundTrips(requests: readonly RequestRecord[]): number {
  const byStart = [...requests].sort((a, b) => a.start - b.start);
  const byEnd = [...requests].sort((a, b) => a.end - b.end);
  const chain = new Map<RequestRecord, number>();
  let finished = 0;
  let longestFinished = 0;
  let longest = 0;
  for (const request of byStart) {
    while (finished < byEnd.length && byEnd[finished]!.end <= request.start) {
      longestFinished = Math.max(longestFinished, chain.get(byEnd[finished]!) ?? 0);
      finished++;
    }
    const length = longestFinished + 1;
    chain.set(request, length);
    longest = Math.max(longest, length);
  }
  return longest;
}

/**
 * Delays every request attempt by `ms`, modelling the network round trip to a real AWS endpoint
 * that loopback does not have. Add it after {@link recordRequests} so the delay counts in the request.
 */
export function addLatency(client: DynamoDBClient | FirehoseClient, ms: number): void {
  (client as DynamoDBClient).middlewareStack.add(
    (next) => async (args) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return next(args);
    },
    { step: 'deserialize', name: 'benchLatency' },
  );
}

/** The median of repeated measurements, with the lowest and the highest. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Median, minimum and maximum of `values` (at least one). */
export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spreadOf needs at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}
