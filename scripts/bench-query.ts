import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AthenaClient } from '@aws-sdk/client-athena';
import { startLocalAws } from '../local/index.js';
import { runQuery } from '../lib/query/athena.js';
import { formatBytes } from '../lib/query/format.js';
import { NAMED_QUERIES } from '../lib/query/named.js';
import { sampleObjects } from '../lib/query/sampleData.js';
import { tickerTableInput } from '../lib/query/table.js';
import { parseBenchOptions, wholeNumber } from './bench/options.js';
import { command, runIfEntryPoint } from './cli.js';
import type { CliIo } from './cli.js';

const USAGE = `Usage: npm run bench:query -- [--records <n>] [--json]

Generates delivered records in Firehose's object layout in a fresh local AWS, then times, through
the Athena API, the latest price per ticker and the hourly min/max/mean per ticker over all of them
(each first with an empty cache, reading every object's JSON, then repeated, reading the Parquet
copies local Athena writes in the background after a query), the hourly aggregate while that
cache is being written and with a one-hour partition filter, and plain Node scans of the same
objects computing the same answers (JSON.parse of every line), in the same run. One query of no
table first starts DuckDB, which is not timed.
  --records <n>   how many records (default 1000000)
  --json          print one JSON object`;

const REGION = 'eu-west-1';
const BUCKET = 'bench-query-data';
const DATABASE = 'bench_db';
const TICKERS = Array.from({ length: 10 }, (_, index) => `Index_${index + 1}`);
const RECORDS_PER_OBJECT = 5000;

/** A seeded pseudo-random source, so every run writes the same prices. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Whether two answers are the same rows, doubles equal to 12 significant digits: DuckDB's threads
 * add a mean's doubles in no fixed order, so its last digits differ from run to run, cache or not.
 */
function sameAnswer(
  one: readonly (readonly (string | null)[])[],
  other: readonly (readonly (string | null)[])[],
): boolean {
  const close = (a: string | null, b: string | null) =>
    a === b ||
    (a !== null && b !== null && Math.abs(Number(a) - Number(b)) <= 1e-12 * Math.abs(Number(a)));
  return (
    one.length === other.length &&
    one.every(
      (row, n) =>
        row.length === other[n]!.length && row.every((cell, c) => close(cell, other[n]![c]!)),
    )
  );
}

/** The answers a plain Node scan gives: JSON.parse of every line of every object. */
function naiveScan(
  bodies: readonly { key: string; body: Buffer }[],
  answer: 'latest' | 'hourly',
): number {
  const latest = new Map<string, { price: number; version: number }>();
  const hourly = new Map<string, { min: number; max: number; sum: number; count: number }>();
  for (const { key, body } of bodies) {
    const hour = key.split('/').slice(1, 5).join('/');
    for (const line of body.toString('utf8').split('\n')) {
      if (!line) continue;
      const record = JSON.parse(line) as { TickerName: string; Price: number; Version: number };
      if (answer === 'latest') {
        const seen = latest.get(record.TickerName);
        if (!seen || record.Version > seen.version)
          latest.set(record.TickerName, { price: record.Price, version: record.Version });
        continue;
      }
      const group = `${record.TickerName} ${hour}`;
      const stats = hourly.get(group);
      if (!stats)
        hourly.set(group, { min: record.Price, max: record.Price, sum: record.Price, count: 1 });
      else {
        stats.min = Math.min(stats.min, record.Price);
        stats.max = Math.max(stats.max, record.Price);
        stats.sum += record.Price;
        stats.count++;
      }
    }
  }
  return answer === 'latest' ? latest.size : hourly.size;
}

