import { AwsError } from '../http.js';

/** Whether a request's body is in the `aws-chunked` content encoding that SigV4 streaming uses. */
export function isAwsChunked(headers: Record<string, string | string[] | undefined>): boolean {
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  const encoding = String(headers['content-encoding'] ?? '');
  return (
    sha.startsWith('STREAMING-') || encoding.split(',').some((e) => e.trim() === 'aws-chunked')
  );
}

/** Decodes an `aws-chunked` body (signed or unsigned chunks, optional trailers) to its payload. */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0)
      throw new AwsError('IncompleteBody', 'aws-chunked body ended inside a chunk header');
    const size = Number.parseInt(
      body.subarray(offset, lineEnd).toString('latin1').split(';')[0]!,
      16,
    );
    if (!Number.isInteger(size) || size < 0) {
      throw new AwsError('InvalidChunkSizeError', 'aws-chunked body has an invalid chunk size');
    }
    offset = lineEnd + 2;
    if (size === 0) return Buffer.concat(parts); // What follows are trailers (checksums).
    if (offset + size > body.length) {
      throw new AwsError('IncompleteBody', 'aws-chunked body is shorter than its chunk sizes');
    }
    parts.push(body.subarray(offset, offset + size));
    offset += size + 2;
  }
}
