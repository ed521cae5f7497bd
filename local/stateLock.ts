import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Thrown when local AWS cannot start, with what to do about it. */
export class LocalAwsStartError extends Error {
  override name = 'LocalAwsStartError';
}

const LOCK_FILE = 'local-aws.lock';

/** Marks a folder as made (or claimed empty) by local AWS: only such a folder is ever emptied. */
export const MARKER_FILE = 'local-aws-state.json';

/**
 * What the version before the marker made in its state folder (`s3/` on every start). A folder
 * holding `s3/` and nothing but these is taken to be its state (a developer's `.local/`) and is
 * marked, so that an upgrade keeps the tables, objects and outbox it holds.
 */
const UNMARKED_ENTRIES = new Set([
  'dynamodb',
  's3',
  's3-config',
  'firehose',
  'sns',
  'outbox',
  LOCK_FILE,
]);

const MARKER = {
  madeBy: 'local AWS (npm run local-aws)',
  note: 'local AWS keeps its state here; --reset empties this folder, and only folders with this file',
};

function madeBeforeTheMarker(entries: string[]): boolean {
  return entries.includes('s3') && entries.every((entry) => UNMARKED_ENTRIES.has(entry));
}

/** The entries of a folder, or undefined when there is no folder. */
async function entriesOf(folder: string): Promise<string[] | undefined> {
  try {
    return await readdir(folder);
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') {
      throw new LocalAwsStartError(
        `the state folder ${folder} is a file, not a folder; choose a folder with --state-dir`,
      );
    }
    throw error;
  }
}

/**
 * Makes sure a state folder is local AWS's own before anything is written to it: a new folder or
 * an empty one is marked as such; a folder with other content is refused, so that local AWS never
 * scatters its files into, say, the repository root, and `--reset` can never delete what it did
 * not make.
 */
export async function claimStateDir(stateDir: string): Promise<void> {
  const entries = await entriesOf(stateDir);
  if (entries?.includes(MARKER_FILE)) return;
  if (entries && entries.length > 0 && !madeBeforeTheMarker(entries)) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', ...' : '');
    throw new LocalAwsStartError(
      `the state folder ${stateDir} was not made by local AWS and is not empty (it holds ${shown}); ` +
        'local AWS keeps its state only in a folder it made or an empty one, so that --reset cannot ' +
        'delete anything else: choose a new or empty folder with --state-dir',
    );
  }
  await mkdir(stateDir, { recursive: true });
  await writeFile(join(stateDir, MARKER_FILE), `${JSON.stringify(MARKER, null, 2)}\n`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims a state folder for one running local AWS: two at once would corrupt its stores. A lock
 * left by a process that no longer runs is taken over. Returns the release function.
 */
export async function lockStateDir(stateDir: string): Promise<() => Promise<void>> {
  await mkdir(stateDir, { recursive: true });
  const lock = join(stateDir, LOCK_FILE);
  for (;;) {
    try {
      await writeFile(lock, JSON.stringify({ pid: process.pid }), { flag: 'wx' });
      return () => rm(lock, { force: true });
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readFile(lock, 'utf8')
      .then((text) => Number((JSON.parse(text) as { pid?: unknown }).pid))
      .catch(() => NaN);
    if (Number.isInteger(holder) && alive(holder)) {
      throw new LocalAwsStartError(
        `the state folder ${stateDir} is in use by another local AWS (process ${holder}); ` +
          'stop that one, or give this one its own folder with --state-dir',
      );
    }
    await rm(lock, { force: true }); // stale: its process is gone
  }
}

/**
 * Empties a state folder that `claimStateDir` has claimed, keeping its marker and the lock this
 * process holds on it; refuses any other folder.
 */
export async function clearStateDir(stateDir: string): Promise<void> {
  const entries = (await entriesOf(stateDir)) ?? [];
  if (!entries.includes(MARKER_FILE)) {
    throw new LocalAwsStartError(
      `refusing to empty ${stateDir}: it has no ${MARKER_FILE}, so local AWS did not make it`,
    );
  }
  await Promise.all(
    entries
      .filter((entry) => entry !== LOCK_FILE && entry !== MARKER_FILE)
      .map((entry) => rm(join(stateDir, entry), { recursive: true, force: true })),
  );
}
