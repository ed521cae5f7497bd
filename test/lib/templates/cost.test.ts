import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../lib/config/load.js';
import type { PipelineConfigInput } from '../../../lib/config/schema.js';
import {
  estimateMonthlyCost,
  formatCostEstimate,
  PRICES_AS_OF,
  REGION_PRICES,
  UNIT_PRICES,
} from '../../../lib/templates/cost.js';

function configOf(overrides: Partial<PipelineConfigInput> = {}) {
  return parseConfig(
    JSON.stringify({
      firstName: 'Kyle',
      lastName: 'Maposa',
      alertEmails: ['kyle@maposa.dev'],
      bucketReadAccess: 'private',
      ...overrides,
    }),
  );
}

const line = (estimate: ReturnType<typeof estimateMonthlyCost>, start: string) =>
  estimate.lines.find((each) => each.item.startsWith(start))!;

describe('estimateMonthlyCost', () => {
  it('prices a tick a minute for the tutorial tickers, with its unit prices and date', () => {
    // Act
    const estimate = estimateMonthlyCost(configOf());

    // Assess
    expect(estimate).toMatchObject({
      region: 'eu-west-1',
      priceRegion: 'eu-west-1',
      currency: 'USD',
      pricesAsOf: PRICES_AS_OF,
    });
    expect(estimate.ticksPerMonth).toBe(43_800);
    expect(line(estimate, 'EventBridge Scheduler')).toMatchObject({
      quantity: 43_800,
      unitPrice: UNIT_PRICES.schedulerPerMillionInvocations,
      monthlyUsd: 0.0438,
    });
    // One conditional write per ticker, of an item under 1 KB even with its full window: 1 unit.
    expect(line(estimate, 'DynamoDB writes').quantity).toBe(43_800 * 5);
    const sum = estimate.lines.reduce((total, each) => total + each.monthlyUsd, 0);
    expect(estimate.totalUsd).toBeCloseTo(sum, 2);
    expect(estimate.totalUsd).toBeGreaterThan(0.1);
    expect(estimate.totalUsd).toBeLessThan(5);
  });

  it('scales with the schedule, the tickers and the buffering', () => {
    // Prepare
    const base = estimateMonthlyCost(configOf());

    // Act
    const slower = estimateMonthlyCost(configOf({ scheduleMinutes: 10 }));
    const manyTickers = estimateMonthlyCost(
      configOf({ tickers: Array.from({ length: 1000 }, (_, i) => ({ name: `T${i}`, price: 1 })) }),
    );
    const longBuffer = estimateMonthlyCost(
      configOf({ deliveryBufferSeconds: 600, scheduleMinutes: 1 }),
    );

    // Assess
    expect(slower.ticksPerMonth).toBe(4380);
    expect(slower.totalUsd).toBeLessThan(base.totalUsd);
    expect(line(manyTickers, 'Firehose').quantity).toBeGreaterThan(
      line(base, 'Firehose').quantity * 20,
    );
    // A ten-minute buffer collects ten ticks into one object.
    expect(line(longBuffer, 'S3 PUT').quantity).toBe(4380);
    expect(line(base, 'S3 PUT').quantity).toBe(43_800);
  });

  it('prices a listed region with its own prices', () => {
    const estimate = estimateMonthlyCost(configOf({ region: 'us-east-1' }));
    expect(estimate).toMatchObject({ region: 'us-east-1', priceRegion: 'us-east-1' });
    expect(line(estimate, 'DynamoDB writes').unitPrice).toBe(
      REGION_PRICES['us-east-1'].dynamoDbPerMillionWriteUnits,
    );
    expect(line(estimate, 'CloudWatch Logs').unitPrice).toBe(
      REGION_PRICES['us-east-1'].logsPerGbIngested,
    );
    expect(estimate.notes.join(' ')).not.toContain('not in the table');
  });

  it('says plainly when a region is not in the table and whose prices are shown', () => {
    const estimate = estimateMonthlyCost(configOf({ region: 'sa-east-1' }));
    expect(estimate).toMatchObject({ region: 'sa-east-1', priceRegion: 'eu-west-1' });
    expect(estimate.notes.at(-1)).toBe(
      "Prices for sa-east-1 are not in the table; shown with eu-west-1's, and sa-east-1's differ.",
    );
    expect(formatCostEstimate(estimate)).toContain('(USD, eu-west-1 prices as of');
  });

  it('prices every unit in every listed region', () => {
    for (const [region, prices] of Object.entries(REGION_PRICES)) {
      for (const [unit, price] of Object.entries(prices))
        expect(price, `${region} ${unit}`).toBeGreaterThan(0);
      expect(Object.keys(prices).sort(), region).toEqual(Object.keys(UNIT_PRICES).sort());
    }
  });

  it('costs the sample config under 0.50 USD a month', async () => {
    const estimate = estimateMonthlyCost(await loadConfig('pipeline.config.json'));
    expect(estimate.totalUsd).toBeLessThan(0.5);
  });

  it('prints the total, each unit price and that it is an estimate', () => {
    const text = formatCostEstimate(estimateMonthlyCost(configOf()));
    expect(text).toMatch(
      /^Estimated monthly cost: about \$\d+\.\d\d \(USD, eu-west-1 prices as of /,
    );
    expect(text).toContain('$0.7068 per million');
    expect(text).toContain('An estimate with eu-west-1 list prices');
  });
});

describe('estimateMonthlyCost: Athena', () => {
  it('prices the assumed queries at the price per TB, each at least 10 MB', () => {
    const estimate = estimateMonthlyCost(configOf());
    const athena = line(estimate, 'Athena scans');

    // 100 queries of at least 10 MB: at least 0.001 TB.
    expect(athena.quantity).toBeGreaterThanOrEqual(0.001);
    expect(athena.unitPrice).toBe(UNIT_PRICES.athenaPerTbScanned);
    expect(athena.monthlyUsd).toBeCloseTo(athena.quantity * athena.unitPrice, 4);
  });
});
