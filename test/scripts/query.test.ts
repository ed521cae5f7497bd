import { CreateWorkGroupCommand } from '@aws-sdk/client-athena';
import { beforeAll, describe, expect, it } from 'vitest';
import { deriveNames } from '../../lib/config/names.js';
import type { SampleObject } from '../../lib/query/sampleData.js';
import { hourPartition } from '../../lib/query/table.js';
import { main } from '../../scripts/query.js';
import { runMain, runScript } from '../support/cli.js';
import { useLocalAws } from '../support/localAws.js';
import { queryClients, seedTickers } from '../support/tickers.js';

const local = useLocalAws();
// The sample config's names: Kyle Maposa.
const names = deriveNames({ firstName: 'Kyle', lastName: 'Maposa' });
let objects: SampleObject[];

beforeAll(async () => {
  objects = await seedTickers(names.bucket, { database: names.glueDatabase });
  await queryClients().athena.send(
    new CreateWorkGroupCommand({
      Name: names.workGroup,
      Configuration: {
        ResultConfiguration: { OutputLocation: `s3://${names.bucket}/athena-results/` },
        EnforceWorkGroupConfiguration: true,
      },
    }),
  );
});

const records = () => objects.flatMap((object) => object.records);

describe('npm run query', () => {
  it('prints a table of the latest price per ticker and the bytes scanned', async () => {
    const result = await runMain(main, ['--named', 'latest-price']);

    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^tickername\s+price\s+version$/);
    expect(lines.slice(2).map((line) => line.split(/\s+/)[0])).toEqual(['AAA', 'BBB', 'CCC']);
    expect(result.stderr).toMatch(/3 rows; scanned \d+(\.\d)? kB in \d+ ms/);
    expect(result.stderr).toMatch(/query: SUCCEEDED after/);
  });

  it('prints JSON rows keyed by column with the bytes scanned', async () => {
    const result = await runMain(main, ['SELECT count(*) AS n FROM tickers', '--json']);
    const answer = JSON.parse(result.stdout) as { rows: { n: string }[]; dataScannedBytes: number };

    expect(answer.rows).toEqual([{ n: String(records().length) }]);
    expect(answer.dataScannedBytes).toBe(
      objects.reduce((sum, object) => sum + object.body.length, 0),
    );
  });

  it('prints CSV in Athena’s quoting', async () => {
    const result = await runMain(main, ["SELECT 'x' AS a, 1 AS b", '--csv']);

    expect(result.stdout).toBe('"a","b"\n"x","1"\n');
  });

  it('reads only the hours from --since on', async () => {
    const last = objects[objects.length - 1]!;
    const since = new Date(last.records[0]!.Timestamp);
    since.setUTCMinutes(0, 0, 0);
    const inHour = objects.filter((object) => object.key.includes(`/${hourPartition(since)}/`));

    const result = await runMain(main, [
      '--named',
      'hourly-stats',
      '--since',
      since.toISOString(),
      '--json',
    ]);
    const answer = JSON.parse(result.stdout) as {
      rows: { hour: string }[];
      dataScannedBytes: number;
    };

    expect(new Set(answer.rows.map((row) => row.hour))).toEqual(new Set([hourPartition(since)]));
    expect(answer.dataScannedBytes).toBe(
      inHour.reduce((sum, object) => sum + object.body.length, 0),
    );
  });

  it('finds no gaps in complete version chains', async () => {
    const result = await runMain(main, ['--named', 'version-gaps', '--json']);

    expect(JSON.parse(result.stdout)).toMatchObject({ rows: [] });
  });

  it('counts the records of each delivered object', async () => {
    const result = await runMain(main, ['--named', 'records-per-object', '--json']);
    const answer = JSON.parse(result.stdout) as { rows: { object: string; records: string }[] };

    expect(answer.rows).toEqual(
      objects.map((object) => ({
        object: `s3://${names.bucket}/${object.key}`,
        records: String(object.records.length),
      })),
    );
  });

  it('counts the records of only the objects of the hours --since and --until name', async () => {
    const hour = new Date(objects[1]!.records[0]!.Timestamp);
    const inHour = objects.filter((object) => object.key.includes(`/${hourPartition(hour)}/`));

    const result = await runMain(main, [
      '--named',
      'records-per-object',
      '--since',
      hour.toISOString(),
      '--until',
      hour.toISOString(),
      '--json',
    ]);
    const answer = JSON.parse(result.stdout) as {
      rows: { object: string; records: string }[];
      dataScannedBytes: number;
    };

    expect(inHour.length).toBeLessThan(objects.length);
    expect(answer.rows).toEqual(
      inHour.map((object) => ({
        object: `s3://${names.bucket}/${object.key}`,
        records: String(object.records.length),
      })),
    );
    expect(answer.dataScannedBytes).toBe(
      inHour.reduce((sum, object) => sum + object.body.length, 0),
    );
  });

  it('fails with Athena’s reason, without a stack trace, for an unknown column', async () => {
    const result = await runMain(main, ['SELECT nope FROM tickers']);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /FAILED: COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an unknown named query, listing the known ones', async () => {
    const result = await runMain(main, ['--named', 'nope']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /--named must be one of latest-price, hourly-stats, version-gaps, records-per-object/,
    );
  });

  it('runs as its own process behind npm run query', async () => {
    const result = await runScript('query.ts', ['SELECT count(*) AS n FROM tickers', '--csv'], {
      AWS_ENDPOINT_URL: local.endpoint(),
    });

    expect(result.stdout).toBe(`"n"\n"${records().length}"\n`);
    expect(result.code).toBe(0);
  });
});
