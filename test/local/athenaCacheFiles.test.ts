import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QueryEngine } from '../../local/athena/engine.js';
import type { EngineTable, QueryEngineOptions } from '../../local/athena/engine.js';
import { tickersTable } from '../support/athenaEngine.js';

let folder = '';
const engines: QueryEngine[] = [];

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'athena-cache-'));
});

afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
  await rm(folder, { recursive: true, force: true });
});

/** An engine whose scratch (and cache, its `cache/`) is the test's `state/`. */
function engine(options: QueryEngineOptions = {}): QueryEngine {
  const created = new QueryEngine(join(folder, 'state'), options);
  engines.push(created);
  return created;
}

const cacheFolder = () => join(folder, 'state', 'cache');

/** A stored file of `count` records of one ticker, as local S3 keeps an object's bytes. */
async function stored(name: string, ticker: string, count = 1): Promise<string> {
  const file = join(folder, name);
  await writeFile(file, `{"TickerName":"${ticker}"}\n`.repeat(count));
  return file;
}

const tickers = async (on: QueryEngine, files: string[]) =>
  (
    await on.run('SELECT tickername, count(*) FROM tickers GROUP BY 1 ORDER BY 1', 'db', [
      tickersTable(files),
    ])
  ).rows;

const parquetFiles = async () =>
  (await readdir(cacheFolder())).filter((name) => name.endsWith('.parquet'));

