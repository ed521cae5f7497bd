import { hourPartition } from './table.js';

/** One delivered record, as the streaming function writes it (one JSON line). */
export interface TickerRecord {
  TickerName: string;
  Price: number;
  PreviousPrice: number;
  Version: number;
  Timestamp: string;
  EventId?: string;
}

/** What to generate: time, size and the random source are passed in. */
export interface SampleOptions {
  /** The first record's time; each object covers `spacingMs * recordsPerObject`. */
  start: Date;
  records: number;
  recordsPerObject: number;
  tickers: readonly string[];
  /** Milliseconds between records (all tickers share one clock). */
  spacingMs: number;
  random: () => number;
  /** The delivery stream's name, in each key as Firehose writes it. */
  stream?: string;
  prefix?: string;
}

/** A generated object: its key in Firehose's layout, its records and its body. */
export interface SampleObject {
  key: string;
  records: TickerRecord[];
  body: Buffer;
}

const pad = (value: number) => String(value).padStart(2, '0');

/**
 * Generates delivered objects the way Firehose lays them out: `<prefix>YYYY/MM/dd/HH/<stream>-1-
 * <yyyy-MM-dd-HH-mm-ss>-<id>`, keyed by the UTC hour of each object's first record, each record a
 * JSON line ending in a newline; each ticker's versions count up from 1 and prices walk randomly.
 */
export function* sampleObjects(options: SampleOptions): Generator<SampleObject> {
  const prefix = options.prefix ?? 'tickers/';
  const stream = options.stream ?? 'sample-deliverystream';
  const state = new Map(options.tickers.map((ticker) => [ticker, { price: 100, version: 0 }]));
  let made = 0;
  let number = 0;
  while (made < options.records) {
    const count = Math.min(options.recordsPerObject, options.records - made);
    const records: TickerRecord[] = [];
    for (let index = 0; index < count; index++) {
      const ticker = options.tickers[(made + index) % options.tickers.length]!;
      const current = state.get(ticker)!;
      const previous = current.price;
      current.price = Math.max(
        1,
        Math.round((previous + (options.random() - 0.5) * 2) * 100) / 100,
      );
      current.version += 1;
      records.push({
        TickerName: ticker,
        Price: current.price,
        PreviousPrice: previous,
        Version: current.version,
        Timestamp: new Date(
          options.start.getTime() + (made + index) * options.spacingMs,
        ).toISOString(),
        EventId: `event-${made + index}`,
      });
    }
    const at = new Date(records[0]!.Timestamp);
    const stamp =
      `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}-` +
      `${pad(at.getUTCHours())}-${pad(at.getUTCMinutes())}-${pad(at.getUTCSeconds())}`;
    const id = `${String(number++).padStart(8, '0')}-0000-4000-8000-000000000000`;
    yield {
      key: `${prefix}${hourPartition(at)}/${stream}-1-${stamp}-${id}`,
      records,
      body: Buffer.from(records.map((record) => `${JSON.stringify(record)}\n`).join('')),
    };
    made += count;
  }
}
