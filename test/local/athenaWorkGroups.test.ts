import {
  CreateWorkGroupCommand,
  DeleteWorkGroupCommand,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetWorkGroupCommand,
  ListQueryExecutionsCommand,
  ListWorkGroupsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalAws } from '../support/localAws.js';
import { queryClients, seedTickers, TEST_DATABASE } from '../support/tickers.js';

useLocalAws();
const BUCKET = 'workgroup-data';
const RESULTS = `s3://${BUCKET}/athena-results/`;

/** Starts a query and polls until it leaves QUEUED and RUNNING; answers the execution. */
async function finished(sql: string, workGroup = 'primary') {
  const { athena } = queryClients();
  const { QueryExecutionId } = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: workGroup,
      QueryExecutionContext: { Database: TEST_DATABASE },
      ResultConfiguration: { OutputLocation: RESULTS },
    }),
  );
  for (;;) {
    const { QueryExecution } = await athena.send(
      new GetQueryExecutionCommand({ QueryExecutionId }),
    );
    const state = QueryExecution?.Status?.State;
    if (state !== 'QUEUED' && state !== 'RUNNING') return QueryExecution!;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  // Over 10 MB, Athena's smallest bytes-scanned cutoff, in objects of 10,000 records.
  await seedTickers(BUCKET, { records: 90_000, recordsPerObject: 10_000, spacingMs: 100 });
}, 60_000);

describe('local Athena results', () => {
  it('pages a 10,000-row result 1,000 rows at a time, the header row first', async () => {
    const { athena } = queryClients();
    const execution = await finished(
      "SELECT tickername, version FROM tickers WHERE tickername = 'AAA' ORDER BY version LIMIT 10000",
    );
    const rows: (string | undefined)[][] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await athena.send(
        new GetQueryResultsCommand({
          QueryExecutionId: execution.QueryExecutionId,
          MaxResults: 1000,
          NextToken: token,
        }),
      );
      rows.push(
        ...(page.ResultSet?.Rows ?? []).map((row) => (row.Data ?? []).map((d) => d.VarCharValue)),
      );
      token = page.NextToken;
      pages++;
    } while (token);

    expect(pages).toBe(11);
    expect(rows[0]).toEqual(['tickername', 'version']);
    expect(rows).toHaveLength(10_001);
    expect(rows.slice(1).map((row) => Number(row[1]))).toEqual(
      Array.from({ length: 10_000 }, (_, index) => index + 1),
    );
  });

  it('refuses more than 1,000 rows a page', async () => {
    const { athena } = queryClients();
    const execution = await finished('SELECT 1');

    await expect(
      athena.send(
        new GetQueryResultsCommand({
          QueryExecutionId: execution.QueryExecutionId,
          MaxResults: 1001,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidRequestException' });
  });

  it('writes the results as <QueryExecutionId>.csv to the output location', async () => {
    const execution = await finished(
      "SELECT 'a\"b' AS quoted, CAST(NULL AS varchar) AS empty, 2 AS n",
    );
    const { s3 } = queryClients();

    const object = await s3.send(
      new GetObjectCommand({
        Bucket: BUCKET,
        Key: `athena-results/${execution.QueryExecutionId}.csv`,
      }),
    );

    expect(execution.ResultConfiguration?.OutputLocation).toBe(
      `${RESULTS}${execution.QueryExecutionId}.csv`,
    );
    expect(await object.Body?.transformToString()).toBe('"quoted","empty","n"\n"a""b",,"2"\n');
  });
});

describe('local Athena workgroups', () => {
  it('creates, describes, lists and deletes a workgroup with its configuration', async () => {
    const { athena } = queryClients();
    await athena.send(
      new CreateWorkGroupCommand({
        Name: 'analysts',
        Description: 'ad hoc',
        Configuration: {
          ResultConfiguration: {
            OutputLocation: RESULTS,
            EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
          },
          EnforceWorkGroupConfiguration: true,
          BytesScannedCutoffPerQuery: 50_000_000,
        },
      }),
    );

    const got = await athena.send(new GetWorkGroupCommand({ WorkGroup: 'analysts' }));
    const listed = await athena.send(new ListWorkGroupsCommand({}));
    await athena.send(new DeleteWorkGroupCommand({ WorkGroup: 'analysts' }));
    const after = await athena.send(new ListWorkGroupsCommand({}));

    expect(got.WorkGroup).toMatchObject({
      Name: 'analysts',
      State: 'ENABLED',
      Configuration: {
        ResultConfiguration: { OutputLocation: RESULTS },
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 50_000_000,
      },
    });
    expect(listed.WorkGroups?.map((group) => group.Name)).toEqual(['analysts', 'primary']);
    expect(after.WorkGroups?.map((group) => group.Name)).toEqual(['primary']);
  });

  it('refuses a bytes-scanned cutoff under 10 MB, naming the field', async () => {
    const { athena } = queryClients();

    await expect(
      athena.send(
        new CreateWorkGroupCommand({
          Name: 'tiny',
          Configuration: { BytesScannedCutoffPerQuery: 1000 },
        }),
      ),
    ).rejects.toThrow(/BytesScannedCutoffPerQuery/);
  });

  it('cancels a query that would scan more than the workgroup’s cutoff', async () => {
    const { athena } = queryClients();
    await athena.send(
      new CreateWorkGroupCommand({
        Name: 'capped',
        Configuration: { BytesScannedCutoffPerQuery: 10_000_000 },
      }),
    );

    const execution = await finished('SELECT count(*) FROM tickers', 'capped');

    expect(execution.Status?.State).toBe('CANCELLED');
    expect(execution.Status?.StateChangeReason).toMatch(/Bytes scanned limit was exceeded/);
  });

  it('lists a workgroup’s query executions, newest first', async () => {
    const { athena } = queryClients();
    await athena.send(new CreateWorkGroupCommand({ Name: 'history' }));
    const first = await finished('SELECT 1', 'history');
    const second = await finished('SELECT 2', 'history');

    const listed = await athena.send(new ListQueryExecutionsCommand({ WorkGroup: 'history' }));

    expect(listed.QueryExecutionIds).toEqual([second.QueryExecutionId, first.QueryExecutionId]);
  });

  it('demands an output location when neither the request nor the workgroup gives one', async () => {
    const { athena } = queryClients();

    await expect(
      athena.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1' })),
    ).rejects.toThrow(/No output location provided/);
  });
});
