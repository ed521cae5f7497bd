import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lib/config/load.js';
import { ValidationError } from '../../../lib/errors.js';

const config = (githubRepository?: unknown) =>
  JSON.stringify({
    firstName: 'Kyle',
    lastName: 'Maposa',
    alertEmails: ['kyle@x.io'],
    bucketReadAccess: 'private',
    ...(githubRepository === undefined ? {} : { githubRepository }),
  });

function findingOf(text: string) {
  try {
    parseConfig(text);
  } catch (error: unknown) {
    if (error instanceof ValidationError) return error.findings[0];
    throw error;
  }
  return undefined;
}

describe('the githubRepository config field', () => {
  it('is optional', () => {
    expect(parseConfig(config()).githubRepository).toBeUndefined();
  });

  it('takes owner/name as in the repository URL', () => {
    expect(parseConfig(config('kyle-m/streaming.pipeline_2')).githubRepository).toBe(
      'kyle-m/streaming.pipeline_2',
    );
  });

  it.each([
    ['a URL', 'https://github.com/kyle/pipeline'],
    ['a name without owner', 'pipeline'],
    ['an owner starting with a hyphen', '-kyle/pipeline'],
    ['the name ".."', 'kyle/..'],
  ])('refuses %s, naming the field and the form', (_, value) => {
    expect(findingOf(config(value))).toMatchObject({
      path: 'githubRepository',
      message: `${JSON.stringify(value)} is not a GitHub repository; write "owner/name" as in its URL, such as "kyle/streaming-pipeline"`,
    });
  });

  it('refuses a value that is not text', () => {
    expect(findingOf(config(42))).toMatchObject({
      path: 'githubRepository',
      message: expect.stringContaining('must be a GitHub repository as "owner/name"'),
    });
  });
});
