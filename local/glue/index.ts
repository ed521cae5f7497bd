import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { AwsError, serveJsonOperation } from '../http.js';
import { JsonFile } from '../state.js';

/** A Glue column: name, Hive type (`string`, `double`, `bigint`...), optional comment. */
export interface GlueColumn {
  Name: string;
  Type?: string;
  Comment?: string;
}

/** A table as Glue stores it (the fields local Athena reads are typed; the rest kept as sent). */
export interface GlueTable {
  Name: string;
  DatabaseName: string;
  Description?: string;
  TableType?: string;
  StorageDescriptor?: {
    Location?: string;
    Columns?: GlueColumn[];
    InputFormat?: string;
    OutputFormat?: string;
    SerdeInfo?: { SerializationLibrary?: string; Parameters?: Record<string, string> };
    [field: string]: unknown;
  };
  PartitionKeys?: GlueColumn[];
  Parameters?: Record<string, string>;
  CreateTime: number;
  UpdateTime: number;
  [field: string]: unknown;
}

/** A Glue database. */
export interface GlueDatabase {
  Name: string;
  Description?: string;
  LocationUri?: string;
  Parameters?: Record<string, string>;
  CreateTime: number;
}

interface RegionCatalog {
  databases: Record<string, GlueDatabase>;
  tables: Record<string, Record<string, GlueTable>>;
}

type Json = Record<string, unknown>;

/** Glue's name rule for databases and tables (it stores them lower case). */
const NAME = /^[\w.-]{1,255}$/;

function invalid(message: string): AwsError {
  return new AwsError('InvalidInputException', message);
}

function notFound(message: string): AwsError {
  return new AwsError('EntityNotFoundException', message);
}

function nameOf(input: Json, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw invalid(
      `${field} must be 1 to 255 letters, digits, underscores, periods or hyphens, not ${JSON.stringify(value)}`,
    );
  }
  return value.toLowerCase();
}

function objectOf(input: Json, field: string): Json {
  const value = input[field];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${field} is required and must be an object`);
  }
  return value as Json;
}

/** Page of a sorted list: NextToken is the index of the next item. */
function page<T>(items: T[], input: Json): { items: T[]; next?: string } {
  const max = typeof input.MaxResults === 'number' ? input.MaxResults : 100;
  const start = typeof input.NextToken === 'string' ? Number(input.NextToken) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalid('NextToken is not valid');
  const end = start + max;
  return { items: items.slice(start, end), ...(end < items.length ? { next: String(end) } : {}) };
}

/** Checks the parts of a TableInput that local Athena relies on, naming the field at fault. */
function checkTableInput(table: Json): void {
  const descriptor = table.StorageDescriptor as Json | undefined;
  if (descriptor !== undefined) {
    if (typeof descriptor !== 'object' || descriptor === null)
      throw invalid('TableInput.StorageDescriptor must be an object');
    if (descriptor.Location !== undefined && typeof descriptor.Location !== 'string')
      throw invalid(
        'TableInput.StorageDescriptor.Location must be a string such as s3://bucket/prefix/',
      );
    checkColumns(descriptor.Columns, 'TableInput.StorageDescriptor.Columns');
  }
  checkColumns(table.PartitionKeys, 'TableInput.PartitionKeys');
  const parameters = table.Parameters;
  if (parameters !== undefined) {
    if (typeof parameters !== 'object' || parameters === null)
      throw invalid('TableInput.Parameters must be a map of strings');
    for (const [key, value] of Object.entries(parameters)) {
      if (typeof value !== 'string')
        throw invalid(
          `TableInput.Parameters.${key} must be a string, not ${JSON.stringify(value)}`,
        );
    }
  }
}

/** GetTables' Expression: a regular expression over table names (Glue reads `*` as any text). */
function matcher(expression: string): (table: GlueTable) => boolean {
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^(${expression.replace(/(^|[^.\\])\*/g, '$1.*')})$`, 'i');
  } catch {
    throw invalid(`Expression ${JSON.stringify(expression)} is not a valid regular expression`);
  }
  return (table) => pattern.test(table.Name);
}

function checkColumns(columns: unknown, field: string): void {
  if (columns === undefined) return;
  if (!Array.isArray(columns)) throw invalid(`${field} must be a list of columns`);
  columns.forEach((column: unknown, index) => {
    const name = (column as Json | null)?.Name;
    if (typeof name !== 'string' || name.length === 0)
      throw invalid(`${field}[${index}].Name is required`);
  });
}

/**
 * The AWS Glue Data Catalog (AWS JSON 1.1, `AWSGlue.<Op>`): databases and tables, partition
 * projection parameters kept as given, persisted per region under `<stateDir>/glue/`.
 */
export class GlueService {
  private readonly catalogs = new Map<string, RegionCatalog>();
  private readonly file: JsonFile<Record<string, RegionCatalog>>;

  constructor(
    stateDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.file = new JsonFile(join(stateDir, 'glue', 'catalog.json'), () => ({}));
  }

  /** Loads the catalog saved by the previous run. */
  async start(): Promise<void> {
    for (const [region, catalog] of Object.entries(await this.file.read()))
      this.catalogs.set(region, catalog);
  }

  private save(): Promise<void> {
    return this.file.write(Object.fromEntries(this.catalogs));
  }

  private catalog(region: string): RegionCatalog {
    let catalog = this.catalogs.get(region);
    if (!catalog) {
      catalog = { databases: {}, tables: {} };
      this.catalogs.set(region, catalog);
    }
    return catalog;
  }

