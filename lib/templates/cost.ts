import type { PipelineConfig } from '../config/schema.js';

/** When the unit prices below were written down; AWS changes prices, so this is an estimate. */
export const PRICES_AS_OF = '2026-11-28';

/** The reference region: its prices stand in for a region that is not in {@link REGION_PRICES}. */
export const PRICE_REGION = 'eu-west-1';

/** On-demand list prices in USD of what one pipeline uses, before any free tier. */
export interface UnitPrices {
  schedulerPerMillionInvocations: number;
  lambdaPerMillionRequests: number;
  lambdaArmPerGbSecond: number;
  dynamoDbPerMillionWriteUnits: number;
  dynamoDbPerMillionReadUnits: number;
  dynamoDbPerGbMonth: number;
  firehosePerGbIngested: number;
  s3PerThousandPuts: number;
  s3PerGbMonth: number;
  logsPerGbIngested: number;
  athenaPerTbScanned: number;
}

/** Prices that are the same in every listed region. */
const EVERY_REGION = {
  schedulerPerMillionInvocations: 1.0,
  lambdaPerMillionRequests: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  athenaPerTbScanned: 5.0,
} as const;

/** us-east-1, us-east-2 and us-west-2 list the same prices. */
const US_REGIONS = {
  ...EVERY_REGION,
  dynamoDbPerMillionWriteUnits: 0.625,
  dynamoDbPerMillionReadUnits: 0.125,
  dynamoDbPerGbMonth: 0.25,
  firehosePerGbIngested: 0.029,
  s3PerThousandPuts: 0.005,
  s3PerGbMonth: 0.023,
  logsPerGbIngested: 0.5,
} as const;

/**
 * Unit prices of the commonly used regions, with eu-west-1 as the reference. Source: the AWS
 * pricing pages (aws.amazon.com/<service>/pricing), written down on {@link PRICES_AS_OF} from
 * what they listed (DynamoDB on-demand after its November 2024 price cut); they were NOT checked
 * against a live price list (the AWS Price List API) when written, so check them before relying
 * on a cent. SNS is not here: it only mails on failures, which the estimate leaves out.
 */
export const REGION_PRICES = {
  'eu-west-1': {
    ...EVERY_REGION,
    dynamoDbPerMillionWriteUnits: 0.7068,
    dynamoDbPerMillionReadUnits: 0.1415,
    dynamoDbPerGbMonth: 0.283,
    firehosePerGbIngested: 0.031,
    s3PerThousandPuts: 0.005,
    s3PerGbMonth: 0.023,
    logsPerGbIngested: 0.57,
  },
  'us-east-1': US_REGIONS,
  'us-east-2': US_REGIONS,
  'us-west-2': US_REGIONS,
  'eu-central-1': {
    ...EVERY_REGION,
    dynamoDbPerMillionWriteUnits: 0.7625,
    dynamoDbPerMillionReadUnits: 0.1525,
    dynamoDbPerGbMonth: 0.306,
    firehosePerGbIngested: 0.034,
    s3PerThousandPuts: 0.0054,
    s3PerGbMonth: 0.0245,
    logsPerGbIngested: 0.63,
  },
  'eu-west-2': {
    ...EVERY_REGION,
    dynamoDbPerMillionWriteUnits: 0.7425,
    dynamoDbPerMillionReadUnits: 0.1485,
    dynamoDbPerGbMonth: 0.297,
    firehosePerGbIngested: 0.033,
    s3PerThousandPuts: 0.0053,
    s3PerGbMonth: 0.024,
    logsPerGbIngested: 0.5985,
  },
  'ap-southeast-1': {
    ...EVERY_REGION,
    dynamoDbPerMillionWriteUnits: 0.7115,
    dynamoDbPerMillionReadUnits: 0.1423,
    dynamoDbPerGbMonth: 0.285,
    firehosePerGbIngested: 0.036,
    s3PerThousandPuts: 0.005,
    s3PerGbMonth: 0.025,
    logsPerGbIngested: 0.7,
  },
  'ap-northeast-1': {
    ...EVERY_REGION,
    dynamoDbPerMillionWriteUnits: 0.7135,
    dynamoDbPerMillionReadUnits: 0.1427,
    dynamoDbPerGbMonth: 0.285,
    firehosePerGbIngested: 0.036,
    s3PerThousandPuts: 0.0047,
    s3PerGbMonth: 0.025,
    logsPerGbIngested: 0.76,
  },
} as const satisfies Record<string, UnitPrices>;

