import { describe, expect, it } from 'vitest';
import { extractCommands, extractLinks, githubSlug, headingAnchors } from '../support/markdown.js';

const SAMPLE = [
  '# Title',
  '',
  'Run `npm run validate -- --json` or `npm start`; `aws s3 ls` inline is prose.',
  '',
  '```sh',
  'npm ci && npm start   # install, then start',
  '# a comment line',
  'aws cloudformation deploy --stack-name x \\',
  "  --parameter-overrides A='b # c'",
  '```',
  '',
  '1. A step:',
  '',
  '   ```sh',
  '   npm run validate',
  '   ```',
  '',
  '```yaml',
  'npm run not-a-command: yaml',
  '```',
].join('\n');

describe('extractCommands', () => {
  it('finds the lines of sh blocks, joining continuations and dropping comments', () => {
    const commands = extractCommands('X.md', SAMPLE).map((c) => c.command);
    expect(commands).toContain('npm ci && npm start');
    expect(commands).toContain(
      "aws cloudformation deploy --stack-name x --parameter-overrides A='b # c'",
    );
  });

  it('finds commands in sh blocks indented under a list item', () => {
    const found = extractCommands('X.md', SAMPLE).filter((c) => c.command === 'npm run validate');
    expect(found).toEqual([{ file: 'X.md', line: 15, command: 'npm run validate' }]);
  });

  it('finds inline npm code spans in the prose, and nothing else inline', () => {
    const inline = extractCommands('X.md', SAMPLE).filter((c) => c.line === 3);
    expect(inline.map((c) => c.command)).toEqual(['npm run validate -- --json', 'npm start']);
  });

  it('leaves out blocks in other languages', () => {
    const commands = extractCommands('X.md', SAMPLE).map((c) => c.command);
    expect(commands.some((c) => c.includes('not-a-command'))).toBe(false);
  });
});

describe('extractLinks', () => {
  it('finds links and images outside code, with their lines', () => {
    const text =
      'See [a](docs/a.md#x) and ![img](pic.png "t").\n\n`[no](code.md)`\n```\n[no](block.md)\n```';
    expect(extractLinks('R.md', text)).toEqual([
      { file: 'R.md', line: 1, target: 'docs/a.md#x' },
      { file: 'R.md', line: 1, target: 'pic.png' },
    ]);
  });
});

describe('githubSlug', () => {
  it('lowers the case, drops punctuation and turns spaces into hyphens, as GitHub does', () => {
    expect(githubSlug('Local AWS and its limits')).toBe('local-aws-and-its-limits');
    expect(githubSlug('`npm start`')).toBe('npm-start');
    expect(githubSlug('"Not authorized to perform sts:AssumeRoleWithWebIdentity"')).toBe(
      'not-authorized-to-perform-stsassumerolewithwebidentity',
    );
    expect(githubSlug('`BucketNotEmpty` when deleting')).toBe('bucketnotempty-when-deleting');
    expect(githubSlug('Validation, templates and cost')).toBe('validation-templates-and-cost');
  });
});

describe('headingAnchors', () => {
  it('numbers repeated headings and ignores # lines inside code blocks', () => {
    const text = '# A\n## B\n## B\n```sh\n# not a heading\n```\n### Snake_case name';
    expect([...headingAnchors(text)]).toEqual(['a', 'b', 'b-1', 'snake_case-name']);
  });
});
