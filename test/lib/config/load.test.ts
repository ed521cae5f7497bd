import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../lib/config/load.js';
import { DEFAULT_TICKERS } from '../../../lib/config/schema.js';
import { ValidationError } from '../../../lib/errors.js';
import type { Finding } from '../../../lib/errors.js';
import { useTempDir } from '../../support/tempDir.js';

const tempDir = useTempDir('config-');

const VALID = {
  firstName: 'Kyle',
  lastName: 'Maposa',
  alertEmails: ['kyle@example.com'],
  bucketReadAccess: 'private',
};

function findings(config: unknown): Finding[] {
  try {
    parseConfig(JSON.stringify(config, null, 2), 'test.json');
  } catch (error: unknown) {
    if (error instanceof ValidationError) return error.findings;
    throw error;
  }
  throw new Error('expected the config to be invalid');
}

function only(config: unknown): Pick<Finding, 'path' | 'message'> {
  const all = findings(config);
  expect(all).toHaveLength(1);
  return { path: all[0]!.path, message: all[0]!.message };
}

describe('parseConfig', () => {
  it('fills in the defaults of the tutorial', () => {
    const config = parseConfig(JSON.stringify(VALID));
    expect(config).toEqual({
      ...VALID,
      region: 'eu-west-1',
      tickers: DEFAULT_TICKERS,
      scheduleMinutes: 1,
      deliveryBufferSeconds: 60,
    });
  });

  it('accepts $schema, an account list and custom tickers', () => {
    const config = parseConfig(
      JSON.stringify({
        ...VALID,
        $schema: './pipeline.config.schema.json',
        bucketReadAccess: { accounts: ['012345678901'] },
        tickers: [{ name: 'ACME', price: 12.5 }],
        scheduleMinutes: 5,
        deliveryBufferSeconds: 0,
      }),
    );
    expect(config.bucketReadAccess).toEqual({ accounts: ['012345678901'] });
    expect(config.tickers).toEqual([{ name: 'ACME', price: 12.5 }]);
    expect(config.deliveryBufferSeconds).toBe(0);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'a missing firstName',
      { firstName: undefined },
      'firstName',
      'required: a name in Latin letters, such as "Kyle"',
    ],
    [
      'a numeric lastName',
      { lastName: 5 },
      'lastName',
      'must be a name in Latin letters, such as "Maposa", not number 5',
    ],
    [
      'an empty firstName',
      { firstName: '  ' },
      'firstName',
      'must not be empty: write a name such as "Kyle"',
    ],
    [
      'a firstName with digits',
      { firstName: 'K1' },
      'firstName',
      '"K1" contains "1", which is not a letter; AWS resource names need the name in Latin letters (A-Z, accents are fine), such as "Kyle"',
    ],
    [
      'a region that does not exist',
      { region: 'eu-west-9' },
      'region',
      '"eu-west-9" is not an AWS region code; did you mean "eu-west-1"?',
    ],
    [
      'a region far from any',
      { region: 'mars' },
      'region',
      '"mars" is not an AWS region code; use one such as "eu-west-1"',
    ],
    [
      'a region that is not a string',
      { region: 1 },
      'region',
      'must be an AWS region code such as "eu-west-1", not number 1',
    ],
    [
      'missing alertEmails',
      { alertEmails: undefined },
      'alertEmails',
      'required: a list of email addresses, such as ["kyle@example.com"]',
    ],
    [
      'a single email instead of a list',
      { alertEmails: 'kyle@example.com' },
      'alertEmails',
      'must be a list of email addresses, such as ["kyle@example.com"], not the string "kyle@example.com"',
    ],
    [
      'no alertEmails',
      { alertEmails: [] },
      'alertEmails',
      'must list at least one email address, such as ["kyle@example.com"]',
    ],
    [
      'a bad email',
      { alertEmails: ['kyle'] },
      'alertEmails[0]',
      '"kyle" is not an email address; write one such as "kyle@example.com"',
    ],
    [
      'a repeated email',
      { alertEmails: ['a@b.co', 'A@b.co'] },
      'alertEmails',
      'lists an email address twice; list each once',
    ],
    [
      'missing bucketReadAccess',
      { bucketReadAccess: undefined },
      'bucketReadAccess',
      'required: "authenticated-aws-accounts" or "private" or {"accounts": ["123456789012"]}',
    ],
    [
      'an unknown bucketReadAccess',
      { bucketReadAccess: 'public' },
      'bucketReadAccess',
      'must be "authenticated-aws-accounts" or "private" or {"accounts": ["123456789012"]}, not the string "public"',
    ],
    [
      'a short account ID',
      { bucketReadAccess: { accounts: ['1234'] } },
      'bucketReadAccess.accounts[0]',
      '"1234" is not an AWS account ID; write exactly 12 digits, such as "123456789012"',
    ],
    [
      'a numeric account ID',
      { bucketReadAccess: { accounts: [123456789012] } },
      'bucketReadAccess.accounts[0]',
      'must be a 12-digit AWS account ID in quotes, such as "123456789012", not number 123456789012',
    ],
    [
      'no accounts',
      { bucketReadAccess: { accounts: [] } },
      'bucketReadAccess.accounts',
      'must list at least one 12-digit account ID',
    ],
    [
      'a repeated account',
      { bucketReadAccess: { accounts: ['123456789012', '123456789012'] } },
      'bucketReadAccess.accounts',
      'lists an account ID twice; list each once',
    ],
    [
      'tickers that are not a list',
      { tickers: {} },
      'tickers',
      'must be a list of tickers such as [{"name": "Index_1", "price": 100}], not an object',
    ],
    [
      'no tickers',
      { tickers: [] },
      'tickers',
      'must list at least one ticker, such as {"name": "Index_1", "price": 100}',
    ],
    [
      'a ticker without a name',
      { tickers: [{ price: 1 }] },
      'tickers[0].name',
      'required: a ticker name such as "Index_1"',
    ],
    [
      'an empty ticker name',
      { tickers: [{ name: '', price: 1 }] },
      'tickers[0].name',
      'must not be empty: DynamoDB keys need at least one character',
    ],
    [
      'a ticker name over 64 bytes',
      { tickers: [{ name: 'é'.repeat(33), price: 1 }] },
      'tickers[0].name',
      'must be at most 64 bytes in UTF-8 (64 letters, fewer with accents), not 66, so that each ticker item stays under 1 KB (one DynamoDB write unit)',
    ],
    [
      'a ticker name with a tab',
      { tickers: [{ name: 'a\tb', price: 1 }] },
      'tickers[0].name',
      'must not contain control characters such as tabs or newlines',
    ],
    [
      'a ticker name with padding',
      { tickers: [{ name: ' A', price: 1 }] },
      'tickers[0].name',
      'must not start or end with white space',
    ],
    [
      'repeated ticker names',
      {
        tickers: [
          { name: 'A', price: 1 },
          { name: 'A', price: 2 },
        ],
      },
      'tickers[1].name',
      '"A" is already the name of tickers[0]; ticker names must be unique',
    ],
    [
      'a price in quotes',
      { tickers: [{ name: 'A', price: '100' }] },
      'tickers[0].price',
      'must be a positive number such as 100 (not in quotes), not the string "100"',
    ],
    [
      'a zero price',
      { tickers: [{ name: 'A', price: 0 }] },
      'tickers[0].price',
      'must be a positive number such as 100, not 0',
    ],
    [
      'a negative price',
      { tickers: [{ name: 'A', price: -5 }] },
      'tickers[0].price',
      'must be a positive number such as 100, not -5',
    ],
    [
      'a price with three decimals',
      { tickers: [{ name: 'A', price: 1.005 }] },
      'tickers[0].price',
      'must have at most two decimal places (prices are in cents), such as 1.00',
    ],
    [
      'an unknown ticker field',
      { tickers: [{ name: 'A', price: 1, prize: 2 }] },
      'tickers[0].prize',
      'unknown field "prize" (did you mean "price"?); the fields allowed here are "name" and "price"',
    ],
    [
      'a fractional schedule',
      { scheduleMinutes: 1.5 },
      'scheduleMinutes',
      'must be a whole number, not 1.5',
    ],
    ['a zero schedule', { scheduleMinutes: 0 }, 'scheduleMinutes', 'must be at least 1, not 0'],
    [
      'a schedule in quotes',
      { scheduleMinutes: '1' },
      'scheduleMinutes',
      'must be a whole number of minutes such as 1 (not in quotes), not the string "1"',
    ],
    [
      'a buffer over 900',
      { deliveryBufferSeconds: 901 },
      'deliveryBufferSeconds',
      'must be at most 900, not 901',
    ],
    [
      'a negative buffer',
      { deliveryBufferSeconds: -1 },
      'deliveryBufferSeconds',
      'must be at least 0, not -1',
    ],
    [
      'a typo in a field name',
      { reigon: 'eu-west-1' },
      'reigon',
      'unknown field "reigon" (did you mean "region"?); the fields allowed here are "firstName", "lastName", "region", "alertEmails", "bucketReadAccess", "githubRepository", "tickers", "scheduleMinutes" and "deliveryBufferSeconds"',
    ],
  ])('reports %s', (_, change, path, message) => {
    expect(only({ ...VALID, ...change })).toEqual({ path, message });
  });

  it('reports every wrong field at once', () => {
    const all = findings({
      firstName: 'Иван',
      lastName: 'Maposa',
      alertEmails: [],
      bucketReadAccess: 'x',
    });
    expect(all.map((f) => f.path)).toEqual(['firstName', 'alertEmails', 'bucketReadAccess']);
  });

  it('rejects a file that is not an object', () => {
    expect(only([])).toEqual({
      path: '',
      message:
        'must be a JSON object such as {"firstName": "Kyle", "lastName": "Maposa", ...}, not a list',
    });
  });

  it('gives the line and column of the wrong field', () => {
    const [finding] = findings({ ...VALID, tickers: [{ name: 'A', price: -1 }] });
    expect(finding).toMatchObject({ file: 'test.json', line: 11, column: 7 });
  });

  it('reports broken JSON with its position', () => {
    expect(() => parseConfig('{\n  "firstName": "Kyle",\n}', 'broken.json')).toThrow(
      'broken.json:3:1: invalid JSON: expected a field name in double quotes (is there a trailing comma?)',
    );
    expect(() => parseConfig('{"firstName": \'Kyle\'}', 'quotes.json')).toThrow(
      'quotes.json:1:15: invalid JSON: this is not valid JSON here (strings need double quotes)',
    );
  });

  it('reports an empty file', () => {
    expect(() => parseConfig('', 'empty.json')).toThrow(
      'empty.json: the file is empty; it must hold a JSON object',
    );
  });

  it('accepts a byte-order mark', () => {
    expect(parseConfig(`\uFEFF${JSON.stringify(VALID)}`).firstName).toBe('Kyle');
  });
});

describe('loadConfig', () => {
  it('names a missing file and says what to do', async () => {
    await expect(loadConfig('/nonexistent/pipeline.config.json')).rejects.toThrow(
      '/nonexistent/pipeline.config.json: the file does not exist; copy the sample pipeline.config.json or pass --config <file>',
    );
  });

  it('names a folder passed as the file', async () => {
    const folder = await tempDir();
    await expect(loadConfig(folder)).rejects.toThrow(
      'this is a folder; pass the path of a JSON file',
    );
  });

  it('reads and validates a file', async () => {
    const folder = await tempDir();
    const file = join(folder, 'pipeline.config.json');
    await writeFile(file, JSON.stringify(VALID));
    expect((await loadConfig(file)).lastName).toBe('Maposa');
  });
});
