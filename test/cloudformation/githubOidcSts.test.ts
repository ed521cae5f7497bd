import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load.js';
import { deriveNames } from '../../lib/config/names.js';
import { oidcParameters } from '../../lib/templates/parameters.js';
import { readTemplate } from '../../lib/templates/parse.js';
import { createResolver } from '../../lib/templates/resolve.js';
import { documentedResourceValues } from '../../lib/templates/resourceValues.js';
import { LOCAL_ACCOUNT_ID } from '../../local/account.js';
import { useLocalAws } from '../support/localAws.js';

/**
 * Local STS checks trust policies only once IAM enforcement (branch h-iamenforce) is merged;
 * until then it lets any token assume any role, and the refusals below would fail. Turn this
 * on with that merge.
 */
const TRUST_POLICIES_ENFORCED = false;

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

beforeAll(async () => {
  // Prepare: GitHub's provider and the two roles with the trust policies the template resolves to.
  const iam = new IAMClient({ maxAttempts: 1, region: 'us-east-1' });
  sts = new STSClient({ maxAttempts: 1, credentials: { accessKeyId: '', secretAccessKey: '' } });
  const config = parseConfig(
    '{"firstName": "Kyle", "lastName": "Maposa", "alertEmails": ["k@x.io"], "bucketReadAccess": "private"}',
  );
  const names = deriveNames(config);
  const resolver = createResolver(await readTemplate('cloudformation/github-oidc.yaml'), {
    parameters: oidcParameters(config, names, REPOSITORY),
    pseudo: {
      accountId: LOCAL_ACCOUNT_ID,
      region: 'eu-west-1',
      partition: 'aws',
      stackName: names.oidcStack,
    },
    resources: documentedResourceValues(),
  });
  const provider = resolver.properties('GitHubOidcProvider');
  await iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: String(provider.Url),
      ClientIDList: provider.ClientIdList as string[],
      ThumbprintList: provider.ThumbprintList as string[],
    }),
  );
  for (const id of ['DeployRole', 'PreviewRole'] as const) {
    const properties = resolver.properties(id);
    await iam.send(
      new CreateRoleCommand({
        RoleName: String(properties.RoleName),
        AssumeRolePolicyDocument: JSON.stringify(properties.AssumeRolePolicyDocument),
      }),
    );
    roleArns[id] = String(resolver.getAtt(id, 'Arn'));
  }
});

describe.skipIf(!TRUST_POLICIES_ENFORCED)('the GitHub roles in local STS', () => {
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
