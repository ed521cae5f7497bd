import { HOUR_PARTITION } from './table.js';

/** Athena's hidden column of each row's object, `s3://bucket/key`, as SQL names it. */
const PATH_COLUMN = '"$path"';

/** The built-in queries of `npm run query -- --named <name>`; each reads the table `tickers`. */
export const NAMED_QUERIES = {
  'latest-price': {
    description: 'the latest price of each ticker (its highest version)',
    sql: `SELECT tickername, max_by(price, version) AS price, max(version) AS version
FROM tickers
GROUP BY tickername
ORDER BY tickername`,
  },
  'hourly-stats': {
    description: 'min, max and mean price and the record count per ticker per hour',
    sql: `SELECT tickername, ${HOUR_PARTITION} AS hour, min(price) AS min_price, max(price) AS max_price,
  avg(price) AS mean_price, count(*) AS records
FROM tickers
GROUP BY tickername, ${HOUR_PARTITION}
ORDER BY tickername, hour`,
  },
  'version-gaps': {
    description: 'gaps in each ticker’s version chain (versions that were never delivered)',
    sql: `SELECT tickername, previous_version, version, version - previous_version - 1 AS missing
FROM (
  SELECT tickername, version, lag(version) OVER (PARTITION BY tickername ORDER BY version) AS previous_version
  FROM tickers
) AS chain
WHERE version - previous_version > 1
ORDER BY tickername, version`,
  },
  'records-per-object': {
    description: 'how many records each delivered object holds',
    sql: `SELECT "$path" AS object, count(*) AS records
FROM tickers
GROUP BY "$path"
ORDER BY object`,
  },
} as const;

/** The name of a built-in query. */
export type NamedQuery = keyof typeof NAMED_QUERIES;

/** Whether `name` is one of the built-in queries. */
export function isNamedQuery(name: string): name is NamedQuery {
  return Object.hasOwn(NAMED_QUERIES, name);
}

/**
 * Restricts a query to the hours from `since` to `until` (partition values such as `2026/11/28/18`,
 * either end optional) by defining `tickers` as the filtered table in a WITH clause that shadows the
 * table's own name: Athena and local Athena then read only those partitions. Athena's hidden
 * `"$path"` column is not in `SELECT *`, so the clause carries it too when the query names it.
 */
export function withHours(
  sql: string,
  options: { database: string; table: string; since?: string; until?: string },
): string {
  const conditions = [
    ...(options.since ? [`${HOUR_PARTITION} >= '${options.since}'`] : []),
    ...(options.until ? [`${HOUR_PARTITION} <= '${options.until}'`] : []),
  ];
  if (conditions.length === 0) return sql;
  const columns = sql.includes(PATH_COLUMN) ? `*, ${PATH_COLUMN}` : '*';
  const cte = `${options.table} AS (SELECT ${columns} FROM "${options.database}"."${options.table}" WHERE ${conditions.join(' AND ')})`;
  const existing = /^\s*WITH\s+/i.exec(sql);
  return existing ? `WITH ${cte}, ${sql.slice(existing[0].length)}` : `WITH ${cte}\n${sql}`;
}
