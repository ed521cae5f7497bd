/** The name of the delivered tickers' table in the Glue database. */
export const TICKERS_TABLE = 'tickers';

/** The partition column: Firehose's `YYYY/MM/dd/HH` folder, as text such as `2026/11/28/18`. */
export const HOUR_PARTITION = 'dt';

/** The format of {@link HOUR_PARTITION}, in Athena's (Java's) date pattern letters. */
export const HOUR_FORMAT = 'yyyy/MM/dd/HH';

/**
 * The delivered JSON lines' columns, in Hive types. `timestamp` stays text (ISO 8601 with a `T`,
 * which Athena's timestamp type does not read); `dt` holds the hour.
 */
export const TICKER_COLUMNS = [
  { Name: 'tickername', Type: 'string' },
  { Name: 'price', Type: 'double' },
  { Name: 'previousprice', Type: 'double' },
  { Name: 'version', Type: 'bigint' },
  { Name: 'timestamp', Type: 'string' },
  { Name: 'eventid', Type: 'string' },
] as const;

/** Glue's TableInput for the tickers under `s3://<bucket>/<prefix>`, with hourly partition projection. */
export function tickerTableInput(bucket: string, prefix = 'tickers/') {
  const location = `s3://${bucket}/${prefix}`;
  return {
    Name: TICKERS_TABLE,
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      classification: 'json',
      'projection.enabled': 'true',
      [`projection.${HOUR_PARTITION}.type`]: 'date',
      [`projection.${HOUR_PARTITION}.format`]: HOUR_FORMAT,
      [`projection.${HOUR_PARTITION}.range`]: 'NOW-1YEARS,NOW',
      [`projection.${HOUR_PARTITION}.interval`]: '1',
      [`projection.${HOUR_PARTITION}.interval.unit`]: 'HOURS',
      'storage.location.template': `${location}\${${HOUR_PARTITION}}/`,
    },
    PartitionKeys: [{ Name: HOUR_PARTITION, Type: 'string' }],
    StorageDescriptor: {
      Location: location,
      Columns: TICKER_COLUMNS.map((column) => ({ ...column })),
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      SerdeInfo: {
        SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
        Parameters: { 'ignore.malformed.json': 'true' },
      },
    },
  };
}

/** An hour as the partition column writes it: `2026/11/28/18` (UTC). */
export function hourPartition(at: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${at.getUTCFullYear()}/${pad(at.getUTCMonth() + 1)}/${pad(at.getUTCDate())}/${pad(at.getUTCHours())}`;
}
