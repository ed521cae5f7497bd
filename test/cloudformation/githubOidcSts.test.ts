import { readFile } from 'node:fs/promises';
import type { Stack } from '@aws-sdk/client-cloudformation';
import { IAMClient, ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load.js';
import { deriveNames } from '../../lib/config/names.js';
import { oidcParameters } from '../../lib/templates/parameters.js';
import { LOCAL_ACCOUNT_ID } from '../../local/account.js';
import { cloudFormationClient, createStack } from '../support/cloudFormation.js';
import { useLocalAws } from '../support/localAws.js';

const REPOSITORY = 'kyle/streaming-pipeline';
useLocalAws();
let sts: STSClient;
const roleArns: Record<'DeployRole' | 'PreviewRole', string> = { DeployRole: '', PreviewRole: '' };

/** GitHub's OIDC token with these claims; local STS reads the claims and checks no signature. */
function token(claims: Record<string, string>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({
    iss: 'https://token.actions.githubusercontent.com',
    ...claims,
  })}.`;
}

const assume = (role: keyof typeof roleArns, sub: string, aud = 'sts.amazonaws.com') =>
  sts.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: roleArns[role],
      RoleSessionName: 'github-actions',
      WebIdentityToken: token({ sub, aud }),
    }),
  );

let stack: Stack;

beforeAll(async () => {
  // Prepare: the template deployed through local CloudFormation, as the README's bootstrap does.
  sts = new STSClient({ maxAttempts: 1, credentials: { accessKeyId: '', secretAccessKey: '' } });
  const config = parseConfig(
    '{"firstName": "Kyle", "lastName": "Maposa", "alertEmails": ["k@x.io"], "bucketReadAccess": "private"}',
  );
  const names = deriveNames(config);
  stack = await createStack(
    cloudFormationClient(),
    names.oidcStack,
    await readFile('cloudformation/github-oidc.yaml', 'utf8'),
    {
      parameters: oidcParameters(config, names, REPOSITORY),
      capabilities: ['CAPABILITY_NAMED_IAM'],
    },
  );
  const output = (key: string) =>
    stack.Outputs?.find((o) => o.OutputKey === key)?.OutputValue ?? '';
  roleArns.DeployRole = output('DeployRoleArn');
  roleArns.PreviewRole = output('PreviewRoleArn');
});

describe('cloudformation/github-oidc.yaml in local CloudFormation', () => {
  it("creates GitHub's provider and the two roles", async () => {
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(roleArns).toEqual({
      DeployRole: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/GitHubDeploy-DEKYLMAP`,
      PreviewRole: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/GitHubPreview-DEKYLMAP`,
    });
    const iam = new IAMClient({ maxAttempts: 1, region: 'us-east-1' });
    const { OpenIDConnectProviderList } = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    expect(OpenIDConnectProviderList?.map((p) => p.Arn)).toContain(
      `arn:aws:iam::${LOCAL_ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`,
    );
  });
});

describe('the GitHub roles in local STS', () => {
  it("let this repository's main branch assume the deploy role", async () => {
    const answer = await assume('DeployRole', `repo:${REPOSITORY}:ref:refs/heads/main`);
    expect(answer.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${LOCAL_ACCOUNT_ID}:assumed-role/GitHubDeploy-DEKYLMAP/github-actions`,
    );
  });

  it("let this repository's teardown environment assume the deploy role", async () => {
    await expect(
      assume('DeployRole', `repo:${REPOSITORY}:environment:teardown`),
    ).resolves.toBeDefined();
  });

  it('refuse the deploy role to another branch, a pull request and another repository', async () => {
    for (const sub of [
      `repo:${REPOSITORY}:ref:refs/heads/feature`,
      `repo:${REPOSITORY}:pull_request`,
      'repo:mallory/streaming-pipeline:ref:refs/heads/main',
    ])
      await expect(assume('DeployRole', sub), sub).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('refuse a token meant for another audience', async () => {
    await expect(
      assume('DeployRole', `repo:${REPOSITORY}:ref:refs/heads/main`, 'https://github.com/kyle'),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it("let only this repository's pull requests assume the preview role", async () => {
    await expect(assume('PreviewRole', `repo:${REPOSITORY}:pull_request`)).resolves.toBeDefined();
    await expect(
      assume('PreviewRole', `repo:${REPOSITORY}:ref:refs/heads/main`),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
