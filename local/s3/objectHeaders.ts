import type { IncomingHttpHeaders } from 'node:http';
import { AwsError } from '../http.js';
import type { OperationContext } from './handler.js';
import { NULL_VERSION } from './versions.js';

const STORED_HEADERS = [
  'content-type',
  'content-encoding',
  'content-disposition',
  'content-language',
  'cache-control',
  'expires',
  // Tags set with the PUT, read back by GetObjectTagging (the CLI's copies ask for them).
  'x-amz-tagging',
] as const;
/** The headers an object keeps from its PUT: content headers and `x-amz-meta-*`. */
export function storedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if ((STORED_HEADERS as readonly string[]).includes(name) || name.startsWith('x-amz-meta-')) {
      kept[name] = String(value);
    }
  }
  const encoding = kept['content-encoding']
    ?.split(',')
    .map((e) => e.trim())
    .filter((e) => e && e !== 'aws-chunked');
  if (encoding?.length) kept['content-encoding'] = encoding.join(',');
  else delete kept['content-encoding'];
  return kept;
}

/** The `x-amz-version-id` header S3 adds once a bucket has had versioning configured. */
export function versionHeader(
  context: OperationContext,
  version: { versionId: string },
): Record<string, string> {
  const { versioning } = context.store.buckets.bucket(context.s3.bucket);
  return versioning || version.versionId !== NULL_VERSION
    ? { 'x-amz-version-id': version.versionId }
    : {};
}

/** Reads `x-amz-copy-source` (`[/]bucket/key[?versionId=id]`, URL-encoded). */
export function copySource(header: string): { bucket: string; key: string; versionId?: string } {
  const [path = '', query = ''] = header.split('?');
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.startsWith('/') ? path.slice(1) : path);
  } catch {
    throw new AwsError(
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
    );
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) {
    throw new AwsError(
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
    );
  }
  const versionId = new URLSearchParams(query).get('versionId') ?? undefined;
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), versionId };
}
