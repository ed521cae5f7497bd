import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A Parquet copy of one stored file, read with one set of JSON keys and types. */
interface Entry {
  /** The Parquet file's name in the cache folder. */
  name: string;
  /** The stored file it copies: local S3 never changes a file's bytes, it writes a new one. */
  source: string;
  bytes: number;
  /** The keys of the stored file's first line (null if it is no JSON object), as queries look. */
  firstKeys: string[] | null;
  /** When a query last read it (milliseconds), for least-recently-used eviction. */
  used: number;
}

/** What the cache needs to write one Parquet file: the stored file and how to read it. */
export interface CacheRequest {
  source: string;
  /** `read_json`'s columns, `'Key': 'TYPE', ...`, exactly as the query's JSON reader has them. */
  columns: string;
  /** The JSON keys in the order of `columns`, quoted for SQL. */
  keys: readonly string[];
  gzip: boolean;
}

/** Options of the cache. */
export interface ParquetCacheOptions {
  /** The most bytes of Parquet kept; the least recently read files go first. */
  maxBytes: number;
  now: () => number;
}

/** The cache's own record of its files (the only way a file in the folder is ever read). */
const INDEX = 'index.json';

/**
 * Parquet copies of local S3's stored JSON files, one per stored file and reading (keys and
 * types), in one folder. A copy is keyed by its stored file's path, which names one version's bytes
 * for as long as it exists, so a replaced or deleted object can never be answered from a copy:
 * its new file has no copy yet, and the old one is no longer planned. Each file is written under a
 * temporary name and renamed, then listed in the index; at open, every file the index does not
 * list (a crash's leftovers) is removed, so a half-written file is never read.
 */
