import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Thrown when local AWS cannot start, with what to do about it. */
export class LocalAwsStartError extends Error {
  override name = 'LocalAwsStartError';
}

const LOCK_FILE = 'local-aws.lock';

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

/** Empties a state folder, keeping the lock that this process holds on it. */
export async function clearStateDir(stateDir: string): Promise<void> {
  const entries = await readdir(stateDir);
  await Promise.all(
    entries
      .filter((entry) => entry !== LOCK_FILE)
      .map((entry) => rm(join(stateDir, entry), { recursive: true, force: true })),
  );
}