/** The reference region's unit prices. */
export const UNIT_PRICES: UnitPrices = REGION_PRICES[PRICE_REGION];

/** The unit prices for `region`, and the region they are for (the reference when it is not listed). */
export function pricesFor(region: string): { region: string; prices: UnitPrices } {
  const listed = (REGION_PRICES as Record<string, UnitPrices>)[region];
  return listed ? { region, prices: listed } : { region: PRICE_REGION, prices: UNIT_PRICES };
}

/** What the estimate assumes about one tick; change these when the functions change. */
export const TICK_ASSUMPTIONS = {
  /** The streaming function's memory, as in cloudformation/pipeline.yaml. */
  memoryMb: 256,
  /** Fixed time per tick plus time per ticker, in milliseconds. */
  baseMs: 120,
  perTickerMs: 0.5,
  /** One JSON line per ticker sent to Firehose, and one DynamoDB item per ticker. */
  lineBytes: 110,
  /**
   * A ticker item holds its price and version, and the change each of its last 16 events made
   * (functions/streaming/ticker.ts): about 630 bytes once the window is full, and under 1 KB
   * even at its largest (test/functions/streaming/itemSize.test.ts), so one write unit a write.
   */
  itemBytes: 700,
  /** One conditional write per ticker; idempotency lives on the items, so nothing more. */
  extraWritesPerTick: 0,
  /** Application log lines per tick (platform logs are at WARN, so only errors add to this). */
  logBytesPerTick: 1024,
} as const;

const MINUTES_PER_MONTH = 43_800; // 365 days / 12
const GB = 1024 ** 3;
const FIREHOSE_BILLING_STEP = 5 * 1024; // Firehose bills each record in 5 KB steps.
const DYNAMODB_ITEM_OVERHEAD = 100; // DynamoDB stores 100 bytes of index data with each item.

/** One line of the estimate: how much of what, at which unit price. */
export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  unitPrice: number;
  priceUnit: string;
  monthlyUsd: number;
}

/** A month of the pipeline running as configured, priced with {@link REGION_PRICES}. */
export interface CostEstimate {
  /** The config's region. */
  region: string;
  /** The region whose prices were used: `region`, or the reference when it is not listed. */
  priceRegion: string;
  currency: 'USD';
  pricesAsOf: string;
  ticksPerMonth: number;
  lines: CostLine[];
  totalUsd: number;
  notes: string[];
}

