import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dynamoTickerTable, firehoseRecordSink } from '../../functions/streaming/aws.js';
import { runTick } from '../../functions/streaming/tick.js';
import { addLatency, recordRequests, sequentialRoundTrips, spreadOf } from './measure.js';
import type { RequestRecord, Spread } from './measure.js';
import { naiveTick } from './naive.js';
import { createPipeline, localClients, tutorialTickers } from '../../local/pipeline.js';

/** Averages of one implementation at one size. */
export interface TickMeasure {
  msPerTick: number;
  ticksPerSecond: number;
  requestsPerTick: number;
  sequentialRoundTripsPerTick: number;
  billingUnitsPerTick: number;
}

/** Ours against the naive baseline at one number of tickers, and their ratios (naive / ours). */
export interface SizeResult {
  tickers: number;
  ticks: number;
  ours: TickMeasure;
  naive: TickMeasure;
  ratios: { speed: number; requests: number; sequentialRoundTrips: number; billingUnits: number };
}

/**
 * One number of tickers over several runs, each against a fresh local AWS: the median of each
 * figure, and the spread of the time per tick and of the speed ratio (naive / ours).
 */
export interface SizeSummary {
  tickers: number;
  ticks: number;
  runs: number;
  ours: TickMeasure;
  naive: TickMeasure;
  msPerTick: { ours: Spread; naive: Spread };
  ratios: { speed: Spread; requests: number; sequentialRoundTrips: number; billingUnits: number };
}

const medianOf = (values: number[]) => spreadOf(values).median;

function medianMeasure(measures: readonly TickMeasure[]): TickMeasure {
  const pick = (key: keyof TickMeasure) => medianOf(measures.map((measure) => measure[key]));
  return {
    msPerTick: pick('msPerTick'),
    ticksPerSecond: pick('ticksPerSecond'),
    requestsPerTick: pick('requestsPerTick'),
    sequentialRoundTripsPerTick: pick('sequentialRoundTripsPerTick'),
    billingUnitsPerTick: pick('billingUnitsPerTick'),
  };
}

/** Folds the results of several runs (each over the same sizes) into one summary per size. */
export function summariseRuns(runs: readonly (readonly SizeResult[])[]): SizeSummary[] {
  return runs[0]!.map((first, index) => {
    const results = runs.map((run) => run[index]!);
    const ratio = (key: keyof SizeResult['ratios']) => results.map((result) => result.ratios[key]);
    return {
      tickers: first.tickers,
      ticks: first.ticks,
      runs: results.length,
      ours: medianMeasure(results.map((result) => result.ours)),
      naive: medianMeasure(results.map((result) => result.naive)),
      msPerTick: {
        ours: spreadOf(results.map((result) => result.ours.msPerTick)),
        naive: spreadOf(results.map((result) => result.naive.msPerTick)),
      },
      ratios: {
        speed: spreadOf(ratio('speed')),
        requests: medianOf(ratio('requests')),
        sequentialRoundTrips: medianOf(ratio('sequentialRoundTrips')),
        billingUnits: medianOf(ratio('billingUnits')),
      },
    };
  });
}

