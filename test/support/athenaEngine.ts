import type { EngineTable } from '../../local/athena/engine.js';

/** A table `db.tickers` of one string column, `tickername`, over stored files as the engine gets them. */
export const tickersTable = (files: readonly string[]): EngineTable => ({
  database: 'db',
  name: 'tickers',
  columns: [{ Name: 'tickername', Type: 'string' }],
  partitionKeys: [],
  objects: files.map((file, n) => ({
    uri: `s3://bucket/tickers/${n}`,
    size: 1,
    file,
    gzip: false,
    values: [],
  })),
  withPath: false,
});
