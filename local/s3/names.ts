import { AwsError } from '../http.js';

/** Longest object key S3 accepts, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'] as const;
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'] as const;

/** Why a bucket name breaks AWS's general-purpose bucket naming rules, or undefined if it keeps them. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name)) {
    return 'may contain only lower-case letters, numbers, dots (.) and hyphens (-)';
  }
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) {
    return 'must begin and end with a letter or number';
  }
  if (name.includes('..')) return 'must not contain two adjacent periods';
  if (IPV4.test(name)) return 'must not be formatted as an IP address';
  const prefix = RESERVED_PREFIXES.find((reserved) => name.startsWith(reserved));
  if (prefix) return `must not start with the reserved prefix ${prefix}`;
  const suffix = RESERVED_SUFFIXES.find((reserved) => name.endsWith(reserved));
  if (suffix) return `must not end with the reserved suffix ${suffix}`;
  return undefined;
}

/** Throws InvalidBucketName, naming the rule, for a name AWS would refuse. */
export function checkBucketName(name: string): void {
  const problem = bucketNameProblem(name);
  if (problem) {
    throw new AwsError('InvalidBucketName', `The specified bucket is not valid: ${problem}`);
  }
}

/** Throws for a key S3 would refuse: empty, or over 1,024 bytes of UTF-8. */
export function checkKey(key: string): void {
  if (key === '') throw new AwsError('InvalidArgument', 'An object key must not be empty');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new AwsError('KeyTooLongError', 'Your key is too long (at most 1,024 bytes of UTF-8)');
  }
}

/** Orders keys as S3 lists them: by the bytes of their UTF-8 encoding. */
export function utf8Order(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
