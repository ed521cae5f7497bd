import { describe, expect, it } from 'vitest';
import { main } from '../../../scripts/bench-query.js';
import { runMain } from '../../support/cli.js';

describe('npm run bench:query', () => {
  it('answers both queries through local Athena and the Node scan alike, reports the one-hour filter and repeats both from the cache', async () => {
    // Act: a small run (four objects over a day) through the whole benchmark.
    const { code, stdout, stderr } = await runMain(main, ['--records', '20000', '--json']);
    // Assess
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ records: 20000, objects: 4 });
    expect(report.latestPrice.first.rows).toBe(report.latestPrice.nodeScan.rows);
    expect(report.hourlyAggregate.first.rows).toBe(report.hourlyAggregate.nodeScan.rows);
    expect(report.latestPrice.first.scannedBytes).toBe(report.bytes);
    // Repeated runs read a Parquet copy of every object, billed as the objects' stored bytes.
    expect(report.cache.files).toBe(4);
    expect(report.latestPrice.repeated.rows).toBe(report.latestPrice.first.rows);
    expect(report.hourlyAggregate.repeated.scannedBytes).toBe(report.bytes);
    expect(report.hourlyAggregate.whileCaching.rows).toBe(report.hourlyAggregate.first.rows);
    // The partition filter reads one hour's objects of the day's.
    expect(report.hourlyAggregateOneHour.scannedBytes).toBeGreaterThan(0);
    expect(report.hourlyAggregateOneHour.scannedBytes).toBeLessThan(report.bytes);
  });

  it('refuses a --records that is not a whole number, naming it', async () => {
    const { code, stderr } = await runMain(main, ['--records', 'many']);
    expect(code).toBe(2);
    expect(stderr).toContain('--records must be a whole number of at least 1, not "many"');
  });
});
