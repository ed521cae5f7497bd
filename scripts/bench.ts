import { measureBundles } from './bench/bundle.js';
import type { BundleMeasure } from './bench/bundle.js';
import { benchmarkTicks } from './bench/run.js';
import type { SizeResult, TickMeasure } from './bench/run.js';
import { parseOptions, runCli, UsageError } from './cli.js';

const USAGE = `Usage: npm run bench -- [--sizes 5,100,1000] [--ticks <n>] [--latency-ms <ms>] [--json]

Runs the streaming tick against a local AWS started for the run, side by side with a naive
baseline written the tutorial's way (scan, then one UpdateItem and one PutRecord per ticker, in
sequence), and measures each function's bundle: size, and time to load in a fresh Node process.
  --sizes <list>  numbers of tickers (default: 5,100,1000)
  --ticks <n>     ticks measured per size and implementation, after one warm-up
                  (default: 20 for up to 100 tickers, 3 above)
  --latency-ms <ms>  add this delay to every request of both implementations, to model
                  the network round trip to real AWS that loopback lacks (default: 0)
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

function row(cells: string[], widths: number[]): string {
  return cells
    .map((cell, index) =>
      index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!),
    )
    .join('  ');
}

function printTicks(results: readonly SizeResult[]): void {
  const header = [
    'tickers / impl',
    'ms/tick',
    'ticks/s',
    'requests/tick',
    'sequential RTs/tick',
    'billing units/tick',
  ];
  const widths = header.map((cell) => Math.max(cell.length, 10));
  console.log(row(header, widths));
  const line = (label: string, measure: TickMeasure) =>
    row(
      [
        label,
        fixed(measure.msPerTick),
        fixed(measure.ticksPerSecond, 2),
        fixed(measure.requestsPerTick),
        fixed(measure.sequentialRoundTripsPerTick),
        fixed(measure.billingUnitsPerTick),
      ],
      widths,
    );
  for (const result of results) {
    console.log(line(`${result.tickers} ours`, result.ours));
    console.log(line(`${result.tickers} naive`, result.naive));
    console.log(
      row(
        [
          `${result.tickers} naive/ours`,
          '',
          `${fixed(result.ratios.speed, 1)}x`,
          `${fixed(result.ratios.requests, 1)}x`,
          `${fixed(result.ratios.sequentialRoundTrips, 1)}x`,
          `${fixed(result.ratios.billingUnits, 1)}x`,
        ],
        widths,
      ),
    );
  }
}

function printBundles(bundles: readonly BundleMeasure[]): void {
  const header = [
    'function',
    'zip KiB',
    'index.mjs KiB',
    'load ms (bundle)',
    'load ms (SDK unbundled)',
    'ratio',
  ];
  const widths = header.map((cell) => cell.length);
  console.log(row(header, widths));
  for (const bundle of bundles) {
    console.log(
      row(
        [
          bundle.function,
          fixed(bundle.zipBytes / 1024),
          fixed(bundle.bundleBytes / 1024),
          fixed(bundle.loadMs),
          fixed(bundle.unbundledLoadMs),
          `${fixed(bundle.unbundledLoadMs / bundle.loadMs, 2)}x`,
        ],
        widths,
      ),
    );
  }
}

async function main(): Promise<number> {
  const options = parseOptions({
    sizes: { type: 'string', default: '5,100,1000' },
    ticks: { type: 'string' },
    'latency-ms': { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const sizes = parseSizes(options.sizes);
  const ticks = options.ticks === undefined ? undefined : Number(options.ticks);
  if (ticks !== undefined && (!Number.isInteger(ticks) || ticks < 1)) {
    throw new UsageError(
      `--ticks must be a whole number of 1 or more, not ${JSON.stringify(options.ticks)}`,
    );
  }
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
  });
  const bundles = await measureBundles();
  if (options.json) {
    console.log(JSON.stringify({ latencyMs, ticks: results, bundles }, null, 2));
  } else {
    const latency = latencyMs > 0 ? `, ${latencyMs} ms modelled latency per request` : '';
    console.log(
      `Streaming tick against local AWS${latency} (ratios: naive / ours, higher is better for ours)\n`,
    );
    printTicks(results);
    console.log('\nBundles (load = import time in a fresh Node process, median of 5)\n');
    printBundles(bundles);
  }
  return 0;
}

runCli(main, USAGE);
