import { AwsError } from '../http.js';

/** The inclusive byte range a `Range` header asks for, or undefined for the whole object. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Reads `Range: bytes=a-b`, `bytes=a-` and `bytes=-n` (the last n bytes) against an object's size.
 * Headers S3 ignores (other units, several ranges, garbage) answer undefined: the whole object.
 * A range that starts past the end is InvalidRange (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const unsatisfiable = () =>
    new AwsError('InvalidRange', 'The requested range is not satisfiable', 416);
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== '' && Number(match[2]) < start) return undefined;
  if (start >= size) throw unsatisfiable();
  return { start, end };
}
