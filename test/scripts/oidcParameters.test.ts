import { describe, expect, it } from 'vitest';
import { checkParameterValues } from '../../lib/templates/parameters.js';
import { readTemplate } from '../../lib/templates/parse.js';
import { main } from '../../scripts/oidc-parameters.js';
import { runMain, runScript } from '../support/cli.js';

/** `Key=Value Key=Value` back into values. */
const parsePairs = (line: string) =>
  Object.fromEntries(
    line
      .trim()
      .split(' ')
      .map((pair) => pair.split(/=(.*)/s).slice(0, 2)),
  );

describe('npm run oidc-parameters', () => {
  it('prints Key=Value pairs for aws cloudformation deploy, run as a command', async () => {
    const { code, stdout } = await runScript('oidc-parameters.ts', [
      '--repository',
      'kyle/pipeline',
    ]);
    expect(code).toBe(0);
    expect(parsePairs(stdout)).toEqual({
      NamePrefix: 'DEKYLMAP',
      GitHubRepository: 'kyle/pipeline',
      DeployRoleName: 'GitHubDeploy-DEKYLMAP',
      PreviewRoleName: 'GitHubPreview-DEKYLMAP',
      BucketName: 'dekylemaposa-deliverystream-s3',
      ArtifactsBucketName: 'dekylemaposa-code-artifacts-s3',
    });
  });

  it('prints values the template accepts', async () => {
    const { stdout } = await runMain(main, ['--repository', 'kyle/pipeline']);
    const template = await readTemplate('cloudformation/github-oidc.yaml');
    expect(checkParameterValues(template, parsePairs(stdout))).toEqual([]);
  });

  it('takes the repository from GITHUB_REPOSITORY when neither option nor config names one', async () => {
    const { code, stdout } = await runMain(main, [], { GITHUB_REPOSITORY: 'ada/fork' });
    expect(code).toBe(0);
    expect(parsePairs(stdout).GitHubRepository).toBe('ada/fork');
  });

  it('exits 1 naming githubRepository when no repository is known', async () => {
    const { code, stderr } = await runMain(main, [], { GITHUB_REPOSITORY: '' });
    expect(code).toBe(1);
    expect(stderr).toContain('githubRepository: required for the GitHub OIDC stack');
  });

  it('exits 1 naming githubRepository when the repository is not owner/name', async () => {
    const { code, stderr } = await runMain(main, ['--repository', 'https://github.com/kyle/p']);
    expect(code).toBe(1);
    expect(stderr).toContain(
      'githubRepository: "https://github.com/kyle/p" is not a GitHub repository',
    );
  });
});
