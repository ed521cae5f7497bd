import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/** Where and how a delivery stream writes to S3. */
export interface S3Destination {
  bucket: string;
  prefix: string;
  errorOutputPrefix: string;
  intervalSeconds: number;
  sizeBytes: number;
  compression: 'UNCOMPRESSED' | 'GZIP';
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** Evaluates `!{timestamp:yyyy}`-style expressions in a custom prefix, as Firehose does. */
function evaluatePrefix(prefix: string, at: Date): string {
  return prefix.replace(
    /!\{([^}:]+):([^}]*)\}/g,
    (expression, namespace: string, value: string) => {
      if (namespace === 'timestamp') {
        return value
          .replace(/yyyy/g, String(at.getUTCFullYear()))
          .replace(/MM/g, pad(at.getUTCMonth() + 1))
          .replace(/dd/g, pad(at.getUTCDate()))
          .replace(/HH/g, pad(at.getUTCHours()))
          .replace(/mm/g, pad(at.getUTCMinutes()))
          .replace(/ss/g, pad(at.getUTCSeconds()));
      }
      if (namespace === 'firehose' && value === 'random-string') return randomUUID().slice(0, 11);
      return expression;
    },
  );
}

/**
 * The S3 key Firehose gives an object: `<prefix>YYYY/MM/dd/HH/<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>`
 * in UTC from the arrival of the object's oldest record. A prefix with `!{...}` expressions replaces the
 * default `YYYY/MM/dd/HH/` part, as AWS documents.
 */
export function objectKey(options: {
  prefix: string;
  stream: string;
  version: number;
  at: Date;
  compression: S3Destination['compression'];
  id?: string;
}): string {
  const { at } = options;
  const hourPath = `${at.getUTCFullYear()}/${pad(at.getUTCMonth() + 1)}/${pad(at.getUTCDate())}/${pad(at.getUTCHours())}/`;
  const folder = options.prefix.includes('!{')
    ? evaluatePrefix(options.prefix, at)
    : `${options.prefix}${hourPath}`;
  const stamp =
    `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}-` +
    `${pad(at.getUTCHours())}-${pad(at.getUTCMinutes())}-${pad(at.getUTCSeconds())}`;
  const suffix = options.compression === 'GZIP' ? '.gz' : '';
  return `${folder}${options.stream}-${options.version}-${stamp}-${options.id ?? randomUUID()}${suffix}`;
}

/** The object body for buffered records: concatenated without delimiters, compressed as configured. */
export function objectBody(records: Buffer, compression: S3Destination['compression']): Buffer {
  return compression === 'GZIP' ? gzipSync(records) : records;
}
