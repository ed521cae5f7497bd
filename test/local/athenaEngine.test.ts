import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryEngine, QueryFailure } from '../../local/athena/engine.js';
import { tickersTable } from '../support/athenaEngine.js';

let folder = '';
let engine: QueryEngine;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'athena-engine-'));
  engine = new QueryEngine(join(folder, 'scratch'));
});

afterAll(async () => {
  await engine.close();
  await rm(folder, { recursive: true, force: true });
});

describe('QueryEngine', () => {
  it('fails with HIVE_CANNOT_OPEN_SPLIT, naming the object, when its file is already gone', async () => {
    const running = engine.run('SELECT * FROM tickers', 'db', [
      tickersTable([join(folder, 'never-written')]),
    ]);

    await expect(running).rejects.toThrow(QueryFailure);
    await expect(running).rejects.toMatchObject({
      kind: 'HIVE_CANNOT_OPEN_SPLIT',
      message: expect.stringContaining('s3://bucket/tickers/0'),
    });
  });

  it('fails a query whose file is gone while an earlier query still runs', async () => {
    const file = join(folder, 'earlier.json');
    await writeFile(file, '{"TickerName":"A"}\n'.repeat(10_000));

    const earlier = engine.run('SELECT count(*) FROM tickers', 'db', [tickersTable([file])]);
    const later = engine.run('SELECT count(*) FROM tickers', 'db', [
      tickersTable([join(folder, 'also-never-written')]),
    ]);

    await expect(later).rejects.toMatchObject({ kind: 'HIVE_CANNOT_OPEN_SPLIT' });
    expect((await earlier).rows).toEqual([['10000']]);
  });

  it('leaves no links behind once a query has run', async () => {
    const file = join(folder, 'one.json');
    await writeFile(file, '{"TickerName":"A"}\n');

    const output = await engine.run('SELECT * FROM tickers', 'db', [tickersTable([file])]);

    expect(output.rows).toEqual([['A']]);
    const left = await readdir(join(folder, 'scratch'));
    expect(left.filter((name) => name !== 'cache')).toEqual([]);
  });

  it('reads the objects when its folder’s name holds glob characters', async () => {
    const odd = new QueryEngine(join(folder, 'state [1] *'));
    const file = join(folder, 'two.json');
    await writeFile(file, '{"TickerName":"A"}\n{"TickerName":"B"}\n');

    try {
      const output = await odd.run('SELECT count(*) AS n FROM tickers', 'db', [
        tickersTable([file]),
      ]);

      expect(output.rows).toEqual([['2']]);
    } finally {
      await odd.close();
    }
  });
});
