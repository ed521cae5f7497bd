import type { GlueTable } from '../glue/index.js';

/** A table definition that local Athena cannot read, with the field at fault. */
export class TableDefinitionError extends Error {
  override name = 'TableDefinitionError';
}

/** How the values of one partition key are found: projected (date, integer, enum) or from the path. */
export interface PartitionKey {
  name: string;
  /** Glue's type of the key (`string`, `int`, `bigint`...). */
  type: string;
  /** The regular expression source that matches one value in an object's key. */
  pattern: string;
  /** Whether a value found in an object's key is one the projection would produce. */
  accepts(value: string): boolean;
}

/** Where a table's data is and how its partition values are read from object keys. */
export interface TableLayout {
  bucket: string;
  /** The key prefix every object of the table starts with. */
  prefix: string;
  keys: PartitionKey[];
  /** The partition values of an object's key, or undefined when the key is not in a partition. */
  partitionOf(key: string): string[] | undefined;
}

const UNITS: Record<string, number> = {
  SECONDS: 1000,
  MINUTES: 60_000,
  HOURS: 3_600_000,
  DAYS: 86_400_000,
  WEEKS: 7 * 86_400_000,
};

/** Java DateTimeFormatter letters Athena's date projection formats use, as regular expressions. */
const DATE_FIELDS: Record<string, { pattern: string; set: (date: Date, value: number) => void }> = {
  yyyy: { pattern: '\\d{4}', set: (d, v) => d.setUTCFullYear(v) },
  MM: { pattern: '\\d{2}', set: (d, v) => d.setUTCMonth(v - 1) },
  dd: { pattern: '\\d{2}', set: (d, v) => d.setUTCDate(v) },
  HH: { pattern: '\\d{2}', set: (d, v) => d.setUTCHours(v) },
  mm: { pattern: '\\d{2}', set: (d, v) => d.setUTCMinutes(v) },
  ss: { pattern: '\\d{2}', set: (d, v) => d.setUTCSeconds(v) },
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Splits a date format such as `yyyy/MM/dd/HH` into fields and literal text. */
function dateTokens(format: string): string[] {
  return format.match(/yyyy|MM|dd|HH|mm|ss|'[^']*'|[^yMdHms']+|./g) ?? [];
}

/** Reads a date written in `format` (UTC), or undefined when it does not match. */
export function parseDate(format: string, text: string): Date | undefined {
  const tokens = dateTokens(format);
  const fields = tokens.filter((token) => token in DATE_FIELDS);
  const source = tokens
    .map((token) =>
      token in DATE_FIELDS
        ? `(${DATE_FIELDS[token]!.pattern})`
        : escapeRegExp(token.replace(/^'(.*)'$/, '$1')),
    )
    .join('');
  const match = new RegExp(`^${source}$`).exec(text);
  if (!match) return undefined;
  const date = new Date(Date.UTC(1970, 0, 1));
  // Year and month before the day, so setting the day never overflows a shorter month.
  fields.forEach((field, index) => DATE_FIELDS[field]!.set(date, Number(match[index + 1])));
  return date;
}

/** The regular expression source of one value in `format`. */
function datePattern(format: string): string {
  return dateTokens(format)
    .map((token) =>
      token in DATE_FIELDS
        ? DATE_FIELDS[token]!.pattern
        : escapeRegExp(token.replace(/^'(.*)'$/, '$1')),
    )
    .join('');
}

/** One end of a date projection's range: `NOW`, `NOW-1YEARS`, `NOW+3HOURS`, or a date in the format. */
function rangeEnd(text: string, format: string, now: number, field: string): number {
  const relative =
    /^NOW(?:([+-])(\d+)(YEARS?|MONTHS?|WEEKS?|DAYS?|HOURS?|MINUTES?|SECONDS?))?$/i.exec(
      text.trim(),
    );
  if (relative) {
    if (!relative[1]) return now;
    const amount = Number(relative[2]) * (relative[1] === '-' ? -1 : 1);
    const unit = relative[3]!.toUpperCase().replace(/S?$/, 'S');
    const date = new Date(now);
    if (unit === 'YEARS') date.setUTCFullYear(date.getUTCFullYear() + amount);
    else if (unit === 'MONTHS') date.setUTCMonth(date.getUTCMonth() + amount);
    else return now + amount * UNITS[unit]!;
    return date.getTime();
  }
  const date = parseDate(format, text.trim());
  if (!date) {
    throw new TableDefinitionError(
      `${field} end ${JSON.stringify(text)} is neither NOW[+-]<n><UNIT> nor a date in the format ${format}`,
    );
  }
  return date.getTime();
}

function parameter(table: GlueTable, name: string): string | undefined {
  return table.Parameters?.[name];
}

