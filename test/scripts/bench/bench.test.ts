import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run bench', () => {
  it('prints ours and the naive baseline side by side, with ratios and bundle numbers, as JSON', async () => {
    // Act
    const { stdout } = await run(
      'npx',
      ['tsx', 'scripts/bench.ts', '--sizes', '5', '--ticks', '1', '--json'],
      {
        env: { ...process.env, NODE_NO_WARNINGS: '1' },
      },
    );
    // Assess
    const report = JSON.parse(stdout);
    const [five] = report.ticks;
    expect(five).toMatchObject({ tickers: 5, ticks: 1 });
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
    expect(report.bundles.map((bundle: { function: string }) => bundle.function)).toEqual([
      'streaming',
      'notification',
    ]);
    for (const bundle of report.bundles) {
      expect(bundle.zipBytes).toBeGreaterThan(10_000);
      expect(bundle.loadMs).toBeGreaterThan(0);
      expect(bundle.unbundledLoadMs).toBeGreaterThan(0);
    }
  }, 120_000);

  it('exits 2 with the usage on a bad option', async () => {
    const error = await run('npx', ['tsx', 'scripts/bench.ts', '--sizes', 'many']).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--sizes must be whole numbers'),
    });
  });
});
