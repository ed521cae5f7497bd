import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { build } from 'esbuild';
import { zipSync } from 'fflate';

/** The Lambda functions and their handler entry points, relative to the repository root. */
export const FUNCTION_ENTRIES = {
  streaming: 'functions/streaming/handler.ts',
  notification: 'functions/notification/handler.ts',
} as const;

/** A function's name in the manifest: `streaming` or `notification`. */
export type FunctionName = keyof typeof FUNCTION_ENTRIES;

/** One built zip, as the deploy step uploads it. */
export interface BuiltFunction {
  /** Path of the zip relative to the repository root, `build/functions/streaming-<hash>.zip` (absolute when outside it). */
  file: string;
  /** Object key in the code bucket: `functions/streaming-<hash>.zip`. */
  key: string;
  /** SHA-256 of the zip, hex. */
  sha256: string;
  bytes: number;
}

/** `build/functions/manifest.json`: every function's zip. */
export type FunctionManifest = Record<FunctionName, BuiltFunction>;

/** Where the zips and the manifest go, relative to the repository root. */
export const BUILD_DIR = 'build/functions';

/** Options of {@link buildFunctions}. */
export interface BuildOptions {
  /** Repository root (default: the current directory). */
  root?: string;
  /** Output directory, resolved against `root` (default {@link BUILD_DIR}). */
  outDir?: string;
}

// A fixed timestamp, given in local time because zip stores local DOS time: the same bundle
// then gives the same zip bytes, and so the same hash, on any machine and in any time zone.
const FIXED_MTIME = new Date(2020, 0, 1, 0, 0, 0);

/** The lambda's file name inside the zip, for the handler `index.handler`. */
export const HANDLER_FILE = 'index.mjs';

/**
 * Bundles one handler for the `nodejs22.x` runtime: ESM, minified, tree-shaken. The AWS SDK v3
 * clients are bundled rather than taken from the runtime: the code then runs with the exact SDK it
 * was tested with (the runtime's copy changes under it without notice), and one minified file
 * loads faster than resolving the runtime's many SDK files.
 */
export async function bundleFunction(entry: string, root = process.cwd()): Promise<Uint8Array> {
  const result = await build({
    absWorkingDir: resolve(root),
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    minify: true,
    treeShaking: true,
    mainFields: ['module', 'main'],
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
    // Some SDK dependencies still call require() for Node built-ins; ESM has no require.
    banner: {
      js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
    },
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild produced no output for ${entry}`);
  return output.contents;
}

/** Zips a bundle as `index.mjs` with fixed metadata, so equal code gives equal bytes. */
export function zipBundle(code: Uint8Array): Uint8Array {
  return zipSync(
    { [HANDLER_FILE]: [code, { mtime: FIXED_MTIME, level: 9, os: 3, attrs: 0o100644 << 16 }] },
    { mtime: FIXED_MTIME },
  );
}

/** First 16 hex characters of the SHA-256 of the zip: the content hash in its file name. */
export function contentHash(sha256: string): string {
  return sha256.slice(0, 16);
}

/**
 * Builds every function into `build/functions/<name>-<hash>.zip` and writes `manifest.json`.
 * Zips of earlier builds are removed so the directory holds exactly what the manifest lists.
 */
export async function buildFunctions(options: BuildOptions = {}): Promise<FunctionManifest> {
  const root = resolve(options.root ?? process.cwd());
  const outDir = resolve(root, options.outDir ?? BUILD_DIR);
  await mkdir(outDir, { recursive: true });
  const names = Object.keys(FUNCTION_ENTRIES) as FunctionName[];
  const zips = await Promise.all(
    names.map(async (name) => zipBundle(await bundleFunction(FUNCTION_ENTRIES[name], root))),
  );
  for (const existing of await readdir(outDir)) {
    if (/^[a-z]+-[0-9a-f]{16}\.zip$/.test(existing)) await rm(join(outDir, existing));
  }
  const manifest = {} as FunctionManifest;
  for (const [index, name] of names.entries()) {
    const zip = zips[index]!;
    const sha256 = createHash('sha256').update(zip).digest('hex');
    const fileName = `${name}-${contentHash(sha256)}.zip`;
    const path = join(outDir, fileName);
    await writeFile(path, zip);
    manifest[name] = {
      file: path.startsWith(`${root}${sep}`) ? relative(root, path).split(sep).join('/') : path,
      key: `functions/${fileName}`,
      sha256,
      bytes: zip.length,
    };
  }
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
