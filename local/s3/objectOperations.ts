import { open } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { AwsError, xmlEscape } from '../http.js';
import type { Operation, OperationContext } from './handler.js';
import { copySource, storedHeaders, versionHeader } from './objectHeaders.js';
import { parseRange } from './range.js';
import type { ByteRange } from './range.js';
import type { ObjectVersion } from './versions.js';
import { checkRoot, xmlElements, xmlText } from './xml.js';

const XMLNS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
/** S3 deletes at most this many keys a request. */
const MAX_DELETE_KEYS = 1000;

const optional = (value: string | null) => value ?? undefined;

async function putObject(context: OperationContext): Promise<void> {
  const { s3, store, request, empty } = context;
  store.buckets.bucket(s3.bucket);
  const md5 = request.headers['content-md5'];
  const version = await store.putObject({
    bucket: s3.bucket,
    key: s3.key,
    body: await context.body(),
    headers: storedHeaders(request.headers),
    contentMd5: md5 === undefined ? undefined : String(md5),
  });
  empty(200, {
    etag: version.etag,
    'x-amz-server-side-encryption': 'AES256',
    ...versionHeader(context, version),
  });
}

/** Answers 304 or 412 when a conditional header says so, as S3 orders them. */
function checkConditions(headers: IncomingHttpHeaders, version: ObjectVersion): number | undefined {
  const etag = version.etag;
  const seconds = Math.floor(version.lastModified / 1000) * 1000;
  const matches = (list: string) =>
    list.split(',').some((t) => t.trim() === '*' || t.trim() === etag || `"${t.trim()}"` === etag);
  const date = (value: string | undefined) => (value ? Date.parse(value) : Number.NaN);
  if (headers['if-match'] !== undefined) {
    if (!matches(headers['if-match'])) return 412;
  } else if (seconds > date(headers['if-unmodified-since'])) return 412;
  if (headers['if-none-match'] !== undefined) {
    if (matches(headers['if-none-match'])) return 304;
  } else if (seconds <= date(headers['if-modified-since'])) return 304;
  return undefined;
}

/** Opens a version's data; a GET racing an overwrite looks the key up again. */
async function openVersion(context: OperationContext) {
  const { s3, store } = context;
  for (let attempt = 0; ; attempt++) {
    const version = store.getObject(s3.bucket, s3.key, optional(s3.query.get('versionId')));
    try {
      return {
        version,
        file: version.dataId ? await open(store.buckets.data.path(version.dataId)) : undefined,
      };
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw error;
    }
  }
}

function getObject(head: boolean): Operation {
  return async (context) => {
    const { request, response, s3 } = context;
    const { version, file } = await openVersion(context);
    try {
      const condition = checkConditions(request.headers, version);
      if (condition === 412)
        throw new AwsError(
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
          412,
        );
      const headers: Record<string, string | number> = {
        'content-type': 'binary/octet-stream',
        ...version.headers,
        etag: version.etag,
        'last-modified': new Date(version.lastModified).toUTCString(),
        'accept-ranges': 'bytes',
        'x-amz-server-side-encryption': 'AES256',
        ...versionHeader(context, version),
      };
      const tags = version.headers['x-amz-tagging'];
      delete headers['x-amz-tagging'];
      if (tags) headers['x-amz-tagging-count'] = [...new URLSearchParams(tags).keys()].length;
      for (const name of [
        'content-type',
        'content-language',
        'expires',
        'cache-control',
        'content-disposition',
        'content-encoding',
      ]) {
        const override = s3.query.get(`response-${name}`);
        if (override !== null) headers[name] = override;
      }
      if (condition === 304) {
        response
          .writeHead(304, { etag: version.etag, 'last-modified': String(headers['last-modified']) })
          .end();
        return;
      }
      let range: ByteRange | undefined;
      try {
        range = parseRange(request.headers.range, version.size);
      } catch (error: unknown) {
        if (error instanceof AwsError)
          response.setHeader('content-range', `bytes */${version.size}`);
        throw error;
      }
      const start = range?.start ?? 0;
      const end = range?.end ?? version.size - 1;
      headers['content-length'] = end - start + 1;
      if (range) headers['content-range'] = `bytes ${start}-${end}/${version.size}`;
      response.writeHead(range ? 206 : 200, headers);
      if (head || !file || end < start) {
        response.end();
        return;
      }
      await pipeline(file.createReadStream({ start, end, autoClose: false }), response);
    } finally {
      await file?.close();
    }
  };
}

