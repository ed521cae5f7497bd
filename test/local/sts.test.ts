import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../local/clock.js';
import { CredentialRegistry, ExpiredTokenError } from '../../local/identity/credentials.js';
import { useAwsCli } from '../support/awsCli.js';
import { useLocalAws } from '../support/localAws.js';

const local = useLocalAws();
const aws = useAwsCli(local.endpoint);
let sts: STSClient;
const ROLE_ARN = 'arn:aws:iam::000000000000:role/deploy-role';

/** An unsigned JWT with these claims (local STS reads claims without checking signatures). */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.${Buffer.from('sig').toString('base64url')}`;
}

const GITHUB_CLAIMS = {
  iss: 'https://token.actions.githubusercontent.com',
  sub: 'repo:kyle/pipeline:ref:refs/heads/main',
  aud: 'sts.amazonaws.com',
};

/** Trusts the account's principals, and GitHub's workflows of kyle/pipeline (as deploy roles do). */
const DEPLOY_TRUST = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::000000000000:root' },
      Action: 'sts:AssumeRole',
    },
    {
      Effect: 'Allow',
      Principal: {
        Federated: 'arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com',
      },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
        StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:kyle/pipeline:*' },
      },
    },
  ],
};

beforeAll(async () => {
  sts = new STSClient({ maxAttempts: 1 });
  const iam = new IAMClient({ maxAttempts: 1, region: 'us-east-1' });
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'deploy-role',
      AssumeRolePolicyDocument: JSON.stringify(DEPLOY_TRUST),
    }),
  );
  await iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: 'https://token.actions.githubusercontent.com',
      ClientIDList: ['sts.amazonaws.com'],
    }),
  );
});

describe('STS GetCallerIdentity', () => {
  it("answers the account's administrator for keys it did not hand out", async () => {
    const identity = await sts.send(new GetCallerIdentityCommand({}));

    expect(identity).toMatchObject({
      Account: '000000000000',
      Arn: 'arn:aws:iam::000000000000:user/local-admin',
      UserId: 'AIDALOCALADMINUSER000',
    });
  });
});

describe('STS AssumeRole', () => {
  it('hands out temporary credentials that stand for the assumed role', async () => {
    const { Credentials, AssumedRoleUser } = await sts.send(
      new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'deploy' }),
    );
    const asRole = new STSClient({
      maxAttempts: 1,
      credentials: {
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretAccessKey!,
        sessionToken: Credentials!.SessionToken!,
      },
    });
    const identity = await asRole.send(new GetCallerIdentityCommand({}));

    expect(Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(3590_000);
    expect(AssumedRoleUser?.Arn).toBe('arn:aws:sts::000000000000:assumed-role/deploy-role/deploy');
    expect(identity.Arn).toBe(AssumedRoleUser?.Arn);
    expect(identity.UserId).toBe(AssumedRoleUser?.AssumedRoleId);
  });

  it('answers AccessDenied for a role local IAM does not have', async () => {
    await expect(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::000000000000:role/no-such-role',
          RoleSessionName: 'deploy',
        }),
      ),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('not authorized to perform: sts:AssumeRole'),
    });
  });

  it("refuses a session longer than the role's maximum", async () => {
    await expect(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: ROLE_ARN,
          RoleSessionName: 'long',
          DurationSeconds: 7200,
        }),
      ),
    ).rejects.toMatchObject({
      message: expect.stringContaining('exceeds the MaxSessionDuration'),
    });
  });
});

describe('STS AssumeRoleWithWebIdentity', () => {
  it("takes an unsigned call with GitHub's token and records its claims", async () => {
    const unsigned = new STSClient({
      maxAttempts: 1,
      credentials: { accessKeyId: '', secretAccessKey: '' },
    });
    const answer = await unsigned.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: ROLE_ARN,
        RoleSessionName: 'github-actions',
        WebIdentityToken: jwt(GITHUB_CLAIMS),
      }),
    );
    const principal = local.instance().identity.resolve(answer.Credentials!.AccessKeyId!);

    expect(answer).toMatchObject({
      SubjectFromWebIdentityToken: GITHUB_CLAIMS.sub,
      Audience: 'sts.amazonaws.com',
      Provider: 'arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com',
      AssumedRoleUser: {
        Arn: 'arn:aws:sts::000000000000:assumed-role/deploy-role/github-actions',
      },
    });
    expect(principal.webIdentity?.claims).toMatchObject(GITHUB_CLAIMS);
    expect(principal.roleArn).toBe(ROLE_ARN);
  });

  it('is routed to STS by its Action when it carries no signature at all', async () => {
    const response = await fetch(local.endpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        Action: 'AssumeRoleWithWebIdentity',
        Version: '2011-06-15',
        RoleArn: ROLE_ARN,
        RoleSessionName: 'raw',
        WebIdentityToken: jwt(GITHUB_CLAIMS),
      }).toString(),
    });
    const xml = await response.text();

    expect(response.status).toBe(200);
    expect(xml).toContain('<AssumeRoleWithWebIdentityResult>');
    expect(xml).toContain('assumed-role/deploy-role/raw');
  });

  it('answers InvalidIdentityToken for a token that is not a JWT', async () => {
    await expect(
      sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: ROLE_ARN,
          RoleSessionName: 'bad-token',
          WebIdentityToken: 'not-a-jwt',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidIdentityTokenException' });
  });
});

describe('STS through the AWS CLI', () => {
  it('assumes a role with a web identity, unsigned, as GitHub Actions does', async () => {
    const answer = JSON.parse(
      await aws(
        'sts',
        'assume-role-with-web-identity',
        '--role-arn',
        ROLE_ARN,
        '--role-session-name',
        'cli-session',
        '--web-identity-token',
        jwt(GITHUB_CLAIMS),
      ),
    ) as { Credentials: { AccessKeyId: string }; SubjectFromWebIdentityToken: string };

    expect(answer.Credentials.AccessKeyId).toMatch(/^ASIA/);
    expect(answer.SubjectFromWebIdentityToken).toBe(GITHUB_CLAIMS.sub);
  });

  it('reports the caller identity', async () => {
    const identity = JSON.parse(await aws('sts', 'get-caller-identity')) as { Arn: string };

    expect(identity.Arn).toBe('arn:aws:iam::000000000000:user/local-admin');
  });
});

describe('the credential registry', () => {
  it('keeps what it handed out across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'credentials-'));
    const principal = {
      account: '000000000000',
      arn: 'arn:aws:sts::000000000000:assumed-role/r/s',
      userId: 'AROAEXAMPLE:s',
    };
    const issued = await new CredentialRegistry(dir).issue(principal, 900);
    const reloaded = new CredentialRegistry(dir);
    await reloaded.load();

    expect(reloaded.resolve(issued.accessKeyId)).toEqual(principal);
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses credentials once their time is up, on the scaled clock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'credentials-'));
    let real = 1_000_000;
    const registry = new CredentialRegistry(dir, new Clock(60, () => real));
    const issued = await registry.issue(
      { account: '000000000000', arn: 'arn:aws:sts::000000000000:assumed-role/r/s', userId: 'x' },
      900,
    );

    real += 15_001;

    expect(() => registry.resolve(issued.accessKeyId)).toThrow(ExpiredTokenError);
    await rm(dir, { recursive: true, force: true });
  });
});