  /** A database; EntityNotFoundException when there is none. */
  database(region: string, name: string): GlueDatabase {
    const database = this.catalog(region).databases[name.toLowerCase()];
    if (!database) throw notFound(`Database ${name} not found.`);
    return database;
  }

  /** A table, for local Athena; EntityNotFoundException when it or its database is missing. */
  table(region: string, databaseName: string, name: string): GlueTable {
    this.database(region, databaseName);
    const table = this.catalog(region).tables[databaseName.toLowerCase()]?.[name.toLowerCase()];
    if (!table) throw notFound(`Table ${name} not found.`);
    return table;
  }

  /** The tables of a database, by name. */
  tables(region: string, databaseName: string): GlueTable[] {
    this.database(region, databaseName);
    return Object.values(this.catalog(region).tables[databaseName.toLowerCase()] ?? {}).sort(
      (a, b) => a.Name.localeCompare(b.Name),
    );
  }

  /** Creates a database (the in-process API that the JSON operation and CloudFormation share). */
  async createDatabase(region: string, input: Json): Promise<void> {
    const name = nameOf(input, 'Name');
    const catalog = this.catalog(region);
    if (catalog.databases[name])
      throw new AwsError('AlreadyExistsException', `Database already exists.`);
    catalog.databases[name] = {
      Name: name,
      ...(typeof input.Description === 'string' ? { Description: input.Description } : {}),
      ...(typeof input.LocationUri === 'string' ? { LocationUri: input.LocationUri } : {}),
      Parameters: (input.Parameters as Record<string, string> | undefined) ?? {},
      CreateTime: this.now() / 1000,
    };
    await this.save();
  }

  /** Deletes a database and its tables. */
  async deleteDatabase(region: string, name: string): Promise<void> {
    const catalog = this.catalog(region);
    this.database(region, name);
    delete catalog.databases[name.toLowerCase()];
    delete catalog.tables[name.toLowerCase()];
    await this.save();
  }

  /** Creates a table from a Glue TableInput. */
  async createTable(region: string, databaseName: string, tableInput: Json): Promise<void> {
    const name = nameOf(tableInput, 'Name');
    checkTableInput(tableInput);
    this.database(region, databaseName);
    const database = databaseName.toLowerCase();
    const tables = (this.catalog(region).tables[database] ??= {});
    if (tables[name]) throw new AwsError('AlreadyExistsException', `Table already exists.`);
    const now = this.now() / 1000;
    tables[name] = {
      ...tableInput,
      Name: name,
      DatabaseName: database,
      CreateTime: now,
      UpdateTime: now,
    } as GlueTable;
    await this.save();
  }

  /** Replaces a table's definition, keeping its creation time. */
  async updateTable(region: string, databaseName: string, tableInput: Json): Promise<void> {
    const name = nameOf(tableInput, 'Name');
    checkTableInput(tableInput);
    const existing = this.table(region, databaseName, name);
    this.catalog(region).tables[existing.DatabaseName]![name] = {
      ...tableInput,
      Name: name,
      DatabaseName: existing.DatabaseName,
      CreateTime: existing.CreateTime,
      UpdateTime: this.now() / 1000,
    } as GlueTable;
    await this.save();
  }

  /** Deletes a table. */
  async deleteTable(region: string, databaseName: string, name: string): Promise<void> {
    const table = this.table(region, databaseName, name);
    delete this.catalog(region).tables[table.DatabaseName]![table.Name];
    await this.save();
  }

  /** Serves one Glue request. */
  handle(request: IncomingMessage, response: ServerResponse, region: string): Promise<void> {
    return serveJsonOperation(request, response, 'AWSGlue', (operation, input) =>
      this.dispatch(operation, input, region),
    );
  }

  private async dispatch(operation: string, input: Json, region: string): Promise<Json | void> {
    switch (operation) {
      case 'CreateDatabase':
        return this.createDatabase(region, objectOf(input, 'DatabaseInput'));
      case 'GetDatabase':
        return { Database: this.database(region, nameOf(input, 'Name')) };
      case 'GetDatabases': {
        const all = Object.values(this.catalog(region).databases).sort((a, b) =>
          a.Name.localeCompare(b.Name),
        );
        const { items, next } = page(all, input);
        return { DatabaseList: items, ...(next ? { NextToken: next } : {}) };
      }
      case 'DeleteDatabase':
        return this.deleteDatabase(region, nameOf(input, 'Name'));
      case 'CreateTable':
        return this.createTable(
          region,
          nameOf(input, 'DatabaseName'),
          objectOf(input, 'TableInput'),
        );
      case 'UpdateTable':
        return this.updateTable(
          region,
          nameOf(input, 'DatabaseName'),
          objectOf(input, 'TableInput'),
        );
      case 'GetTable':
        return { Table: this.table(region, nameOf(input, 'DatabaseName'), nameOf(input, 'Name')) };
      case 'GetTables': {
        const all = this.tables(region, nameOf(input, 'DatabaseName'));
        const matching =
          typeof input.Expression === 'string' ? all.filter(matcher(input.Expression)) : all;
        const { items, next } = page(matching, input);
        return { TableList: items, ...(next ? { NextToken: next } : {}) };
      }
      case 'DeleteTable':
        return this.deleteTable(region, nameOf(input, 'DatabaseName'), nameOf(input, 'Name'));
      default:
        throw new AwsError(
          'UnknownOperationException',
          `Glue operation ${operation || '(none)'} is not supported by local AWS (it serves ` +
            'Create/Get/Delete/GetDatabases and Create/Get/Update/Delete/GetTables)',
        );
    }
  }
}
