import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lib/config/load.js';
import { MAX_PRICE, MAX_TICKER_NAME_BYTES } from '../../../lib/config/limits.js';
import { validateConfigFile } from '../../../lib/validate.js';
import type { Finding } from '../../../lib/errors.js';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'config-hardening-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const VALID = {
  firstName: 'Kyle',
  lastName: 'Maposa',
  alertEmails: ['kyle@maposa.dev'],
  bucketReadAccess: 'private',
};

let files = 0;
/** Writes `text` to a config file and validates it as `npm run validate` does. */
async function errorsOf(text: string): Promise<Finding[]> {
  const file = join(folder, `config-${++files}.json`);
  await writeFile(file, text);
  const report = await validateConfigFile(file);
  if (report.ok) throw new Error('expected the config to be invalid');
  return report.errors.map(({ file: _file, ...rest }) => rest);
}

const tickers = (...prices: number[]) =>
  JSON.stringify(
    { ...VALID, tickers: prices.map((price, index) => ({ name: `T${index}`, price })) },
    null,
    2,
  );

describe('config prices', () => {
  it('rejects a price DynamoDB cannot store, naming the field and the allowed range', async () => {
    expect(await errorsOf(tickers(1, 2, 1e300))).toEqual([
      {
        path: 'tickers[2].price',
        message:
          'must be at most 1000000000, not 1e+300: prices run from 0.01 to 1000000000 (one billion), ' +
          'which the streaming function and DynamoDB keep exactly in whole cents',
        line: 19,
        column: 7,
      },
    ]);
  });

  it('accepts the largest price with its cents', () => {
    const price = MAX_PRICE - 0.01;
    expect(parseConfig(tickers(price)).tickers[0]!.price).toBe(price);
    expect(parseConfig(tickers(MAX_PRICE)).tickers[0]!.price).toBe(MAX_PRICE);
  });

  it('suggests a valid price for one with too many decimals', async () => {
    const [tiny, long] = await errorsOf(tickers(0.001, 12.345));
    expect(tiny?.message).toBe(
      'must have at most two decimal places (prices are in cents), such as 0.01',
    );
    expect(long?.message).toBe(
      'must have at most two decimal places (prices are in cents), such as 12.35',
    );
  });
});

describe('config ticker names', () => {
  it(`accepts a name of ${MAX_TICKER_NAME_BYTES} bytes and rejects one byte more`, async () => {
    const name = (length: number) =>
      JSON.stringify({ ...VALID, tickers: [{ name: 'x'.repeat(length), price: 1 }] });
    expect(parseConfig(name(MAX_TICKER_NAME_BYTES)).tickers[0]!.name).toHaveLength(64);
    expect((await errorsOf(name(MAX_TICKER_NAME_BYTES + 1)))[0]?.path).toBe('tickers[0].name');
  });
});

describe('config keys given twice', () => {
  it('points at the second key and names the line of the first', async () => {
    const text = [
      '{',
      '  "firstName": "Kyle",',
      '  "lastName": "Maposa",',
      '  "alertEmails": ["kyle@maposa.dev"],',
      '  "firstName": "Kylie",',
      '  "bucketReadAccess": "private"',
      '}',
    ].join('\n');
    expect(await errorsOf(text)).toEqual([
      {
        path: 'firstName',
        message:
          '"firstName" is given twice (first on line 2); JSON keeps only the last one, so remove one of them',
        line: 5,
        column: 3,
      },
    ]);
  });

  it('finds a repeated key at any depth', async () => {
    const text = JSON.stringify({ ...VALID, tickers: [{ name: 'A', price: 1 }] }, null, 2).replace(
      '"price": 1',
      '"price": 1,\n      "price": 2',
    );
    expect(await errorsOf(text)).toEqual([
      expect.objectContaining({ path: 'tickers[0].price', line: 12, column: 7 }),
    ]);
  });

  it('reports a repeated key together with the other errors', async () => {
    const text =
      '{"firstName": "Kyle", "firstName": "K1", "lastName": "Maposa", "alertEmails": [], "bucketReadAccess": "private"}';
    expect((await errorsOf(text)).map((finding) => finding.path)).toEqual([
      'firstName',
      'firstName',
      'alertEmails',
    ]);
  });
});

describe('config names too long for a bucket', () => {
  it('gives the position of lastName, where the error is reported', async () => {
    const text = JSON.stringify(
      { ...VALID, firstName: 'Maximilianalexander', lastName: 'Vonundzuhohenzollernbergs' },
      null,
      2,
    );
    expect(await errorsOf(text)).toEqual([
      {
        path: 'lastName',
        message: expect.stringContaining('is 64 characters; at most 63 are allowed'),
        line: 3,
        column: 3,
      },
    ]);
  });
});
