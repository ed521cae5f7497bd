import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentationFiles, extractLinks, headingAnchors } from '../support/markdown.js';
import type { DocLink } from '../support/markdown.js';

/** Why a relative link does not resolve, or undefined when it does. */
async function brokenBecause(link: DocLink): Promise<string | undefined> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) return undefined; // https:, mailto: and such.
  const [path = '', anchor] = link.target.split('#', 2);
  const file = path === '' ? link.file : normalize(join(dirname(link.file), decodeURI(path)));
  if (!existsSync(file)) return `${file} does not exist`;
  if (anchor === undefined) return undefined;
  if (!file.endsWith('.md') || statSync(file).isDirectory())
    return `#${anchor} points into ${file}, which has no headings`;
  const anchors = headingAnchors(await readFile(file, 'utf8'));
  return anchors.has(anchor)
    ? undefined
    : `${file} has no heading with the anchor #${anchor} (it has ${[...anchors].map((a) => `#${a}`).join(', ')})`;
}

describe('the links of README.md and docs/*.md', () => {
  let links: DocLink[];

  beforeAll(async () => {
    links = [];
    for (const file of await documentationFiles())
      links.push(...extractLinks(file, await readFile(file, 'utf8')));
  });

  it('are there to check', () => {
    expect(links.filter((link) => link.file === 'README.md').length).toBeGreaterThan(10);
  });

  it('each reach an existing file, and an existing heading when they name one', async () => {
    const broken: string[] = [];
    for (const link of links) {
      const why = await brokenBecause(link);
      if (why) broken.push(`${link.file}:${link.line}: (${link.target}) ${why}`);
    }
    expect(broken).toEqual([]);
  });

  it('fail for a missing file and for a missing heading', async () => {
    expect(await brokenBecause({ file: 'README.md', line: 1, target: 'docs/nothing.md' })).toBe(
      'docs/nothing.md does not exist',
    );
    expect(
      await brokenBecause({ file: 'docs/local-aws.md', line: 1, target: '../README.md#no-such' }),
    ).toMatch(/^README\.md has no heading with the anchor #no-such/);
    expect(
      await brokenBecause({ file: 'README.md', line: 1, target: '#teardown' }),
    ).toBeUndefined();
  });
});
