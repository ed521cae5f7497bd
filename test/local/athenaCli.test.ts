import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tickerTableInput } from '../../lib/query/table.js';
import { useAwsCli } from '../support/awsCli.js';
import { useLocalAws } from '../support/localAws.js';
import { useTempDir } from '../support/tempDir.js';

const local = useLocalAws();
const aws = useAwsCli(local.endpoint);
const temp = useTempDir('athena-cli-');

describe('the AWS CLI against local Glue and Athena', () => {
  it('creates a table, runs a query over delivered lines and reads its results', async () => {
    const line = (ticker: string, price: number, version: number) =>
      `${JSON.stringify({ TickerName: ticker, Price: price, PreviousPrice: 1, Version: version, Timestamp: '2026-01-01T00:00:00.000Z' })}\n`;
    const hour = new Date(Date.now() - 3_600_000);
    const pad = (value: number) => String(value).padStart(2, '0');
    const folder = `${hour.getUTCFullYear()}/${pad(hour.getUTCMonth() + 1)}/${pad(hour.getUTCDate())}/${pad(hour.getUTCHours())}`;
    const body = join(await temp(), 'object');
    await writeFile(body, line('AAA', 10, 1) + line('AAA', 12.5, 2) + line('BBB', 7, 1));
    await aws(
      's3api',
      'create-bucket',
      '--bucket',
      'cli-data',
      '--create-bucket-configuration',
      'LocationConstraint=eu-west-1',
    );
    await aws(
      's3api',
      'put-object',
      '--bucket',
      'cli-data',
      '--key',
      `tickers/${folder}/stream-1-x`,
      '--body',
      body,
    );
    await aws('glue', 'create-database', '--database-input', 'Name=cli_db');
    await aws(
      'glue',
      'create-table',
      '--database-name',
      'cli_db',
      '--table-input',
      JSON.stringify(tickerTableInput('cli-data')),
    );

    const { QueryExecutionId } = JSON.parse(
      await aws(
        'athena',
        'start-query-execution',
        '--query-string',
        'SELECT tickername, max_by(price, version) AS price FROM tickers GROUP BY tickername ORDER BY 1',
        '--query-execution-context',
        'Database=cli_db',
        '--result-configuration',
        'OutputLocation=s3://cli-data/athena-results/',
      ),
    ) as { QueryExecutionId: string };
    let state = 'QUEUED';
    let execution:
      { Status: { State: string }; Statistics: { DataScannedInBytes: number } } | undefined;
    while (state === 'QUEUED' || state === 'RUNNING') {
      execution = (
        JSON.parse(
          await aws('athena', 'get-query-execution', '--query-execution-id', QueryExecutionId),
        ) as { QueryExecution: NonNullable<typeof execution> }
      ).QueryExecution;
      state = execution.Status.State;
    }
    const results = JSON.parse(
      await aws('athena', 'get-query-results', '--query-execution-id', QueryExecutionId),
    ) as { ResultSet: { Rows: { Data: { VarCharValue?: string }[] }[] } };

    expect(state).toBe('SUCCEEDED');
    expect(execution?.Statistics.DataScannedInBytes).toBeGreaterThan(0);
    expect(
      results.ResultSet.Rows.map((row) => row.Data.map((datum) => datum.VarCharValue)),
    ).toEqual([
      ['tickername', 'price'],
      ['AAA', '12.5'],
      ['BBB', '7.0'],
    ]);
  });

  it('answers an unknown table as Glue’s EntityNotFoundException', async () => {
    await expect(
      aws('glue', 'get-table', '--database-name', 'cli_db', '--name', 'missing'),
    ).rejects.toThrow(/EntityNotFoundException/);
  });
});
