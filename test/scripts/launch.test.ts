import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A build folder of this file's own, inside the repository so that packages resolve from it. */
let outDir = '';

/** Runs `node scripts/launch.mjs local-aws --help` with the builds in `outDir`. */
async function launchHelp(): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['scripts/launch.mjs', 'local-aws', '--help'], {
    env: { ...process.env, LAUNCH_OUT_DIR: outDir, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

interface Meta {
  inputs: Record<string, unknown>;
  outputs: Record<
    string,
    {
      entryPoint?: string;
      inputs: Record<string, unknown>;
      imports: { path: string; kind: string }[];
    }
  >;
}

const readMeta = async () =>
  JSON.parse(await readFile(join(outDir, 'local-aws', 'meta.json'), 'utf8')) as Meta;

beforeAll(async () => {
  outDir = await mkdtemp(join(process.cwd(), 'build', 'test-launch-'));
  const { code, output } = await launchHelp();
  if (code !== 0) throw new Error(`the first launch failed:\n${output}`);
}, 120_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('scripts/launch.mjs', () => {
  it('runs the script from its build', async () => {
    const { code, output } = await launchHelp();

    expect(code).toBe(0);
    expect(output).toContain('Usage: npm run local-aws');
  });

  it('splits the build so that a service module and its packages load only when imported', async () => {
    const meta = await readMeta();
    const entry = Object.keys(meta.outputs).find(
      (output) => meta.outputs[output]!.entryPoint === 'scripts/local-aws.ts',
    )!;
    // Everything the entry loads at start: its static imports, followed through our chunks.
    const loaded = new Set<string>();
    const queue = [entry];
    while (queue.length > 0) {
      const output = queue.pop()!;
      if (loaded.has(output)) continue;
      loaded.add(output);
      for (const imported of meta.outputs[output]!.imports)
        if (imported.kind === 'import-statement' && imported.path in meta.outputs)
          queue.push(imported.path);
    }
    const atStart = [...loaded].flatMap((output) => Object.keys(meta.outputs[output]!.inputs));
    const externalsAtStart = [...loaded].flatMap((output) =>
      meta.outputs[output]!.imports.filter(
        (imported) => imported.kind === 'import-statement' && !(imported.path in meta.outputs),
      ).map((imported) => imported.path),
    );

    expect(atStart).toContain('local/index.ts');
    expect(atStart).not.toContain('local/athena/index.ts');
    expect(atStart).not.toContain('local/cloudformation/index.ts');
    expect(externalsAtStart.filter((path) => !path.startsWith('node:'))).toEqual([]);
  });

  it('builds again when a chunk of the build is missing', async () => {
    const meta = await readMeta();
    const chunk = Object.keys(meta.outputs).find((output) => !meta.outputs[output]!.entryPoint)!;
    const before = (await stat(join(outDir, 'local-aws', 'meta.json'))).mtimeMs;
    await unlink(join(process.cwd(), chunk));

    const { code } = await launchHelp();
    const files = await readdir(join(outDir, 'local-aws'));

    expect(code).toBe(0);
    expect(files).toContain(chunk.split('/').pop());
    expect((await stat(join(outDir, 'local-aws', 'meta.json'))).mtimeMs).toBeGreaterThan(before);
  }, 120_000);
});