export class ParquetCache {
  private readonly entries = new Map<string, Entry>();
  /** How many copies each stored file has (one per reading). */
  private readonly sources = new Map<string, number>();
  private opened?: Promise<void>;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    readonly folder: string,
    private readonly options: ParquetCacheOptions,
  ) {}

  /** The Parquet file's name for a stored file read with given keys and types. */
  static nameOf(request: Pick<CacheRequest, 'source' | 'columns' | 'gzip'>): string {
    const hash = createHash('sha256')
      .update(`${request.source}\0${request.columns}\0${request.gzip}`)
      .digest('hex');
    return `${hash.slice(0, 40)}.parquet`;
  }

  /**
   * Loads the index, keeping the entries whose Parquet and stored files both exist, and removes
   * every other file of the folder (copies of stored files gone, half-written files).
   */
  open(): Promise<void> {
    this.opened ??= this.load();
    return this.opened;
  }

  private async load(): Promise<void> {
    await mkdir(this.folder, { recursive: true });
    let listed: Entry[] = [];
    try {
      const parsed: unknown = JSON.parse(await readFile(join(this.folder, INDEX), 'utf8'));
      if (Array.isArray(parsed)) listed = parsed.filter(isEntry);
    } catch {
      // No index, or one cut short: nothing in the folder can be trusted, all of it is removed.
    }
    const present = await Promise.all(
      listed.map(async (entry) => (await exists(entry.source)) && (await exists(this.path(entry)))),
    );
    listed.filter((_, n) => present[n]).forEach((entry) => this.set(entry));
    const names = await readdir(this.folder);
    await Promise.all(
      names
        .filter((name) => name !== INDEX && !this.entries.has(name))
        .map((name) => rm(join(this.folder, name), { recursive: true, force: true })),
    );
    await this.save();
  }

  private path(entry: Pick<Entry, 'name'>): string {
    return join(this.folder, entry.name);
  }

  /** The Parquet copy of a stored file read this way, if there is one, marked as just read. */
  lookup(request: Pick<CacheRequest, 'source' | 'columns' | 'gzip'>): string | undefined {
    const entry = this.entries.get(ParquetCache.nameOf(request));
    if (!entry) return undefined;
    entry.used = this.options.now();
    return this.path(entry);
  }

  /** Whether a copy of this reading exists. */
  has(request: Pick<CacheRequest, 'source' | 'columns' | 'gzip'>): boolean {
    return this.entries.has(ParquetCache.nameOf(request));
  }

  /** A fresh temporary path in the folder for a file about to be written. */
  temporary(): string {
    return join(this.folder, `${randomUUID()}.tmp`);
  }

  /** Renames a completely written temporary file to its copy's name and lists it in the index. */
  async add(request: CacheRequest, written: string, firstKeys: string[] | null): Promise<void> {
    const name = ParquetCache.nameOf(request);
    const { size } = await stat(written);
    await rename(written, join(this.folder, name));
    this.set({ name, source: request.source, bytes: size, firstKeys, used: this.options.now() });
  }

  /** Whether a stored file has a copy of any reading. */
  hasSource(source: string): boolean {
    return this.sources.has(source);
  }

  /** The keys of a copied stored file's first line (null: no JSON object; undefined: no copy). */
  firstKeys(source: string): string[] | null | undefined {
    if (!this.sources.has(source)) return undefined;
    for (const entry of this.entries.values()) if (entry.source === source) return entry.firstKeys;
    return undefined;
  }

  private set(entry: Entry): void {
    if (!this.entries.has(entry.name))
      this.sources.set(entry.source, (this.sources.get(entry.source) ?? 0) + 1);
    this.entries.set(entry.name, entry);
  }

  private delete(entry: Entry): void {
    if (!this.entries.delete(entry.name)) return;
    const left = (this.sources.get(entry.source) ?? 1) - 1;
    if (left > 0) this.sources.set(entry.source, left);
    else this.sources.delete(entry.source);
  }

  /**
   * Drops the copies of stored files that no longer exist, then the least recently read copies
   * until the cache fits its size; nothing if `mayRemove()` says a query may be reading the cache
   * once the stored files are looked at. Entries leave the index at once, before their files go.
   */
  async prune(mayRemove: () => boolean): Promise<void> {
    const all = [...this.entries.values()];
    const alive = await Promise.all(all.map((entry) => exists(entry.source)));
    if (!mayRemove()) return;
    const gone = all.filter((_, n) => !alive[n]);
    const kept = all.filter((_, n) => alive[n]).sort((a, b) => b.used - a.used);
    let total = 0;
    for (const entry of kept) {
      total += entry.bytes;
      if (total > this.options.maxBytes) gone.push(entry);
    }
    for (const entry of gone) this.delete(entry);
    await Promise.all(gone.map((entry) => rm(this.path(entry), { force: true })));
    await this.save();
  }

  /** Removes every copy (while no query reads the cache). */
  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    this.sources.clear();
    await Promise.all(all.map((entry) => rm(this.path(entry), { force: true })));
    await this.save();
  }

  /** The bytes and number of copies held. */
  size(): { files: number; bytes: number } {
    let bytes = 0;
    for (const entry of this.entries.values()) bytes += entry.bytes;
    return { files: this.entries.size, bytes };
  }

  /** Writes the index aside and renames it; one write at a time, so the last one is the newest. */
  private save(): Promise<void> {
    const text = JSON.stringify([...this.entries.values()]);
    this.saving = this.saving
      .catch(() => undefined)
      .then(async () => {
        const temporary = join(this.folder, `${INDEX}.${randomUUID()}.tmp`);
        await writeFile(temporary, text);
        await rename(temporary, join(this.folder, INDEX));
      });
    return this.saving;
  }
}

function isEntry(value: unknown): value is Entry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.name === 'string' &&
    /^[0-9a-f]{40}\.parquet$/.test(entry.name) &&
    typeof entry.source === 'string' &&
    typeof entry.bytes === 'number' &&
    (entry.firstKeys === null ||
      (Array.isArray(entry.firstKeys) &&
        entry.firstKeys.every((key) => typeof key === 'string'))) &&
    typeof entry.used === 'number'
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
