import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Object bytes on disk, each in a file with a generated name, so no key or bucket name ever
 * becomes part of a path. A file is written whole under a temporary name, then renamed: a reader
 * sees the complete bytes or no file. There is no fsync: the page cache outlives a killed process,
 * which is the crash a local emulator meets, and an fsync a PUT would cost it five times its time.
 */
export class DataFiles {
  private readonly tmp: string;

  constructor(private readonly folder: string) {
    this.tmp = join(folder, 'tmp');
  }

  /** Creates the folders and removes leftovers of a run that died mid-write. */
  async open(): Promise<void> {
    await rm(this.tmp, { recursive: true, force: true });
    await mkdir(this.tmp, { recursive: true });
  }

  /** The path of a data file. */
  path(dataId: string): string {
    return join(this.folder, dataId);
  }

  /** Writes bytes (or the concatenation of data files) to a new data file; answers its id and MD5. */
  async write(content: Buffer | readonly string[]): Promise<{ dataId: string; md5: Buffer }> {
    const dataId = randomUUID();
    const temporary = join(this.tmp, dataId);
    const hash = createHash('md5');
    const handle = await open(temporary, 'wx');
    try {
      if (Buffer.isBuffer(content)) {
        hash.update(content);
        await handle.write(content);
      } else {
        for (const part of content) {
          for await (const chunk of createReadStream(this.path(part))) {
            hash.update(chunk as Buffer);
            await handle.write(chunk as Buffer);
          }
        }
      }
    } catch (error: unknown) {
      await handle.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temporary, this.path(dataId));
    return { dataId, md5: hash.digest() };
  }

  /** Removes data files no longer referenced. */
  async remove(dataIds: readonly (string | undefined)[]): Promise<void> {
    await Promise.all(dataIds.map((id) => (id ? rm(this.path(id), { force: true }) : undefined)));
  }

  /** Removes every data file not in `keep` (garbage of crashes and of unfinished uploads). */
  async sweep(keep: ReadonlySet<string>): Promise<void> {
    const names = await readdir(this.folder);
    await this.remove(names.filter((name) => name !== 'tmp' && !keep.has(name)));
  }
}
