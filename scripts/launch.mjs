// Runs a command-line script from an esbuild bundle in build/scripts/, rebuilding the bundle
// first when it is missing or any of its source files is newer. Compiling TypeScript at every
// start (tsx) costs a second and tens of MiB; the bundle starts like any Node program.
// Plain JavaScript, so that it needs no compiler itself. Usage: node scripts/launch.mjs <script> [args]
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'build', 'scripts');
/** The scripts that may be launched this way. */
const SCRIPTS = new Set(['start', 'local-aws', 'validate']);
/** Local Lambda's runtime, which it finds beside its own module: beside the bundle, once bundled. */
const BOOTSTRAP = join(ROOT, 'local', 'lambda', 'runtime', 'bootstrap.mjs');

/** Whether the bundle is older than any file it was built from (or than this launcher). */
async function isStale(bundle, metafile) {
  let built;
  try {
    built = (await stat(bundle)).mtimeMs;
  } catch {
    return true;
  }
  let inputs;
  try {
    inputs = Object.keys(JSON.parse(await readFile(metafile, 'utf8')).inputs);
  } catch {
    return true;
  }
  const sources = [
    ...inputs.map((input) => join(ROOT, input)),
    fileURLToPath(import.meta.url),
    BOOTSTRAP,
  ];
  const times = await Promise.all(
    sources.map((file) =>
      stat(file).then(
        (s) => s.mtimeMs,
        () => Infinity,
      ),
    ),
  );
  return times.some((time) => time > built);
}

/** Bundles scripts/<name>.ts (our code only; packages stay in node_modules) into build/scripts/. */
async function bundle(name, file, metafile) {
  const { build } = await import('esbuild');
  // Written aside and renamed, so that a second launch at the same moment never runs half a file.
  const partial = `${file}.${process.pid}.partial`;
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [`scripts/${name}.ts`],
    outfile: partial,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    metafile: true,
    logLevel: 'warning',
  });
  await mkdir(join(OUT_DIR, 'runtime'), { recursive: true });
  const runtime = join(OUT_DIR, 'runtime', 'bootstrap.mjs');
  await copyFile(BOOTSTRAP, `${runtime}.${process.pid}.partial`);
  await rename(`${runtime}.${process.pid}.partial`, runtime);
  await writeFile(`${metafile}.${process.pid}.partial`, JSON.stringify(result.metafile));
  await rename(`${metafile}.${process.pid}.partial`, metafile);
  // The bundle last: its time is what later launches compare the sources against.
  await rename(partial, file);
  // esbuild's service process would otherwise stay until exit.
  const { stop } = await import('esbuild');
  await stop();
}

const [name, ...args] = process.argv.slice(2);
if (!SCRIPTS.has(name ?? '')) {
  process.stderr.write(`usage: node scripts/launch.mjs <${[...SCRIPTS].join('|')}> [args]\n`);
  process.exit(2);
}
const file = join(OUT_DIR, `${name}.mjs`);
const metafile = join(OUT_DIR, `${name}.meta.json`);
await mkdir(OUT_DIR, { recursive: true });
if (await isStale(file, metafile)) await bundle(name, file, metafile);
const { main } = await import(pathToFileURL(file).href);
process.exitCode = await main(args);