/** A local AWS in its own process, so server and client do not share one event loop. */
async function startLocalAwsProcess(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-local-aws-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/local-aws.ts', '--port', '0', '--reset', '--state-dir', stateDir],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_NO_WARNINGS: '1' } },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) =>
      reject(new Error(`local AWS exited with status ${code}: ${output}`)),
    );
  });
  child.stdout!.resume();
  return {
    endpoint,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

function summarise(perTick: { ms: number; requests: RequestRecord[] }[]): TickMeasure {
  const count = perTick.length;
  const sum = (pick: (tick: (typeof perTick)[number]) => number) =>
    perTick.reduce((total, tick) => total + pick(tick), 0) / count;
  const msPerTick = sum((tick) => tick.ms);
  return {
    msPerTick,
    ticksPerSecond: 1000 / msPerTick,
    requestsPerTick: sum((tick) => tick.requests.length),
    sequentialRoundTripsPerTick: sum((tick) => sequentialRoundTrips(tick.requests)),
    billingUnitsPerTick: sum((tick) =>
      tick.requests.reduce((total, request) => total + request.billingUnits, 0),
    ),
  };
}

/** Runs `tick` `count` times after one warm-up, recording each tick's requests. */
async function measure(
  count: number,
  log: RequestRecord[],
  tick: (index: number) => Promise<unknown>,
) {
  await tick(-1);
  const ticks: { ms: number; requests: RequestRecord[] }[] = [];
  for (let index = 0; index < count; index++) {
    log.length = 0;
    const start = performance.now();
    await tick(index);
    ticks.push({ ms: performance.now() - start, requests: [...log] });
  }
  return summarise(ticks);
}

/** What to measure: sizes, ticks per size, modelled latency and repetitions. */
export interface BenchmarkOptions {
  sizes: readonly number[];
  ticksFor: (tickers: number) => number;
  /** Modelled network round trip added to every request (default 0: plain loopback). */
  latencyMs?: number;
  /** Whole repetitions, each against a fresh local AWS (default 1). */
  runs?: number;
  /** Told when each run starts, so a long benchmark shows it is alive. */
  progress?: (run: number, runs: number) => void;
}

/** Measures both implementations at each size, `runs` times, and summarises the runs. */
export async function benchmarkTicks(options: BenchmarkOptions): Promise<SizeSummary[]> {
  const { runs = 1, progress } = options;
  const results: SizeResult[][] = [];
  for (let run = 1; run <= runs; run++) {
    progress?.(run, runs);
    results.push(await benchmarkOnce(options));
  }
  return summariseRuns(results);
}

/** Measures both implementations at each size against a fresh local AWS. */
async function benchmarkOnce(options: BenchmarkOptions): Promise<SizeResult[]> {
  const { sizes, ticksFor, latencyMs = 0 } = options;
  const local = await startLocalAwsProcess();
  try {
    const results: SizeResult[] = [];
    for (const tickers of sizes) {
      const log: RequestRecord[] = [];
      const clients = localClients(local.endpoint);
      recordRequests(clients.dynamodb, log);
      recordRequests(clients.firehose, log);
      if (latencyMs > 0) {
        addLatency(clients.dynamodb, latencyMs);
        addLatency(clients.firehose, latencyMs);
      }
      const oursNames = {
        table: `ours-${tickers}`,
        deliveryStream: `ours-${tickers}`,
        bucket: `ours-${tickers}`,
      };
      const naiveNames = {
        table: `naive-${tickers}`,
        deliveryStream: `naive-${tickers}`,
        bucket: `naive-${tickers}`,
      };
      await createPipeline(clients, oursNames, tutorialTickers(tickers));
      await createPipeline(clients, naiveNames, tutorialTickers(tickers));
      const table = dynamoTickerTable(clients.dynamodb, oursNames.table);
      const sink = firehoseRecordSink(clients.firehose, oursNames.deliveryStream);
      const ticks = ticksFor(tickers);
      const ours = await measure(ticks, log, (index) =>
        runTick({ table, sink, eventId: `bench-${tickers}-${index}` }),
      );
      const naive = await measure(ticks, log, () => naiveTick(clients, naiveNames));
      results.push({
        tickers,
        ticks,
        ours,
        naive,
        ratios: {
          speed: ours.ticksPerSecond / naive.ticksPerSecond,
          requests: naive.requestsPerTick / ours.requestsPerTick,
          sequentialRoundTrips:
            naive.sequentialRoundTripsPerTick / ours.sequentialRoundTripsPerTick,
          billingUnits: naive.billingUnitsPerTick / ours.billingUnitsPerTick,
        },
      });
      clients.dynamodb.destroy();
      clients.firehose.destroy();
      clients.s3.destroy();
    }
    return results;
  } finally {
    await local.stop();
  }
}
