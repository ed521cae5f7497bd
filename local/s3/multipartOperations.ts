import { createReadStream } from 'node:fs';
import { xmlEscape } from '../http.js';
import type { Operation, OperationContext } from './handler.js';
import { copySource, storedHeaders, versionHeader } from './objectHeaders.js';
import { parseRange } from './range.js';
import { checkRoot, xmlElements, xmlText } from './xml.js';

const XMLNS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

const upload = ({ s3, uploads }: OperationContext) =>
  uploads.get(s3.bucket, s3.key, s3.query.get('uploadId') ?? '');

/** Reads the bytes of an object (or a range of them) for UploadPartCopy. */
async function sourceBytes(context: OperationContext): Promise<Buffer> {
  const { store, request } = context;
  const source = copySource(String(request.headers['x-amz-copy-source']));
  const version = store.getObject(source.bucket, source.key, source.versionId);
  if (!version.dataId) return Buffer.alloc(0);
  const header = request.headers['x-amz-copy-source-range'];
  const range = header ? parseRange(String(header), version.size) : undefined;
  const chunks: Buffer[] = [];
  const stream = createReadStream(store.buckets.data.path(version.dataId), {
    start: range?.start ?? 0,
    end: range?.end ?? version.size - 1,
  });
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The multipart upload operations, by name. */
export const MULTIPART_OPERATIONS: Record<string, Operation> = {
  CreateMultipartUpload: ({ s3, uploads, request, xml }) => {
    const created = uploads.create(s3.bucket, s3.key, storedHeaders(request.headers));
    xml(
      200,
      `<InitiateMultipartUploadResult ${XMLNS}><Bucket>${xmlEscape(s3.bucket)}</Bucket>` +
        `<Key>${xmlEscape(s3.key)}</Key><UploadId>${created.uploadId}</UploadId></InitiateMultipartUploadResult>`,
    );
  },
  UploadPart: async (context) => {
    const part = await context.uploads.uploadPart(
      upload(context),
      Number(context.s3.query.get('partNumber')),
      await context.body(),
    );
    context.empty(200, { etag: part.etag });
  },
  UploadPartCopy: async (context) => {
    const target = upload(context);
    const part = await context.uploads.uploadPart(
      target,
      Number(context.s3.query.get('partNumber')),
      await sourceBytes(context),
    );
    context.xml(
      200,
      `<CopyPartResult ${XMLNS}><LastModified>${new Date(part.lastModified).toISOString()}</LastModified>` +
        `<ETag>${xmlEscape(part.etag)}</ETag></CopyPartResult>`,
    );
  },
  CompleteMultipartUpload: async (context) => {
    const { s3, uploads, xml } = context;
    const target = upload(context);
    const document = (await context.body()).toString('utf8');
    checkRoot(document, 'CompleteMultipartUpload');
    const parts = xmlElements(document, 'Part').map((part) => ({
      partNumber: Number(xmlText(part, 'PartNumber')),
      etag: xmlText(part, 'ETag') ?? '',
    }));
    const version = await uploads.complete(target, parts);
    xml(
      200,
      `<CompleteMultipartUploadResult ${XMLNS}><Location>/${xmlEscape(s3.bucket)}/${xmlEscape(s3.key)}</Location>` +
        `<Bucket>${xmlEscape(s3.bucket)}</Bucket><Key>${xmlEscape(s3.key)}</Key>` +
        `<ETag>${xmlEscape(version.etag)}</ETag></CompleteMultipartUploadResult>`,
      versionHeader(context, version),
    );
  },
  AbortMultipartUpload: async (context) => {
    await context.uploads.abort(upload(context));
    context.empty(204);
  },
  ListParts: (context) => {
    const { s3, xml } = context;
    const target = upload(context);
    const parts = [...target.parts.values()]
      .sort((a, b) => a.partNumber - b.partNumber)
      .map(
        (p) =>
          `<Part><PartNumber>${p.partNumber}</PartNumber><LastModified>${new Date(p.lastModified).toISOString()}</LastModified>` +
          `<ETag>${xmlEscape(p.etag)}</ETag><Size>${p.size}</Size></Part>`,
      )
      .join('');
    xml(
      200,
      `<ListPartsResult ${XMLNS}><Bucket>${xmlEscape(s3.bucket)}</Bucket><Key>${xmlEscape(s3.key)}</Key>` +
        `<UploadId>${target.uploadId}</UploadId><MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated>` +
        `<StorageClass>STANDARD</StorageClass>${parts}</ListPartsResult>`,
    );
  },
};
