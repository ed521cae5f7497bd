import { describe, expect, it } from 'vitest';
import { bucketNameProblem, utf8Order } from '../../local/s3/names.js';
import { parseRange } from '../../local/s3/range.js';
import { applyChange, planDelete, planPut } from '../../local/s3/versions.js';
import type { ObjectVersion } from '../../local/s3/versions.js';

const version = (versionId: string, extra: Partial<ObjectVersion> = {}): ObjectVersion => ({
  key: 'k',
  versionId,
  size: 1,
  etag: '"e"',
  lastModified: 0,
  headers: {},
  ...extra,
});

describe('parseRange', () => {
  it('reads a suffix range as the last n bytes, capped at the object', () => {
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=-30', 10)).toEqual({ start: 0, end: 9 });
  });

  it('caps an end past the object and ignores what S3 ignores', () => {
    expect(parseRange('bytes=2-99', 10)).toEqual({ start: 2, end: 9 });
    expect(parseRange('bytes=0-1,4-5', 10)).toBeUndefined();
    expect(parseRange('items=0-1', 10)).toBeUndefined();
  });

  it('refuses a start past the end and an empty suffix with InvalidRange', () => {
    expect(() => parseRange('bytes=10-', 10)).toThrow(
      expect.objectContaining({ code: 'InvalidRange', status: 416 }),
    );
    expect(() => parseRange('bytes=-0', 10)).toThrow(
      expect.objectContaining({ code: 'InvalidRange' }),
    );
  });
});

describe('bucketNameProblem', () => {
  it('accepts names AWS accepts', () => {
    for (const name of ['abc', 'my.bucket-1', 'a'.repeat(63)])
      expect(bucketNameProblem(name)).toBeUndefined();
  });

  it('names the rule a refused name breaks', () => {
    expect(bucketNameProblem('sthree-x')).toBe('must not start with the reserved prefix sthree-');
    expect(bucketNameProblem('b--table-s3')).toBe(
      'must not end with the reserved suffix --table-s3',
    );
    expect(bucketNameProblem('a'.repeat(64))).toBe('must be 3 to 63 characters long');
  });
});

describe('utf8Order', () => {
  it('orders by UTF-8 bytes, not UTF-16 code units', () => {
    expect(['\u{1F600}', '\uFF5E'].sort(utf8Order)).toEqual(['\uFF5E', '\u{1F600}']);
  });
});

describe('versioning plans', () => {
  it('keeps every version when enabled, and replaces only the null version otherwise', () => {
    const versions = [version('v2'), version('null'), version('v1')];

    expect(planPut(versions, 'Enabled', version('v3')).remove).toEqual([]);
    expect(planPut(versions, 'Suspended', version('null')).remove).toEqual(['null']);
    expect(
      applyChange(versions, planPut(versions, undefined, version('null'))).map((v) => v.versionId),
    ).toEqual(['null', 'v2', 'v1']);
  });

  it('deletes without a marker when never versioned, and with one otherwise', () => {
    const marker = { key: 'k', versionId: 'm1', lastModified: 5 };

    expect(planDelete([version('null')], undefined, marker)).toEqual({
      key: 'k',
      remove: ['null'],
    });
    expect(planDelete([version('v1')], 'Enabled', marker).add).toMatchObject({
      versionId: 'm1',
      deleteMarker: true,
    });
    expect(planDelete([version('null')], 'Suspended', marker)).toMatchObject({
      add: { versionId: 'null', deleteMarker: true },
      remove: ['null'],
    });
  });
});
