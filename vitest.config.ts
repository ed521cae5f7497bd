import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: a test that starts the AWS CLI (Python, about 1 s each on a quiet machine) several
    // times can take ten times longer on a loaded 2-core machine; a real hang still fails.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Forked processes (vitest's default pool), not worker threads: threads share one libuv pool of
    // four threads for file I/O, and local AWS's stores are file-heavy, so two busy files in threads
    // slowed each other past the timeout (tried: S3 listing of 1,000 objects beside the AWS CLI tests).
    pool: 'forks',
    // Vitest's default is cores - 1, which is one file at a time on 2 cores; most files here spend
    // their time waiting on local AWS, the AWS CLI or a child process, so two at a time is faster.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The AWS SDK's notice that its 2027 releases need Node 22, once per process on Node 20: the
    // project pins the SDK, so in test output it is only noise around the failures that matter.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
