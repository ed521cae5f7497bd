// Runs s3rver in a child process started with --openssl-legacy-provider, which its
// ListObjectsV2 continuation tokens (DES) need. Plain JavaScript so bare `node` runs it.
// Reports its port over IPC and exits when the parent goes away, so no process is left behind.
'use strict';
const S3rver = require('s3rver');

const directory = process.argv[2];
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory,
  silent: true,
  allowMismatchedSignatures: true,
  vhostBuckets: false,
  resetOnClose: false,
});

// s3rver deletes objects concurrently and then prunes empty folders, so two deletes in one folder
// (DeleteObjects, or parallel DeleteObject calls) race on the same rmdir and fail with
// InternalError. One delete at a time, and a folder already gone is not an error.
const store = server.store;
const deleteObject = store.deleteObject.bind(store);
let deleting = Promise.resolve();
store.deleteObject = (bucket, key) => {
  const run = deleting.then(() =>
    deleteObject(bucket, key).catch((error) => {
      if (error.code !== 'ENOENT') throw error;
    }),
  );
  deleting = run.catch(() => undefined);
  return run;
};

server.run().then(
  ({ port }) => process.send({ port }),
  (error) => {
    process.send({ error: String(error && error.message) });
    process.exit(1);
  },
);

process.on('disconnect', () => {
  server.close().finally(() => process.exit(0));
});
