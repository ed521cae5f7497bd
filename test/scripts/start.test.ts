import { execFile, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load.js';
import { deriveNames } from '../../lib/config/names.js';
import { startLocalAws } from '../../local/index.js';
import { useTempDir } from '../support/tempDir.js';

const run = promisify(execFile);

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether something can listen on the port again. */
async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The processes still running in a process group. Zombies (state Z) are left out: they have
 * exited, and only wait for an init that reaps them (a container's PID 1 may never do so).
 */
async function processesInGroup(group: number): Promise<string> {
  const { stdout } = await run('ps', ['-eo', 'pid=,pgid=,stat=,args=']);
  return stdout
    .split('\n')
    .filter((line) => {
      const [, pgid, stat] = line.trim().split(/\s+/);
      return pgid === String(group) && !stat?.startsWith('Z');
    })
    .join('\n');
}

/** Runs `npm start`'s command in its own process group, as a terminal would, to its exit. */
async function npmStart(
  argv: string[],
): Promise<{ code: number | null; output: string; group: number }> {
  // As the npm script runs it: the launcher (re)builds the bundle when a source is newer.
  const child = spawn(process.execPath, ['scripts/launch.mjs', 'start', ...argv], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output, group: child.pid! };
}

/** Every delivered (ticker, version) in the data bucket, read through local AWS on the state left behind. */
async function deliveredVersions(stateDir: string, bucket: string): Promise<Map<string, number[]>> {
  const local = await startLocalAws({ port: 0, stateDir });
  try {
    const s3 = new S3Client({
      endpoint: local.endpoint,
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const versions = new Map<string, number[]>();
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    for (const object of listing.Contents ?? []) {
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
      const text = await body.Body!.transformToString();
      for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
        const record = JSON.parse(line) as { TickerName: string; Version: number };
        versions.set(record.TickerName, [
          ...(versions.get(record.TickerName) ?? []),
          record.Version,
        ]);
      }
    }
    return versions;
  } finally {
    await local.stop();
  }
}

describe('npm start', () => {
  const tempDir = useTempDir('npm-start-');

  it('deploys, ticks three times with a drill, and leaves S3, the outbox and nothing running', async () => {
    // Prepare
    const stateDir = join(await tempDir(), 'state');
    const port = await freePort();
    const config = await loadConfig();
    const names = deriveNames(config);

    // Act
    const result = await npmStart([
      '--every',
      '1',
      '--ticks',
      '3',
      '--plain',
      '--drill',
      '--port',
      String(port),
      '--state-dir',
      stateDir,
    ]);

    // Assess
    expect(result.code, result.output).toBe(0);
    expect(await processesInGroup(result.group)).toBe('');
    expect(await portIsFree(port)).toBe(true);
    const versions = await deliveredVersions(stateDir, names.bucket);
    for (const ticker of config.tickers) {
      const seen = new Set(versions.get(ticker.name));
      expect(
        [1, 2, 3].filter((version) => !seen.has(version)),
        ticker.name,
      ).toEqual([]);
    }
    const emails = (await readdir(join(stateDir, 'outbox'))).filter((f) => f.endsWith('.eml'));
    const texts = await Promise.all(
      emails.map((f) => readFile(join(stateDir, 'outbox', f), 'utf8')),
    );
    expect(texts.some((text) => text.includes(`${config.firstName} ${config.lastName}`))).toBe(
      true,
    );
  }, 180_000);
});
