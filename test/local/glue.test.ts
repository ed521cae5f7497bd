import {
  CreateDatabaseCommand,
  CreateTableCommand,
  DeleteDatabaseCommand,
  DeleteTableCommand,
  GetDatabasesCommand,
  GetTableCommand,
  GetTablesCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import { beforeAll, describe, expect, it } from 'vitest';
import { GlueService } from '../../local/glue/index.js';
import { tickerTableInput } from '../../lib/query/table.js';
import { useLocalAws } from '../support/localAws.js';
import { queryClients } from '../support/tickers.js';

const local = useLocalAws();

beforeAll(async () => {
  await queryClients().glue.send(
    new CreateDatabaseCommand({ DatabaseInput: { Name: 'Catalog_DB' } }),
  );
});

describe('local Glue', () => {
  it('keeps a table with its columns, SerDe, partition keys and projection parameters', async () => {
    const { glue } = queryClients();
    await glue.send(
      new CreateTableCommand({
        DatabaseName: 'catalog_db',
        TableInput: tickerTableInput('bucket-a'),
      }),
    );

    const { Table } = await glue.send(
      new GetTableCommand({ DatabaseName: 'catalog_db', Name: 'TICKERS' }),
    );

    expect(Table).toMatchObject({
      Name: 'tickers',
      DatabaseName: 'catalog_db',
      PartitionKeys: [{ Name: 'dt', Type: 'string' }],
      Parameters: { 'projection.enabled': 'true', 'projection.dt.format': 'yyyy/MM/dd/HH' },
      StorageDescriptor: {
        Location: 's3://bucket-a/tickers/',
        SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
      },
    });
    expect(Table?.CreateTime).toBeInstanceOf(Date);
  });

  it('lists databases and tables, matching tables by expression', async () => {
    const { glue } = queryClients();
    await glue.send(
      new CreateTableCommand({ DatabaseName: 'catalog_db', TableInput: { Name: 'other' } }),
    );

    const databases = await glue.send(new GetDatabasesCommand({}));
    const all = await glue.send(new GetTablesCommand({ DatabaseName: 'catalog_db' }));
    const matching = await glue.send(
      new GetTablesCommand({ DatabaseName: 'catalog_db', Expression: 'tick*' }),
    );

    expect(databases.DatabaseList?.map((database) => database.Name)).toEqual(['catalog_db']);
    expect(all.TableList?.map((table) => table.Name)).toEqual(['other', 'tickers']);
    expect(matching.TableList?.map((table) => table.Name)).toEqual(['tickers']);
  });

  it('updates a table in place', async () => {
    const { glue } = queryClients();
    const input = tickerTableInput('bucket-b');

    await glue.send(new UpdateTableCommand({ DatabaseName: 'catalog_db', TableInput: input }));
    const { Table } = await glue.send(
      new GetTableCommand({ DatabaseName: 'catalog_db', Name: 'tickers' }),
    );

    expect(Table?.StorageDescriptor?.Location).toBe('s3://bucket-b/tickers/');
  });

  it('refuses a second table of the same name', async () => {
    await expect(
      queryClients().glue.send(
        new CreateTableCommand({ DatabaseName: 'catalog_db', TableInput: { Name: 'other' } }),
      ),
    ).rejects.toMatchObject({ name: 'AlreadyExistsException' });
  });

  it('answers EntityNotFoundException for a table of a database that does not exist', async () => {
    await expect(
      queryClients().glue.send(new GetTableCommand({ DatabaseName: 'nowhere', Name: 'tickers' })),
    ).rejects.toMatchObject({ name: 'EntityNotFoundException' });
  });

  it('names the field of a bad table input', async () => {
    await expect(
      queryClients().glue.send(
        new CreateTableCommand({
          DatabaseName: 'catalog_db',
          TableInput: { Name: 'bad', StorageDescriptor: { Columns: [{ Name: '' }] } },
        }),
      ),
    ).rejects.toThrow(/TableInput\.StorageDescriptor\.Columns\[0\]\.Name is required/);
  });

  it('keeps the catalog on disk for the next start', async () => {
    const reloaded = new GlueService(local.instance().stateDir);

    await reloaded.start();

    expect(reloaded.tables('eu-west-1', 'catalog_db').map((table) => table.Name)).toEqual([
      'other',
      'tickers',
    ]);
  });

  it('deletes tables and databases', async () => {
    const { glue } = queryClients();

    await glue.send(new DeleteTableCommand({ DatabaseName: 'catalog_db', Name: 'other' }));
    await glue.send(new DeleteDatabaseCommand({ Name: 'catalog_db' }));
    const after = await glue.send(new GetDatabasesCommand({}));

    expect(after.DatabaseList).toEqual([]);
  });
});
