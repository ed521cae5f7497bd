import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The last write queued for each path. Services make a JsonFile per call, so writes are chained
 * per path, not per instance: two writes at once (parallel calls, such as CloudFormation deleting
 * two roles) would otherwise race on the same temporary file.
 */
const writing = new Map<string, Promise<void>>();

/** A JSON document on disk, written atomically so a crash never leaves half a file. */
export class JsonFile<T> {
  constructor(
    readonly path: string,
    private readonly empty: () => T,
  ) {}

  /** Reads the document, or the empty value when there is none yet. */
  async read(): Promise<T> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as T;
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.empty();
      throw error;
    }
  }

  /** Replaces the document; writes are serialised in call order. */
  write(value: T): Promise<void> {
    const text = JSON.stringify(value, null, 2);
    const previous = writing.get(this.path) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        await mkdir(dirname(this.path), { recursive: true });
        const temporary = `${this.path}.${process.pid}.tmp`;
        await writeFile(temporary, text);
        await rename(temporary, this.path);
      });
    writing.set(this.path, next);
    void next
      .finally(() => {
        if (writing.get(this.path) === next) writing.delete(this.path);
      })
      .catch(() => undefined);
    return next;
  }
}
