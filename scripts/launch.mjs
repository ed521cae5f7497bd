// Runs a command-line script from an esbuild build in build/scripts/<script>/, rebuilding it first
// when it is missing or any of its source files is newer. Compiling TypeScript at every start (tsx)
// costs a second and tens of MiB; the build starts like any Node program. It is split: each
// `await import()` of our own code (local AWS loads a service on its first use) is a chunk of its
// own, so the packages that service needs load only then.
// Plain JavaScript, so that it needs no compiler itself. Usage: node scripts/launch.mjs <script> [args]
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where builds go: build/scripts/, or LAUNCH_OUT_DIR (tests that must not disturb the shared one). */
const OUT_DIR = process.env.LAUNCH_OUT_DIR
  ? resolve(process.env.LAUNCH_OUT_DIR)
  : join(ROOT, 'build', 'scripts');
/** The scripts that may be launched this way. */
const SCRIPTS = new Set(['start', 'local-aws', 'validate']);
/** Local Lambda's runtime, which it finds beside its own module: beside the chunks, once built. */
const BOOTSTRAP = join(ROOT, 'local', 'lambda', 'runtime', 'bootstrap.mjs');

/** Files of earlier builds are removed once this old: a process running one may load a chunk late. */
const KEEP_OLD_BUILDS_MS = 24 * 3600_000;

/** Writes a file whole or not at all: aside, then renamed over the name. */
async function writeAtomically(file, contents) {
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, contents);
  await rename(partial, file);
}

/**
 * The entry file of the last complete build, or undefined when there is none, one of its files is
 * missing, or any file it was built from (or this launcher) is newer than it.
 */
async function currentBuild(dir, name) {
  let meta;
  let built;
  try {
    const file = join(dir, 'meta.json');
    built = (await stat(file)).mtimeMs;
    meta = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  const outputs = Object.keys(meta.outputs ?? {});
  const entry = outputs.find((output) => meta.outputs[output].entryPoint === `scripts/${name}.ts`);
  if (!entry) return undefined;
  const sources = [
    ...Object.keys(meta.inputs).map((input) => join(ROOT, input)),
    fileURLToPath(import.meta.url),
    BOOTSTRAP,
  ];
  const [times, present] = await Promise.all([
    Promise.all(
      sources.map((file) =>
        stat(file).then(
          (s) => s.mtimeMs,
          () => Infinity,
        ),
      ),
    ),
    // Every chunk too: one is loaded only when its service is first used, long after the start.
    Promise.all(
      [...outputs, join(relative(ROOT, dir), 'runtime', 'bootstrap.mjs')].map((output) =>
        stat(join(ROOT, output)).then(
          () => true,
          () => false,
        ),
      ),
    ),
  ]);
  if (times.some((time) => time > built) || present.includes(false)) return undefined;
  return join(ROOT, entry);
}

/**
 * Builds scripts/<name>.ts (our code only; packages stay in node_modules) into build/scripts/<name>/.
 * Files are named by their content's hash and each is written aside and renamed, and meta.json
 * (which names the entry) is written last: a launch at the same moment, or a process still running
 * an older build and loading one of its chunks late, never reads half a build.
 */
async function build(dir, name) {
  const esbuild = await import('esbuild');
  try {
    const result = await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: [`scripts/${name}.ts`],
      outdir: dir,
      entryNames: '[name]-[hash]',
      chunkNames: 'chunk-[hash]',
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      metafile: true,
      write: false,
      logLevel: 'warning',
    });
    await mkdir(join(dir, 'runtime'), { recursive: true });
    for (const output of result.outputFiles) {
      // Same name, same content: a file another launch already wrote stays as it is.
      const exists = await stat(output.path).then(
        () => true,
        () => false,
      );
      if (!exists) await writeAtomically(output.path, output.contents);
    }
    const runtime = join(dir, 'runtime', 'bootstrap.mjs');
    await copyFile(BOOTSTRAP, `${runtime}.${process.pid}.partial`);
    await rename(`${runtime}.${process.pid}.partial`, runtime);
    // Last: its time is what later launches compare the sources against.
    await writeAtomically(join(dir, 'meta.json'), JSON.stringify(result.metafile));
    const current = new Set(result.outputFiles.map((output) => output.path));
    const now = Date.now();
    for (const file of await readdir(dir)) {
      const path = join(dir, file);
      if (!file.endsWith('.mjs') || current.has(path)) continue;
      const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: now }));
      if (now - mtimeMs > KEEP_OLD_BUILDS_MS) await rm(path, { force: true });
    }
    const entry = Object.keys(result.metafile.outputs).find(
      (output) => result.metafile.outputs[output].entryPoint === `scripts/${name}.ts`,
    );
    return join(ROOT, entry);
  } finally {
    // esbuild's service process would otherwise stay until exit.
    await esbuild.stop();
  }
}

// The AWS SDK warns on Node 20 that its releases from January 2027 will need Node 22; the
// project pins its SDK versions, so the warning is not the user's to act on. (Node's
// --disable-warning cannot drop it: the SDK emits a plain Warning named in its message.)
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const [name, ...args] = process.argv.slice(2);
if (!SCRIPTS.has(name ?? '')) {
  process.stderr.write(`usage: node scripts/launch.mjs <${[...SCRIPTS].join('|')}> [args]\n`);
  process.exit(2);
}
const dir = join(OUT_DIR, name);
await mkdir(dir, { recursive: true });
const entry = (await currentBuild(dir, name)) ?? (await build(dir, name));
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(args);
