import { describe, expect, it } from 'vitest';
import { deriveNames, normaliseName } from '../../../lib/config/names.js';
import { ValidationError } from '../../../lib/errors.js';

function findingsOf(action: () => unknown) {
  try {
    action();
  } catch (error: unknown) {
    if (error instanceof ValidationError) return error.findings;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('normaliseName', () => {
  it('folds accents', () => {
    expect(normaliseName('José', 'firstName')).toBe('Jose');
    expect(normaliseName('Zoë Ångström', 'firstName')).toBe('ZoeAngstrom');
  });

  it('transliterates letters that Unicode does not decompose', () => {
    expect(normaliseName('Søren', 'firstName')).toBe('Soren');
    expect(normaliseName('Łukasz', 'firstName')).toBe('Lukasz');
    expect(normaliseName('Weiß', 'lastName')).toBe('Weiss');
  });

  it('drops spaces, hyphens, apostrophes and periods', () => {
    expect(normaliseName("O'Brien-Smith Jr.", 'lastName')).toBe('OBrienSmithJr');
    expect(normaliseName('D’Angelo', 'lastName')).toBe('DAngelo');
  });

  it('rejects non-Latin letters, naming the field and the characters', () => {
    const [finding] = findingsOf(() => normaliseName('Иван', 'firstName'));
    expect(finding?.path).toBe('firstName');
    expect(finding?.message).toContain('"И", "в", "а", "н"');
    expect(finding?.message).toContain('are not Latin letters');
  });

  it('rejects digits', () => {
    const [finding] = findingsOf(() => normaliseName('Kyle2', 'firstName'));
    expect(finding?.message).toBe(
      '"Kyle2" contains "2", which is not a letter; AWS resource names need the name in Latin letters (A-Z, accents are fine), such as "Kyle"',
    );
  });

  it('rejects a name with no letters left', () => {
    const [finding] = findingsOf(() => normaliseName("'-.", 'lastName'));
    expect(finding).toEqual({
      path: 'lastName',
      message: `"'-." has no letters; write a name such as "Kyle"`,
    });
  });
});

describe('deriveNames', () => {
  it('derives the tutorial names for Kyle Maposa', () => {
    const names = deriveNames({ firstName: 'Kyle', lastName: 'Maposa' });
    expect(names).toMatchObject({
      prefix: 'DEKYLMAP',
      stack: 'DEKYLMAP-streaming-pipeline',
      table: 'DEKYLMAP-streaming-dynamodb',
      streamingFunction: 'DEKYLMAP-streaming-lambda',
      notificationFunction: 'DEKYLMAP-notification-lambda',
      topic: 'DEKYLMAP-streaming-sns-topic',
      deliveryStream: 'DEKYLMAP-deliverystream',
      bucket: 'dekylemaposa-deliverystream-s3',
    });
  });

  it('names the Glue database in lower case with underscores, as Glue keeps names', () => {
    const names = deriveNames({ firstName: 'Kyle', lastName: 'Maposa' });
    expect(names).toMatchObject({
      glueDatabase: 'dekylmap_streaming_db',
      workGroup: 'DEKYLMAP-streaming-workgroup',
    });
  });

  it('prefixes every name but the buckets, log groups and Glue database with the same prefix', () => {
    const names = deriveNames({ firstName: 'Kyle', lastName: 'Maposa' });
    for (const [key, value] of Object.entries(names)) {
      if (/bucket|LogGroup|glueDatabase|oidcStack|deployRole|previewRole/i.test(key)) continue;
      expect(value.startsWith('DEKYLMAP'), key).toBe(true);
    }
  });

  it("keeps the GitHub OIDC stack and roles outside the prefix that the deploy role's permissions cover", () => {
    const names = deriveNames({ firstName: 'Kyle', lastName: 'Maposa' });
    for (const key of ['oidcStack', 'deployRole', 'previewRole'] as const) {
      expect(names[key].startsWith(`${names.prefix}-`), key).toBe(false);
      expect(names[key], key).toContain(names.prefix);
    }
  });

  it('uses fewer letters for short names', () => {
    expect(deriveNames({ firstName: 'Al', lastName: 'Wu' }).prefix).toBe('DEALWU');
    expect(deriveNames({ firstName: 'Jo', lastName: 'Li' }).bucket).toBe(
      'dejoli-deliverystream-s3',
    );
  });

  it('upper-cases the prefix and lower-cases the bucket, after folding', () => {
    const names = deriveNames({ firstName: 'José', lastName: "d'Ávila" });
    expect(names.prefix).toBe('DEJOSDAV');
    expect(names.bucket).toBe('dejosedavila-deliverystream-s3');
  });

  it('rejects a bucket name over 63 characters, naming both name fields', () => {
    const findings = findingsOf(() =>
      deriveNames({ firstName: 'Maximilianalexander', lastName: 'Vonundzuhohenzollernbergs' }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain(
      'S3 bucket name "demaximilianalexandervonundzuhohenzollernbergs-deliverystream-s3" is 64 characters; at most 63 are allowed',
    );
    expect(findings[0]?.message).toContain('firstName and lastName');
    expect(findings[0]?.message).toContain('by 1 letters');
  });

  it('accepts a bucket name of exactly 63 characters', () => {
    expect(
      deriveNames({ firstName: 'Maximilianalexander', lastName: 'Vonundzuhohenzollernberg' })
        .bucket,
    ).toHaveLength(63);
  });

  it('reports both names when both are wrong', () => {
    const findings = findingsOf(() => deriveNames({ firstName: '李', lastName: 'Smith3' }));
    expect(findings.map((f) => f.path)).toEqual(['firstName', 'lastName']);
  });
});
