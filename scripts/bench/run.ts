import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dynamoTickerTable, firehoseRecordSink } from '../../functions/streaming/aws.js';
import { runTick } from '../../functions/streaming/tick.js';
import { addLatency, recordRequests, sequentialRoundTrips } from './measure.js';
import type { RequestRecord } from './measure.js';
import { naiveTick } from './naive.js';
import { createPipeline, localClients, tutorialTickers } from './resources.js';

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

/** Measures both implementations at each size against a fresh local AWS. */
export async function benchmarkTicks(options: {
  sizes: readonly number[];
  ticksFor: (tickers: number) => number;
  /** Modelled network round trip added to every request (default 0: plain loopback). */
  latencyMs?: number;
}): Promise<SizeResult[]> {
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