function required(table: GlueTable, name: string): string {
  const value = parameter(table, name);
  if (value === undefined)
    throw new TableDefinitionError(`table ${table.Name} has projection enabled but no ${name}`);
  return value;
}

/** The projected key's accepted values, from its `projection.<key>.*` parameters. */
function projectedKey(table: GlueTable, name: string, type: string, now: number): PartitionKey {
  const at = `projection.${name}`;
  const kind = required(table, `${at}.type`).toLowerCase();
  if (kind === 'date') {
    const format = required(table, `${at}.format`);
    const [from, to] = required(table, `${at}.range`).split(',');
    if (to === undefined)
      throw new TableDefinitionError(`${at}.range must be two ends separated by a comma`);
    const low = rangeEnd(from!, format, now, `${at}.range`);
    const high = rangeEnd(to, format, now, `${at}.range`);
    return {
      name,
      type,
      pattern: datePattern(format),
      accepts: (value) => {
        const time = parseDate(format, value)?.getTime();
        return time !== undefined && time >= low && time <= high;
      },
    };
  }
  if (kind === 'integer') {
    const [from, to] = required(table, `${at}.range`).split(',').map(Number);
    if (!Number.isInteger(from) || !Number.isInteger(to))
      throw new TableDefinitionError(`${at}.range must be two integers such as 1,100`);
    return {
      name,
      type,
      pattern: '-?\\d+',
      accepts: (value) => Number(value) >= from! && Number(value) <= to!,
    };
  }
  if (kind === 'enum') {
    const values = required(table, `${at}.values`).split(',');
    return {
      name,
      type,
      pattern: values.map(escapeRegExp).join('|'),
      accepts: (value) => values.includes(value),
    };
  }
  if (kind === 'injected') {
    return { name, type, pattern: '[^/]+', accepts: () => true };
  }
  throw new TableDefinitionError(`${at}.type must be date, integer, enum or injected, not ${kind}`);
}

/** Splits `s3://bucket/prefix` into bucket and key prefix. */
export function splitS3Uri(uri: string, field: string): { bucket: string; key: string } {
  const match = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new TableDefinitionError(`${field} must be an s3:// location, not ${uri}`);
  return { bucket: match[1]!, key: match[2]! };
}

/**
 * How a table's objects map to partitions: with projection, the `storage.location.template` (or the
 * location followed by Hive-style `key=value/` folders) and each key's projected values; without
 * it, Hive-style folders under the location.
 */
export function tableLayout(table: GlueTable, now: number): TableLayout {
  const location = table.StorageDescriptor?.Location;
  if (!location)
    throw new TableDefinitionError(`table ${table.Name} has no StorageDescriptor.Location`);
  const { bucket, key: base } = splitS3Uri(location, 'StorageDescriptor.Location');
  const partitionKeys = table.PartitionKeys ?? [];
  const projected = parameter(table, 'projection.enabled')?.toLowerCase() === 'true';
  const keys: PartitionKey[] = partitionKeys.map((column) =>
    projected
      ? projectedKey(table, column.Name.toLowerCase(), column.Type ?? 'string', now)
      : {
          name: column.Name.toLowerCase(),
          type: column.Type ?? 'string',
          pattern: '[^/]+',
          accepts: () => true,
        },
  );
  const template = projected ? parameter(table, 'storage.location.template') : undefined;
  let path: string;
  if (template) {
    const split = splitS3Uri(template, 'storage.location.template');
    if (split.bucket !== bucket)
      throw new TableDefinitionError('storage.location.template must be in the location bucket');
    path = split.key;
  } else {
    path = `${base.replace(/\/?$/, '/')}${keys.map((key) => `${key.name}=\${${key.name}}/`).join('')}`;
  }
  const order: string[] = [];
  const source = path
    .split(/(\$\{[^}]+\})/)
    .map((part) => {
      const variable = /^\$\{([^}]+)\}$/.exec(part);
      if (!variable) return escapeRegExp(part);
      const key = keys.find((candidate) => candidate.name === variable[1]!.toLowerCase());
      if (!key)
        throw new TableDefinitionError(
          `storage.location.template names \${${variable[1]}}, which is not a partition key`,
        );
      order.push(key.name);
      return `(${key.pattern})`;
    })
    .join('');
  const matcher = new RegExp(`^${source.replace(/\/?$/, '/')}`);
  const prefix = path.split('${')[0]!;
  return {
    bucket,
    prefix,
    keys,
    partitionOf(objectKey) {
      if (keys.length === 0) return objectKey.startsWith(base) ? [] : undefined;
      const match = matcher.exec(objectKey);
      if (!match) return undefined;
      const values = keys.map((key) => match[order.indexOf(key.name) + 1] ?? '');
      return keys.every((key, index) => key.accepts(values[index]!)) ? values : undefined;
    },
  };
}
