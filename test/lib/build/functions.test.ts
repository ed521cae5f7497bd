import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions, HANDLER_FILE } from '../../../lib/build/functions.js';
import type { FunctionManifest } from '../../../lib/build/functions.js';
import { runScript } from '../../support/cli.js';
import { useTempDir } from '../../support/tempDir.js';

const run = promisify(execFile);
const tempDir = useTempDir('bundle-');

describe('buildFunctions', () => {
  let outDir = '';
  let manifest: FunctionManifest;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'build-'));
    manifest = await buildFunctions({ outDir });
  });
  afterAll(() => rm(outDir, { recursive: true, force: true }));

  it('writes one zip per function, named by the hash of its content, and the manifest', async () => {
    // Assess
    for (const [name, built] of Object.entries(manifest)) {
      const zip = await readFile(built.file);
      const sha256 = (await import('node:crypto')).createHash('sha256').update(zip).digest('hex');
      expect(built.sha256).toBe(sha256);
      expect(built.bytes).toBe(zip.length);
      expect(built.file).toBe(join(outDir, `${name}-${sha256.slice(0, 16)}.zip`));
      expect(built.key).toBe(`functions/${name}-${sha256.slice(0, 16)}.zip`);
    }
    const written = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8'));
    expect(written).toEqual(manifest);
  });

  it('gives the same bytes on a rebuild, in any time zone, and removes stale zips', async () => {
    // Prepare
    await writeFile(join(outDir, 'streaming-0123456789abcdef.zip'), 'stale');
    // Act: rebuild through the command line, in another time zone
    const { code, stdout } = await runScript('build.ts', ['--out-dir', outDir, '--json'], {
      TZ: 'Pacific/Kiritimati',
    });
    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(manifest);
    expect((await readdir(outDir)).sort()).toEqual(
      [
        'manifest.json',
        ...Object.values(manifest).map((built) => built.file.split('/').at(-1)!),
      ].sort(),
    );
  });

  it('zips one ESM file, index.mjs, that exports the handler and runs in a fresh Node process', async () => {
    // Prepare
    const files = unzipSync(await readFile(manifest.streaming.file));
    expect(Object.keys(files)).toEqual([HANDLER_FILE]);
    const dir = await tempDir();
    const file = join(dir, HANDLER_FILE);
    await writeFile(file, files[HANDLER_FILE]!);
    // Act: an invalid event never reaches AWS, so this runs offline
    const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)}); await handler('not an event').catch((error) => console.log(error.name, error.message));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', script], {
      env: {
        PATH: process.env.PATH,
        TABLE_NAME: 'table',
        DELIVERY_STREAM_NAME: 'stream',
        AWS_REGION: 'eu-west-1',
      },
    });
    // Assess
    expect(stdout.trim()).toBe(
      'ValidationError event: must be a JSON object, such as {"id": "<event id>"} or {"drill": true}',
    );
  });

  it('fails a bundle at cold start with a message naming a missing variable', async () => {
    // Prepare
    const files = unzipSync(await readFile(manifest.notification.file));
    const dir = await tempDir();
    const file = join(dir, HANDLER_FILE);
    await writeFile(file, files[HANDLER_FILE]!);
    // Act
    const script = `await import(${JSON.stringify(pathToFileURL(file).href)}).catch((error) => console.log(error.message));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', script], {
      env: { PATH: process.env.PATH, OWNER_NAME: 'Kyle Maposa', AWS_REGION: 'eu-west-1' },
    });
    // Assess
    expect(stdout).toContain(
      'environment variable TOPIC_ARN: is not set; set it to the alert topic ARN',
    );
  });
});