describe('QueryEngine’s Parquet cache', () => {
  it('reads a stored file’s copy, not its JSON, once the copy is written', async () => {
    const cached = engine();
    const file = await stored('a.json', 'A');
    await tickers(cached, [file]);
    await cached.cacheSettled();

    // Local S3 never rewrites a stored file; doing so here shows which bytes the query reads.
    await writeFile(file, '{"TickerName":"changed"}\n');
    const rows = await tickers(cached, [file]);

    expect(rows).toEqual([['A', '1']]);
  });

  it('reads the planned bytes from the copy when the stored file is gone by the query’s turn', async () => {
    const cached = engine();
    const file = await stored('a.json', 'A');
    await tickers(cached, [file]);
    await cached.cacheSettled();

    // The object replaced between planning and running: its old file removed.
    await rm(file);
    const rows = await tickers(cached, [file]);

    expect(rows).toEqual([['A', '1']]);
  });

  it('answers a column named as DuckDB’s own file_index from the copy as from the JSON', async () => {
    const cached = engine();
    const file = join(folder, 'odd.json');
    await writeFile(file, '{"file_index":"mine","filename":"too"}\n');
    const odd: EngineTable = {
      ...tickersTable([file]),
      columns: [
        { Name: 'file_index', Type: 'string' },
        { Name: 'filename', Type: 'string' },
      ],
    };
    const sql = 'SELECT file_index, filename FROM tickers';

    const cold = await cached.run(sql, 'db', [odd]);
    await cached.cacheSettled();
    const warm = await cached.run(sql, 'db', [odd]);

    expect(cached.cacheSize().files).toBe(1);
    expect(warm).toEqual(cold);
    expect(cold.rows).toEqual([['mine', 'too']]);
  });

  it('keeps reading as JSON a file whose copy cannot be written', async () => {
    // A price no double reads: a query of the names alone answers, a copy of every column fails.
    const cached = engine();
    const file = join(folder, 'bad.json');
    await writeFile(file, '{"TickerName":"A","Price":"dear"}\n');
    const bad: EngineTable = {
      ...tickersTable([file]),
      columns: [
        { Name: 'tickername', Type: 'string' },
        { Name: 'price', Type: 'double' },
      ],
    };

    const first = await cached.run('SELECT tickername FROM tickers', 'db', [bad]);
    await cached.cacheSettled();
    const again = await cached.run('SELECT tickername FROM tickers', 'db', [bad]);
    await cached.cacheSettled();

    expect(first.rows).toEqual([['A']]);
    expect(again).toEqual(first);
    expect(cached.cacheSize().files).toBe(0);
  });

  it('never reads a file the index does not list (a write cut short) and removes it at open', async () => {
    const first = engine();
    const file = await stored('a.json', 'A');
    await tickers(first, [file]);
    await first.cacheSettled();
    const [copy] = await parquetFiles();
    const bytes = await readFile(join(cacheFolder(), copy!));
    await first.close();
    // A crash: the copy half written under its temporary names, and under its own name unlisted.
    await writeFile(join(cacheFolder(), 'index.json'), '[]');
    await writeFile(join(cacheFolder(), copy!), bytes.subarray(0, bytes.length / 2));
    await writeFile(join(cacheFolder(), 'ab12.tmp'), bytes.subarray(0, 10));
    await writeFile(join(cacheFolder(), 'tmp_ab12.tmp'), bytes.subarray(0, 10));

    const next = engine();
    await next.open();
    const left = await readdir(cacheFolder());
    const rows = await tickers(next, [file]);

    expect(left).toEqual(['index.json']);
    expect(rows).toEqual([['A', '1']]);
  });

  it('trusts no file when the index itself was cut short', async () => {
    const first = engine();
    const file = await stored('a.json', 'A');
    await tickers(first, [file]);
    await first.cacheSettled();
    await first.close();
    await writeFile(join(cacheFolder(), 'index.json'), '[{"name":"');

    const next = engine();
    await next.open();

    expect(await parquetFiles()).toEqual([]);
    expect(next.cacheSize()).toEqual({ files: 0, bytes: 0 });
  });

  it('removes at open the copies of stored files that no longer exist', async () => {
    const first = engine();
    const kept = await stored('kept.json', 'K');
    const gone = await stored('gone.json', 'G');
    await tickers(first, [kept, gone]);
    await first.cacheSettled();
    await first.close();
    await rm(gone);

    const next = engine();
    await next.open();

    expect(next.cacheSize().files).toBe(1);
    expect(await parquetFiles()).toHaveLength(1);
  });

  it('keeps to its size by dropping the least recently read copies', async () => {
    // Prepare: one copy's size, from an engine of its own.
    const a = await stored('a.json', 'A', 500);
    const b = await stored('b.json', 'B', 500);
    const probe = new QueryEngine(join(folder, 'probe'));
    await tickers(probe, [a]);
    await probe.cacheSettled();
    const one = probe.cacheSize().bytes;
    await probe.close();
    let clock = 0;
    const small = engine({ cacheBytes: Math.floor(one * 1.5), now: () => ++clock });

    // Act: A copied, then B copied (A least recently read), then files changed to show which is read.
    await tickers(small, [a]);
    await small.cacheSettled();
    await tickers(small, [b]);
    await small.cacheSettled();
    const size = small.cacheSize();
    await writeFile(a, '{"TickerName":"a-now"}\n');
    await writeFile(b, '{"TickerName":"b-now"}\n');
    const rows = await tickers(small, [a, b]);

    // Assess: one copy held, B's: A is read as JSON.
    expect(size.files).toBe(1);
    expect(size.bytes).toBeLessThanOrEqual(one * 1.5);
    expect(rows).toEqual([
      ['B', '500'],
      ['a-now', '1'],
    ]);
  });

  it('runs a query that arrives while copies are written before the rest of them', async () => {
    const many = await Promise.all(
      Array.from({ length: 20 }, (_, n) => stored(`${n}.json`, `T${n}`, 100)),
    );
    const busy = engine();
    await tickers(busy, many);

    const rows = await tickers(busy, [many[0]!]);
    const copiesWhenAnswered = busy.cacheSize().files;
    await busy.cacheSettled();

    // The copies wait for the query, not the query for them: a file under way at most.
    expect(rows).toEqual([['T0', '100']]);
    expect(copiesWhenAnswered).toBeLessThan(many.length);
    expect(busy.cacheSize().files).toBe(many.length);
  });
});
