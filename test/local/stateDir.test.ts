import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalAwsStartError, startLocalAws } from '../../local/index.js';
import type { LocalAws } from '../../local/index.js';
import { MARKER_FILE } from '../../local/stateLock.js';

const running: LocalAws[] = [];
const folders: string[] = [];

async function folder(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'local-aws-state-'));
  folders.push(path);
  return path;
}

async function start(stateDir: string, reset = false): Promise<LocalAws> {
  const local = await startLocalAws({ port: 0, stateDir, reset });
  running.push(local);
  return local;
}

/** A folder that is somebody's work, as the repository root is. */
async function someonesWork(): Promise<string> {
  const path = await folder();
  await writeFile(join(path, 'package.json'), '{"name":"mine"}');
  await mkdir(join(path, 'src'));
  await writeFile(join(path, 'src', 'index.ts'), 'export {};');
  return path;
}

/** The state folder the version before the marker left: its own entries and no marker. */
async function unmarkedState(): Promise<string> {
  const path = await folder();
  for (const entry of ['dynamodb/eu-west-1', 's3/kept-bucket', 'sns', 'outbox']) {
    await mkdir(join(path, entry), { recursive: true });
  }
  await writeFile(join(path, 'outbox', 'alert.eml'), 'Subject: kept\r\n\r\nkept');
  return path;
}

function runLocalAws(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', 'local-aws', '--', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((local) => local.stop()));
  await Promise.all(folders.splice(0).map((path) => rm(path, { recursive: true, force: true })));
});

describe('local AWS state folder', () => {
  it('refuses --reset on a folder it did not make, deleting nothing', async () => {
    const stateDir = await someonesWork();

    const { code, output } = await runLocalAws(['--reset', '--state-dir', stateDir, '--port', '0']);

    expect(code).toBe(1);
    expect(output).toContain(
      `error: the state folder ${stateDir} was not made by local AWS and is not empty (it holds package.json, src); ` +
        'local AWS keeps its state only in a folder it made or an empty one, so that --reset cannot ' +
        'delete anything else: choose a new or empty folder with --state-dir',
    );
    expect((await readdir(stateDir)).sort()).toEqual(['package.json', 'src']);
  }, 30_000);

  it('refuses to start in a folder of other files, writing nothing there', async () => {
    const stateDir = await someonesWork();

    await expect(start(stateDir)).rejects.toThrow(LocalAwsStartError);
    expect((await readdir(stateDir)).sort()).toEqual(['package.json', 'src']);
  });

  it('makes a folder that does not exist yet, and marks it as its own', async () => {
    const stateDir = join(await folder(), 'new', 'state');

    await start(stateDir);

    expect(await readdir(stateDir)).toContain(MARKER_FILE);
  });

  it('claims an empty folder by marking it', async () => {
    const stateDir = await folder();

    await start(stateDir);

    expect(await readdir(stateDir)).toContain(MARKER_FILE);
  });

  it('resets a folder it made, keeping only its marker', async () => {
    const stateDir = await folder();
    await (await start(stateDir)).stop();
    await mkdir(join(stateDir, 'outbox'), { recursive: true });
    await writeFile(join(stateDir, 'outbox', 'old.eml'), 'old');

    const local = await start(stateDir, true);
    await local.stop();

    expect(existsSync(join(stateDir, 'outbox', 'old.eml'))).toBe(false);
    expect(await readFile(join(stateDir, MARKER_FILE), 'utf8')).toContain('local AWS');
  });

  it('keeps the state of the version before the marker, and marks it', async () => {
    const stateDir = await unmarkedState();

    await start(stateDir);

    expect(await readFile(join(stateDir, 'outbox', 'alert.eml'), 'utf8')).toContain('kept');
    expect(await readdir(stateDir)).toContain(MARKER_FILE);
  });

  it('resets the state of the version before the marker', async () => {
    const stateDir = await unmarkedState();

    await start(stateDir, true);

    expect(existsSync(join(stateDir, 'outbox', 'alert.eml'))).toBe(false);
    expect(existsSync(join(stateDir, 's3', 'kept-bucket'))).toBe(false);
  });

  it('refuses an unmarked folder that holds anything the earlier version did not make', async () => {
    const stateDir = await unmarkedState();
    await writeFile(join(stateDir, 'notes.txt'), 'mine');

    await expect(start(stateDir, true)).rejects.toThrow(
      `the state folder ${stateDir} was not made by local AWS and is not empty`,
    );
    expect(await readFile(join(stateDir, 'outbox', 'alert.eml'), 'utf8')).toContain('kept');
  });

  it('refuses a state folder that is a file', async () => {
    const stateDir = join(await folder(), 'a-file');
    await writeFile(stateDir, 'not a folder');

    await expect(start(stateDir)).rejects.toThrow(
      `the state folder ${stateDir} is a file, not a folder; choose a folder with --state-dir`,
    );
  });
});
