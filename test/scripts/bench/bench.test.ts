import { describe, expect, it } from 'vitest';
import { main } from '../../../scripts/bench.js';
import { runMain, runScript } from '../../support/cli.js';

describe('npm run bench', () => {
  it('prints ours and the naive baseline side by side, with ratios and bundle numbers, as JSON', async () => {
    // Act
    const { code, stdout } = await runScript('bench.ts', [
      '--sizes',
      '5',
      '--ticks',
      '1',
      '--runs',
      '1',
      '--bundle-loads',
      '1',
      '--json',
    ]);
    // Assess
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.runs).toBe(1);
    const [five] = report.ticks;
    expect(five).toMatchObject({ tickers: 5, ticks: 1, runs: 1 });
    expect(five.ours).toMatchObject({
      requestsPerTick: 7,
      sequentialRoundTripsPerTick: 3,
      billingUnitsPerTick: 1,
    });
    expect(five.naive).toMatchObject({
      requestsPerTick: 11,
      sequentialRoundTripsPerTick: 11,
      billingUnitsPerTick: 5,
    });
    expect(five.ratios.billingUnits).toBe(5);
    expect(five.ratios.speed.min).toBe(five.ratios.speed.max);
    expect(report.bundles.map((bundle: { function: string }) => bundle.function)).toEqual([
      'streaming',
      'notification',
    ]);
    for (const bundle of report.bundles) {
      expect(bundle.zipBytes).toBeGreaterThan(10_000);
      expect(bundle.loadMs.min).toBeGreaterThan(0);
      expect(bundle.loadMs.median).toBeGreaterThanOrEqual(bundle.loadMs.min);
      expect(bundle.loadMs.max).toBeGreaterThanOrEqual(bundle.loadMs.median);
      expect(bundle.unbundledLoadMs.min).toBeGreaterThan(0);
    }
  }, 120_000);

  it('exits 2 with the usage on bad sizes', async () => {
    const { code, stderr } = await runMain(main, ['--sizes', 'many']);
    expect(code).toBe(2);
    expect(stderr).toContain('--sizes must be whole numbers');
    expect(stderr).toContain('Usage: npm run bench');
  });

  it('exits 2 naming --runs when it is not a whole number', async () => {
    const { code, stderr } = await runMain(main, ['--runs', '0']);
    expect(code).toBe(2);
    expect(stderr).toContain('--runs must be a whole number from 1 to 1000, not "0"');
  });
});
