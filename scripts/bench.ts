import { measureBundles } from './bench/bundle.js';
import type { BundleMeasure } from './bench/bundle.js';
import { benchmarkTicks } from './bench/run.js';
import type { Spread } from './bench/measure.js';
import type { SizeSummary, TickMeasure } from './bench/run.js';
import { parseBenchOptions, wholeNumber } from './bench/options.js';
import { formatSpread, printTable } from './bench/report.js';
import { command, UsageError, runIfEntryPoint } from './cli.js';
import type { CliIo } from './cli.js';

const DEFAULT_RUNS = 3;
const DEFAULT_BUNDLE_LOADS = 5;

const USAGE = `Usage: npm run bench -- [--sizes 5,100,1000] [--ticks <n>] [--latency-ms <ms>] [--runs <n>] [--bundle-loads <n>] [--json]

Runs the streaming tick against a local AWS started for the run, side by side with a naive
baseline written the tutorial's way (scan, then one UpdateItem and one PutRecord per ticker, in
sequence), and measures each function's bundle: size, and time to load in a fresh Node process.
  --sizes <list>  numbers of tickers (default: 5,100,1000)
  --ticks <n>     ticks measured per size and implementation, after one warm-up
                  (default: 20 for up to 100 tickers, 3 above)
  --latency-ms <ms>  add this delay to every request of both implementations, to model
                  the network round trip to real AWS that loopback lacks (default: 0)
  --runs <n>      repeat the whole tick measurement n times, each against a fresh local AWS,
                  and print the median and the range (default: 3)
  --bundle-loads <n>  fresh Node processes that load each bundle, for its median and range
                  (default: 5)
  --json          print one JSON object instead of tables
Exit status: 0 measured, 1 failed, 2 bad command line.`;

function parseSizes(text: string): number[] {
  const sizes = text.split(',').map(Number);
  if (sizes.some((size) => !Number.isInteger(size) || size < 1 || size > 10_000)) {
    throw new UsageError(
      `--sizes must be whole numbers from 1 to 10000 separated by commas, not ${JSON.stringify(text)}`,
    );
  }
  return sizes;
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);

const spread = (value: Spread, digits = 1, unit = '') => formatSpread(value, { digits, unit });

function printTicks(io: CliIo, results: readonly SizeSummary[]): void {
  const line = (label: string, measure: TickMeasure, ms: Spread) => [
    label,
    spread(ms),
    fixed(measure.ticksPerSecond, 2),
    fixed(measure.requestsPerTick),
    fixed(measure.sequentialRoundTripsPerTick),
    fixed(measure.billingUnitsPerTick),
  ];
  printTable(io, [
    [
      'tickers / impl',
      'ms/tick',
      'ticks/s',
      'requests/tick',
      'sequential RTs/tick',
      'billing units/tick',
    ],
    ...results.flatMap((result) => [
      line(`${result.tickers} ours`, result.ours, result.msPerTick.ours),
      line(`${result.tickers} naive`, result.naive, result.msPerTick.naive),
      [
        `${result.tickers} naive/ours`,
        '',
        spread(result.ratios.speed, 1, 'x'),
        `${fixed(result.ratios.requests, 1)}x`,
        `${fixed(result.ratios.sequentialRoundTrips, 1)}x`,
        `${fixed(result.ratios.billingUnits, 1)}x`,
      ],
    ]),
  ]);
}

function printBundles(io: CliIo, bundles: readonly BundleMeasure[]): void {
  printTable(io, [
    ['function', 'zip KiB', 'index.mjs KiB', 'load ms (bundle)', 'load ms (SDK unbundled)'],
    ...bundles.map((bundle) => [
      bundle.function,
      fixed(bundle.zipBytes / 1024),
      fixed(bundle.bundleBytes / 1024),
      spread(bundle.loadMs, 0),
      spread(bundle.unbundledLoadMs, 0),
    ]),
  ]);
}

async function bench(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseBenchOptions(
    {
      sizes: { type: 'string', default: '5,100,1000' },
      ticks: { type: 'string' },
      'latency-ms': { type: 'string', default: '0' },
      runs: { type: 'string', default: String(DEFAULT_RUNS) },
      'bundle-loads': { type: 'string', default: String(DEFAULT_BUNDLE_LOADS) },
    },
    argv,
  );
  const sizes = parseSizes(options.sizes);
  const count = { min: 1, max: 1000 };
  const ticks =
    options.ticks === undefined ? undefined : wholeNumber(options.ticks, '--ticks', count);
  const runs = wholeNumber(options.runs, '--runs', count);
  const bundleLoads = wholeNumber(options['bundle-loads'], '--bundle-loads', count);
  const latencyMs = Number(options['latency-ms']);
  if (!Number.isFinite(latencyMs) || latencyMs < 0 || latencyMs > 1000) {
    throw new UsageError(
      `--latency-ms must be a number of milliseconds from 0 to 1000, not ${JSON.stringify(options['latency-ms'])}`,
    );
  }
  const results = await benchmarkTicks({
    sizes,
    ticksFor: (tickers) => ticks ?? (tickers <= 100 ? 20 : 3),
    latencyMs,
    runs,
    progress: (run, of) => io.stderr(`run ${run} of ${of}...`),
  });
  const bundles = await measureBundles(bundleLoads);
  if (options.json) {
    io.stdout(JSON.stringify({ latencyMs, runs, ticks: results, bundles }, null, 2));
  } else {
    const latency = latencyMs > 0 ? `, ${latencyMs} ms modelled latency per request` : '';
    io.stdout(
      `Streaming tick against local AWS${latency}: median of ${runs} run(s) (range); ratios: naive / ours, higher is better for ours\n`,
    );
    printTicks(io, results);
    io.stdout(
      `\nBundles (load = import time in a fresh Node process): median of ${bundleLoads} processes (range)\n`,
    );
    printBundles(io, bundles);
  }
  return 0;
}

/** `npm run bench`: ours against the naive baseline, and the bundles; exit 0 measured. */
export const main = command(USAGE, bench);

runIfEntryPoint(import.meta.url, main);
