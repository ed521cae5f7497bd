import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { ObjectVersion, VersionChange } from './versions.js';
import { applyChange } from './versions.js';

/**
 * A bucket's object index on disk: one JSON line per change, appended, so a PUT never rewrites
 * the index. A line cut short by a crash is ignored on load; loading compacts the file.
 */
export class Journal {
  private handle?: FileHandle;
  private appending: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  /** Reads every version the file records, then rewrites it with only what is current. */
  async load(): Promise<Map<string, ObjectVersion[]>> {
    const objects = new Map<string, ObjectVersion[]>();
    let text = '';
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const line of text.split('\n')) {
      if (!line.endsWith('}')) continue; // Empty, or torn by a crash mid-write.
      let change: VersionChange;
      try {
        change = JSON.parse(line) as VersionChange;
      } catch {
        continue;
      }
      const next = applyChange(objects.get(change.key) ?? [], change);
      if (next.length > 0) objects.set(change.key, next);
      else objects.delete(change.key);
    }
    const lines: string[] = [];
    for (const [key, versions] of objects) {
      for (const version of [...versions].reverse())
        lines.push(JSON.stringify({ key, add: version, remove: [] }));
    }
    const temporary = `${this.path}.tmp`;
    await writeFile(temporary, lines.map((line) => `${line}\n`).join(''));
    await rename(temporary, this.path);
    return objects;
  }

  /** Appends one change; the line is written with a single call so a crash cannot interleave it. */
  append(change: VersionChange): Promise<void> {
    const line = `${JSON.stringify(change)}\n`;
    this.appending = this.appending.then(async () => {
      this.handle ??= await open(this.path, 'a');
      await this.handle.write(line);
    });
    const appended = this.appending;
    this.appending = appended.catch(() => undefined);
    return appended;
  }

  /** Closes the file after the appends in flight. */
  async close(): Promise<void> {
    await this.appending;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  /** Closes and removes the file (the bucket is deleted). */
  async remove(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true });
  }
}