async function deleteObject(context: OperationContext): Promise<void> {
  const { s3, store, empty } = context;
  const result = await store.deleteObject(s3.bucket, s3.key, optional(s3.query.get('versionId')));
  empty(204, {
    ...(result.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}),
    ...(result.versionId ? { 'x-amz-version-id': result.versionId } : {}),
  });
}

async function copyObject(context: OperationContext): Promise<void> {
  const { s3, store, request, xml } = context;
  store.buckets.bucket(s3.bucket);
  const source = copySource(String(request.headers['x-amz-copy-source']));
  const from = store.getObject(source.bucket, source.key, source.versionId);
  const replace = request.headers['x-amz-metadata-directive'] === 'REPLACE';
  if (
    source.bucket === s3.bucket &&
    source.key === s3.key &&
    !replace &&
    source.versionId === undefined
  ) {
    throw new AwsError(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const { dataId } = await store.buckets.data.write(from.dataId ? [from.dataId] : Buffer.alloc(0));
  const version = await store.commitData(s3.bucket, s3.key, {
    dataId,
    size: from.size,
    etag: from.etag,
    headers: replace ? storedHeaders(request.headers) : from.headers,
  });
  xml(
    200,
    `<CopyObjectResult ${XMLNS}><LastModified>${new Date(version.lastModified).toISOString()}</LastModified>` +
      `<ETag>${xmlEscape(version.etag)}</ETag></CopyObjectResult>`,
    {
      ...versionHeader(context, version),
      ...(source.versionId ? { 'x-amz-copy-source-version-id': from.versionId } : {}),
    },
  );
}

/** DeleteObjects: up to 1,000 keys, each with an optional VersionId; Quiet leaves out successes. */
async function deleteObjects(context: OperationContext): Promise<void> {
  const { s3, store, xml } = context;
  store.buckets.bucket(s3.bucket);
  const document = (await context.body()).toString('utf8');
  checkRoot(document, 'Delete');
  const objects = xmlElements(document, 'Object').map((entry) => ({
    key: xmlText(entry, 'Key'),
    versionId: xmlText(entry, 'VersionId'),
  }));
  if (
    objects.length === 0 ||
    objects.length > MAX_DELETE_KEYS ||
    objects.some((o) => o.key === undefined)
  ) {
    throw new AwsError(
      'MalformedXML',
      `The XML you provided was not well-formed or did not validate against our published schema (1 to ${MAX_DELETE_KEYS} Object elements, each with a Key)`,
    );
  }
  const quiet = xmlText(document, 'Quiet') === 'true';
  const results: string[] = [];
  for (const { key, versionId } of objects) {
    try {
      const result = await store.deleteObject(s3.bucket, key!, versionId);
      if (quiet) continue;
      const marker = result.deleteMarker
        ? `<DeleteMarker>true</DeleteMarker>${versionId ? '' : `<DeleteMarkerVersionId>${result.versionId}</DeleteMarkerVersionId>`}`
        : '';
      results.push(
        `<Deleted><Key>${xmlEscape(key!)}</Key>${versionId ? `<VersionId>${xmlEscape(versionId)}</VersionId>` : ''}${marker}</Deleted>`,
      );
    } catch (error: unknown) {
      if (!(error instanceof AwsError)) throw error;
      results.push(
        `<Error><Key>${xmlEscape(key!)}</Key><Code>${error.code}</Code><Message>${xmlEscape(error.message)}</Message></Error>`,
      );
    }
  }
  xml(200, `<DeleteResult ${XMLNS}>${results.join('')}</DeleteResult>`);
}

/** GetObjectTagging: the tags an object was PUT with (`x-amz-tagging`). */
function getObjectTagging(context: OperationContext): void {
  const { s3, store, xml } = context;
  const version = store.getObject(s3.bucket, s3.key, optional(s3.query.get('versionId')));
  const tags = [...new URLSearchParams(version.headers['x-amz-tagging'] ?? '')]
    .map(
      ([key, value]) => `<Tag><Key>${xmlEscape(key)}</Key><Value>${xmlEscape(value)}</Value></Tag>`,
    )
    .join('');
  xml(200, `<Tagging ${XMLNS}><TagSet>${tags}</TagSet></Tagging>`, versionHeader(context, version));
}

/** The object-level operations (and DeleteObjects), by name. */
export const OBJECT_OPERATIONS: Record<string, Operation> = {
  PutObject: putObject,
  GetObject: getObject(false),
  HeadObject: getObject(true),
  DeleteObject: deleteObject,
  CopyObject: copyObject,
  GetObjectTagging: getObjectTagging,
  DeleteObjects: deleteObjects,
};
