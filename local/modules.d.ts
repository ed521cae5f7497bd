// Type declarations for the untyped packages local AWS runs.
declare module 's3rver' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type { ListingStore } from './s3/listObjectsV2.js';
  interface S3rverOptions {
    directory: string;
    silent?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    resetOnClose?: boolean;
  }
  class S3rver {
    constructor(options: S3rverOptions);
    store: ListingStore & { deleteObject(bucket: string, key: string): Promise<void> };
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
  }
  export default S3rver;
}
