import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lib/config/load.js';
import type { PipelineConfigInput } from '../../../lib/config/schema.js';
import {
  estimateMonthlyCost,
  formatCostEstimate,
  PRICES_AS_OF,
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
      currency: 'USD',
      pricesAsOf: PRICES_AS_OF,
    });
    expect(estimate.ticksPerMonth).toBe(43_800);
    expect(line(estimate, 'EventBridge Scheduler')).toMatchObject({
      quantity: 43_800,
      unitPrice: UNIT_PRICES.schedulerPerMillionInvocations,
      monthlyUsd: 0.0438,
    });
    // One conditional write per ticker, of an item over 1 KB (its recent-events window): 2 units.
    expect(line(estimate, 'DynamoDB writes').quantity).toBe(43_800 * 5 * 2);
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

  it('says when the config region is not the one priced', () => {
    const estimate = estimateMonthlyCost(configOf({ region: 'us-east-1' }));
    expect(estimate.notes.at(-1)).toBe(
      "Your region is us-east-1; its prices may differ from eu-west-1's.",
    );
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