async function bench(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseBenchOptions({ records: { type: 'string', default: '1000000' } }, argv);
  const records = wholeNumber(options.records, '--records', { min: 1 });

  const stateDir = await mkdtemp(join(tmpdir(), 'bench-query-'));
  const local = await startLocalAws({ port: 0, stateDir });
  try {
    const { store } = await local.service('s3');
    const { engine } = await local.service('athena');
    await store.createBucket(BUCKET, REGION);
    const glue = await local.service('glue');
    await glue.createDatabase(REGION, { Name: DATABASE });
    await glue.createTable(REGION, DATABASE, tickerTableInput(BUCKET));
    // One day of records, ending an hour ago (the table's projection reads no hour after NOW).
    const spacingMs = Math.max(1, Math.floor(86_400_000 / records));
    const start = new Date(Date.now() - records * spacingMs - 3_600_000);
    let bytes = 0;
    let objects = 0;
    let firstHour = '';
    for (const object of sampleObjects({
      start,
      records,
      recordsPerObject: RECORDS_PER_OBJECT,
      tickers: TICKERS,
      spacingMs,
      random: seeded(42),
    })) {
      await store.putObject({ bucket: BUCKET, key: object.key, body: object.body });
      bytes += object.body.length;
      objects++;
      firstHour ||= object.key.split('/').slice(1, 5).join('/');
    }

    const athena = new AthenaClient({
      region: REGION,
      endpoint: local.endpoint,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    const timed = async (sql: string) => {
      const began = performance.now();
      const result = await runQuery(athena, {
        sql,
        database: DATABASE,
        workGroup: 'primary',
        outputLocation: `s3://${BUCKET}/athena-results/`,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        now: Date.now,
        pollMs: 10,
      });
      const ms = performance.now() - began;
      return {
        ms: Math.round(ms),
        recordsPerSecond: Math.round((records / ms) * 1000),
        rows: result.rows.length,
        scannedBytes: result.dataScannedBytes,
        answer: result.rows,
      };
    };
    /** How long the background writing of the cache takes after the query just answered. */
    const cacheWrite = async () => {
      const began = performance.now();
      await engine.cacheSettled();
      return { ms: Math.round(performance.now() - began), ...engine.cacheSize() };
    };
    const hourFilter = (sql: string) =>
      sql.replace('FROM tickers', `FROM tickers WHERE dt = '${firstHour}'`);
    // Starts DuckDB (a query of no table): the engine's start is not a query over the objects.
    await timed('SELECT 1');
    // First runs read JSON: the cache is empty. The hourly query right after the first one runs
    // while the cache is being written (a query never waits for it).
    const latestFirst = await timed(NAMED_QUERIES['latest-price'].sql);
    const hourlyWhileCaching = await timed(NAMED_QUERIES['hourly-stats'].sql);
    await engine.clearCache();
    const hourlyFirst = await timed(NAMED_QUERIES['hourly-stats'].sql);
    const cache = await cacheWrite();
    // Repeated runs read every object's Parquet copy.
    const latestRepeated = await timed(NAMED_QUERIES['latest-price'].sql);
    const hourlyRepeated = await timed(NAMED_QUERIES['hourly-stats'].sql);
    const oneHour = await timed(hourFilter(NAMED_QUERIES['hourly-stats'].sql));
    if (
      !sameAnswer(latestRepeated.answer, latestFirst.answer) ||
      !sameAnswer(hourlyRepeated.answer, hourlyFirst.answer) ||
      !sameAnswer(hourlyWhileCaching.answer, hourlyFirst.answer)
    ) {
      throw new Error('local Athena answered differently from its Parquet cache than from JSON');
    }

    const scan = async (answer: 'latest' | 'hourly') => {
      const began = performance.now();
      const bodies = [];
      for (const key of store.buckets.keys(BUCKET)) {
        if (!key.startsWith('tickers/')) continue;
        bodies.push({ key, body: await store.readObject(BUCKET, key) });
      }
      const rows = naiveScan(bodies, answer);
      const ms = performance.now() - began;
      return {
        ms: Math.round(ms),
        recordsPerSecond: Math.round((records / ms) * 1000),
        rows,
      };
    };
    const latestScan = await scan('latest');
    const hourlyScan = await scan('hourly');
    if (latestFirst.rows !== latestScan.rows || hourlyFirst.rows !== hourlyScan.rows) {
      throw new Error(
        `local Athena and the Node scan disagree: ${latestFirst.rows}/${hourlyFirst.rows} rows against ${latestScan.rows}/${hourlyScan.rows}`,
      );
    }
    const ratio = (node: { ms: number }, athena: { ms: number }) =>
      Number((node.ms / Math.max(1, athena.ms)).toFixed(1));
    const report = {
      records,
      objects,
      bytes,
      latestPrice: {
        first: latestFirst,
        repeated: latestRepeated,
        nodeScan: latestScan,
      },
      hourlyAggregate: {
        first: hourlyFirst,
        whileCaching: hourlyWhileCaching,
        repeated: hourlyRepeated,
        nodeScan: hourlyScan,
      },
      hourlyAggregateOneHour: oneHour,
      cache,
      speedupFirst: {
        latestPrice: ratio(latestScan, latestFirst),
        hourlyAggregate: ratio(hourlyScan, hourlyFirst),
      },
      speedupRepeated: {
        latestPrice: ratio(latestScan, latestRepeated),
        hourlyAggregate: ratio(hourlyScan, hourlyRepeated),
      },
    };
    if (options.json) {
      io.stdout(
        JSON.stringify(report, (key, value: unknown) => (key === 'answer' ? undefined : value)),
      );
      return 0;
    }
    const row = (
      label: string,
      result: { ms: number; recordsPerSecond: number; scannedBytes?: number },
    ) =>
      `  ${label.padEnd(40)} ${String(result.ms).padStart(7)} ms  ${String(result.recordsPerSecond).padStart(11)} records/s` +
      (result.scannedBytes === undefined ? '' : `  scanned ${formatBytes(result.scannedBytes)}`);
    io.stdout(
      [
        `${records} records in ${objects} objects (${formatBytes(bytes)}), local Athena on DuckDB through the Athena API:`,
        row('latest price per ticker, first', latestFirst),
        row('latest price per ticker, repeated (cache)', latestRepeated),
        row('plain Node scan, latest price', latestScan),
        row('hourly min/max/mean, first', hourlyFirst),
        row('hourly, while the cache is written', hourlyWhileCaching),
        row('hourly min/max/mean, repeated (cache)', hourlyRepeated),
        row('plain Node scan, hourly', hourlyScan),
        row('hourly, WHERE dt = one hour (cache)', oneHour),
        `  cache written in the background in ${cache.ms} ms after a query read the JSON: ${cache.files} Parquet files, ${formatBytes(cache.bytes)}`,
        `  speed-up over the Node scan, first query: latest price ${report.speedupFirst.latestPrice}x, hourly ${report.speedupFirst.hourlyAggregate}x`,
        `  speed-up over the Node scan, repeated:    latest price ${report.speedupRepeated.latestPrice}x, hourly ${report.speedupRepeated.hourlyAggregate}x`,
      ].join('\n'),
    );
    return 0;
  } finally {
    await local.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** `npm run bench:query`: local Athena against a plain Node scan of the same delivered objects. */
export const main = command(USAGE, bench);

runIfEntryPoint(import.meta.url, main);