/** Queries a month the estimate assumes, each over the whole month's data (no partition filter). */
export const ATHENA_QUERIES_PER_MONTH = 100;
/** Athena bills at least 10 MB a query. */
const ATHENA_MIN_BYTES = 10_000_000;

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** Estimates the monthly cost of a configured pipeline (schedule, tickers, buffering). */
export function estimateMonthlyCost(config: PipelineConfig): CostEstimate {
  const a = TICK_ASSUMPTIONS;
  const { region: priceRegion, prices: p } = pricesFor(config.region);
  const tickers = config.tickers.length;
  const ticks = Math.floor(MINUTES_PER_MONTH / config.scheduleMinutes);
  const seconds = (a.baseMs + a.perTickerMs * tickers) / 1000;
  const bytesPerTick = tickers * a.lineBytes;
  const billedBytesPerTick =
    Math.ceil(bytesPerTick / FIREHOSE_BILLING_STEP) * FIREHOSE_BILLING_STEP;
  // A buffer shorter than the schedule's interval writes one object per tick; longer, one per buffer.
  const objects =
    config.deliveryBufferSeconds < config.scheduleMinutes * 60
      ? ticks
      : Math.floor((MINUTES_PER_MONTH * 60) / config.deliveryBufferSeconds);
  const storedGb = (ticks * bytesPerTick) / GB;

  const line = (
    item: string,
    quantity: number,
    unit: string,
    unitPrice: number,
    priceUnit: string,
    perUnits: number,
  ): CostLine => ({
    item,
    quantity: round(quantity, 6),
    unit,
    unitPrice,
    priceUnit,
    monthlyUsd: round((quantity / perUnits) * unitPrice, 4),
  });
  const lines: CostLine[] = [
    line(
      'EventBridge Scheduler invocations',
      ticks,
      'invocations',
      p.schedulerPerMillionInvocations,
      'per million',
      1e6,
    ),
    line(
      'Lambda requests (streaming)',
      ticks,
      'requests',
      p.lambdaPerMillionRequests,
      'per million',
      1e6,
    ),
    line(
      'Lambda duration (arm64)',
      ticks * seconds * (a.memoryMb / 1024),
      'GB-seconds',
      p.lambdaArmPerGbSecond,
      'per GB-second',
      1,
    ),
    line(
      'DynamoDB reads (scan)',
      ticks * Math.max(1, Math.ceil((tickers * a.itemBytes) / 4096)),
      'read units',
      p.dynamoDbPerMillionReadUnits,
      'per million',
      1e6,
    ),
    line(
      'DynamoDB writes',
      ticks * (tickers * Math.ceil(a.itemBytes / 1024) + a.extraWritesPerTick),
      'write units',
      p.dynamoDbPerMillionWriteUnits,
      'per million',
      1e6,
    ),
    line(
      'DynamoDB storage',
      (tickers * (a.itemBytes + DYNAMODB_ITEM_OVERHEAD)) / 1024 ** 2,
      'MB-months',
      p.dynamoDbPerGbMonth,
      'per GB-month',
      1024,
    ),
    line(
      'Firehose ingestion (5 KB steps)',
      (ticks * billedBytesPerTick) / GB,
      'GB',
      p.firehosePerGbIngested,
      'per GB',
      1,
    ),
    line(
      'S3 PUT requests (objects written)',
      objects,
      'requests',
      p.s3PerThousandPuts,
      'per 1,000',
      1000,
    ),
    line(
      'S3 storage (average over the first month)',
      storedGb / 2,
      'GB-months',
      p.s3PerGbMonth,
      'per GB-month',
      1,
    ),
    line(
      `Athena scans (${ATHENA_QUERIES_PER_MONTH} queries over a month of data)`,
      (ATHENA_QUERIES_PER_MONTH * Math.max(ATHENA_MIN_BYTES, ticks * bytesPerTick)) / 1e12,
      'TB',
      p.athenaPerTbScanned,
      'per TB scanned',
      1,
    ),
    line(
      'CloudWatch Logs ingestion',
      (ticks * a.logBytesPerTick) / GB,
      'GB',
      p.logsPerGbIngested,
      'per GB',
      1,
    ),
  ];
  const notes = [
    `An estimate with ${priceRegion} list prices as of ${PRICES_AS_OF}, before free tiers (which cover most of it in a new account); check aws.amazon.com/pricing.`,
    `Assumes ${tickers} ticker(s), a tick every ${config.scheduleMinutes} minute(s) (${ticks} a month), about ${Math.round(seconds * 1000)} ms per tick at ${a.memoryMb} MB, and no failures (alert emails and the notification function cost nothing until one happens).`,
    'S3 storage grows each month the pipeline runs; log storage is a fraction of a cent.',
    `Athena costs nothing while idle; each query bills at least 10 MB, and a WHERE on dt (the hour) scans only those hours. Glue's catalog is free for the first million objects.`,
  ];
  if (priceRegion !== config.region)
    notes.push(
      `Prices for ${config.region} are not in the table; shown with ${priceRegion}'s, and ${config.region}'s differ.`,
    );
  return {
    region: config.region,
    priceRegion,
    currency: 'USD',
    pricesAsOf: PRICES_AS_OF,
    ticksPerMonth: ticks,
    lines,
    totalUsd: round(
      lines.reduce((sum, each) => sum + each.monthlyUsd, 0),
      2,
    ),
    notes,
  };
}

/** Renders the estimate as a table with its unit prices, for a terminal or a job summary. */
export function formatCostEstimate(estimate: CostEstimate): string {
  const rows = estimate.lines.map((each) => [
    each.item,
    `${each.quantity.toLocaleString('en-US', { maximumFractionDigits: 4 })} ${each.unit}`,
    `$${each.unitPrice} ${each.priceUnit}`,
    `$${each.monthlyUsd.toFixed(4)}`,
  ]);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  const table = rows
    .map(
      (row) =>
        `  ${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padStart(widths[1]!)}  ${row[2]!.padEnd(widths[2]!)}  ${row[3]}`,
    )
    .join('\n');
  return [
    `Estimated monthly cost: about $${estimate.totalUsd.toFixed(2)} (USD, ${estimate.priceRegion} prices as of ${estimate.pricesAsOf})`,
    table,
    ...estimate.notes.map((note) => `  ${note}`),
  ].join('\n');
}
