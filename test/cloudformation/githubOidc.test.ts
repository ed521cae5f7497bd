import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/load.js';
import { deriveNames } from '../../lib/config/names.js';
import type { ResourceNames } from '../../lib/config/names.js';
import type { PipelineConfig } from '../../lib/config/schema.js';
import { ValidationError } from '../../lib/errors.js';
import { evaluateAccess } from '../../lib/iam/evaluate.js';
import { checkParameterValues, oidcParameters } from '../../lib/templates/parameters.js';
import { readTemplate } from '../../lib/templates/parse.js';
import type { ParsedTemplate } from '../../lib/templates/parse.js';
import { rolesOf, sessionOf } from '../../lib/templates/permissions.js';
import type { TemplateRole } from '../../lib/templates/permissions.js';
import { createResolver } from '../../lib/templates/resolve.js';
import type { Resolver } from '../../lib/templates/resolve.js';
import { documentedResourceValues } from '../../lib/templates/resourceValues.js';
import { validateTemplates } from '../../lib/templates/validate.js';

const FILE = 'cloudformation/github-oidc.yaml';
const ACCOUNT = '123456789012';
const REPOSITORY = 'kyle/streaming-pipeline';
const arn = (service: string, rest: string) => `arn:aws:${service}:eu-west-1:${ACCOUNT}:${rest}`;

let template: ParsedTemplate;
let config: PipelineConfig;
let names: ResourceNames;

/** The template resolved with the config's parameters (and any overrides), and its roles. */
function resolve(overrides: Record<string, string> = {}): {
  resolver: Resolver;
  roles: Map<string, TemplateRole>;
} {
  const resolver = createResolver(template, {
    parameters: { ...oidcParameters(config, names, REPOSITORY), ...overrides },
    pseudo: {
      accountId: ACCOUNT,
      region: 'eu-west-1',
      partition: 'aws',
      stackName: names.oidcStack,
    },
    resources: documentedResourceValues(),
  });
  return { resolver, roles: rolesOf(resolver, template, []) };
}

beforeAll(async () => {
  template = await readTemplate(FILE);
  config = parseConfig(
    '{"firstName": "Kyle", "lastName": "Maposa", "alertEmails": ["k@x.io"], "bucketReadAccess": "private"}',
  );
  names = deriveNames(config);
});

/** Whether the role (by logical id) may make the call, by its own policies alone. */
async function allows(roleId: string, action: string, resource: string): Promise<boolean> {
  const { resolver, roles } = resolve();
  const role = roles.get(String(resolver.getAtt(roleId, 'Arn')))!;
  const decision = await evaluateAccess(
    { identityPolicies: role.policies },
    { principal: sessionOf(role, ACCOUNT, 'aws'), action, resource, resourceAccount: ACCOUNT },
  );
  return decision.allowed;
}

const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

/**
 * The role's resolved trust policy. IAM's policy simulator does not evaluate federated
 * principals, so the policy is held to its exact form here; local STS proves it with tokens.
 */
function trustOf(roleId: string, overrides: Record<string, string> = {}): unknown {
  const { resolver } = resolve(overrides);
  return resolver.properties(roleId).AssumeRolePolicyDocument;
}

/** A trust policy that admits GitHub tokens for sts.amazonaws.com with exactly these subjects. */
const trusting = (subjects: string | string[]) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: PROVIDER },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': subjects,
        },
      },
    },
  ],
});

describe('cloudformation/github-oidc.yaml', () => {
  it('passes every check of npm run validate (cfn-lint too when it is installed)', async () => {
    const report = await validateTemplates([FILE]);
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
  });

  it("takes the config's values for every parameter it has no default for", () => {
    expect(checkParameterValues(template, oidcParameters(config, names, REPOSITORY))).toEqual([]);
  });

  it('creates the OIDC provider unless the ARN of an existing one is given', () => {
    expect(resolve().resolver.exists('GitHubOidcProvider')).toBe(true);
    const existing = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    const { resolver } = resolve({ ExistingOidcProviderArn: existing });
    expect(resolver.exists('GitHubOidcProvider')).toBe(false);
    const trust = resolver.properties('DeployRole').AssumeRolePolicyDocument as {
      Statement: { Principal: { Federated: string } }[];
    };
    expect(trust.Statement[0]!.Principal.Federated).toBe(existing);
  });
});

describe('the deploy role trust policy', () => {
  it("admits exactly this repository's main branch and its teardown environment, for STS only", () => {
    expect(trustOf('DeployRole')).toEqual(
      trusting([
        `repo:${REPOSITORY}:ref:refs/heads/main`,
        `repo:${REPOSITORY}:environment:teardown`,
      ]),
    );
  });

  it('admits no environment when TeardownEnvironment is empty', () => {
    expect(trustOf('DeployRole', { TeardownEnvironment: '' })).toEqual(
      trusting([`repo:${REPOSITORY}:ref:refs/heads/main`]),
    );
  });

  it('admits the branch DeployBranch names instead of main', () => {
    expect(trustOf('DeployRole', { DeployBranch: 'release', TeardownEnvironment: '' })).toEqual(
      trusting([`repo:${REPOSITORY}:ref:refs/heads/release`]),
    );
  });
});

describe('the deploy role permissions', () => {
  it('deploy the pipeline and code-artifacts stacks', async () => {
    for (const stack of [names.stack, names.artifactsStack])
      expect(
        await allows(
          'DeployRole',
          'cloudformation:UpdateStack',
          arn('cloudformation', `stack/${stack}/x`),
        ),
      ).toBe(true);
  });

  it('cover what CloudFormation creates, seeding and the smoke test', async () => {
    expect(
      await allows('DeployRole', 'dynamodb:CreateTable', arn('dynamodb', `table/${names.table}`)),
    ).toBe(true);
    expect(
      await allows('DeployRole', 'dynamodb:PutItem', arn('dynamodb', `table/${names.table}`)),
    ).toBe(true);
    expect(
      await allows(
        'DeployRole',
        'lambda:CreateFunction',
        arn('lambda', `function:${names.streamingFunction}`),
      ),
    ).toBe(true);
    expect(
      await allows(
        'DeployRole',
        's3:PutObject',
        `arn:aws:s3:::${names.artifactsBucket}/functions/x.zip`,
      ),
    ).toBe(true);
    expect(await allows('DeployRole', 's3:ListBucket', `arn:aws:s3:::${names.bucket}`)).toBe(true);
    expect(
      await allows(
        'DeployRole',
        'scheduler:CreateSchedule',
        arn('scheduler', `schedule/default/${names.schedule}`),
      ),
    ).toBe(true);
  });

  it('cannot change itself, its stack or the preview role', async () => {
    const self = `arn:aws:iam::${ACCOUNT}:role/${names.deployRole}`;
    expect(await allows('DeployRole', 'iam:PutRolePolicy', self)).toBe(false);
    expect(await allows('DeployRole', 'iam:UpdateAssumeRolePolicy', self)).toBe(false);
    expect(
      await allows(
        'DeployRole',
        'iam:PutRolePolicy',
        `arn:aws:iam::${ACCOUNT}:role/${names.previewRole}`,
      ),
    ).toBe(false);
    expect(
      await allows(
        'DeployRole',
        'cloudformation:UpdateStack',
        arn('cloudformation', `stack/${names.oidcStack}/x`),
      ),
    ).toBe(false);
  });

  it("touches no one else's resources", async () => {
    expect(
      await allows(
        'DeployRole',
        'dynamodb:DeleteTable',
        arn('dynamodb', 'table/DEOTHERS-streaming-dynamodb'),
      ),
    ).toBe(false);
    expect(await allows('DeployRole', 's3:DeleteBucket', 'arn:aws:s3:::someone-elses-bucket')).toBe(
      false,
    );
    expect(await allows('DeployRole', 'iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/Admin`)).toBe(
      false,
    );
  });

  it('passes the pipeline roles only to the services that use them', async () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/${names.streamingRole}`;
    const { resolver, roles } = resolve();
    const deploy = roles.get(String(resolver.getAtt('DeployRole', 'Arn')))!;
    const pass = (service: string) =>
      evaluateAccess(
        { identityPolicies: deploy.policies },
        {
          principal: sessionOf(deploy, ACCOUNT, 'aws'),
          action: 'iam:PassRole',
          resource: role,
          resourceAccount: ACCOUNT,
          context: { 'iam:PassedToService': service },
        },
      );
    expect((await pass('lambda.amazonaws.com')).allowed).toBe(true);
    expect((await pass('ec2.amazonaws.com')).allowed).toBe(false);
  });
});

describe('the preview role', () => {
  it("admits exactly this repository's pull requests", () => {
    expect(trustOf('PreviewRole')).toEqual(trusting(`repo:${REPOSITORY}:pull_request`));
  });

  it('creates and deletes change sets of the pipeline stack but never executes one', async () => {
    const stack = arn('cloudformation', `stack/${names.stack}/x`);
    expect(await allows('PreviewRole', 'cloudformation:CreateChangeSet', stack)).toBe(true);
    expect(await allows('PreviewRole', 'cloudformation:DeleteChangeSet', stack)).toBe(true);
    expect(await allows('PreviewRole', 'cloudformation:ExecuteChangeSet', stack)).toBe(false);
    expect(await allows('PreviewRole', 'cloudformation:UpdateStack', stack)).toBe(false);
  });
});

describe('oidcParameters', () => {
  it('names the config field when no repository is given or configured', () => {
    expect(() => oidcParameters(config, names)).toThrow(ValidationError);
    try {
      oidcParameters(config, names);
    } catch (error: unknown) {
      expect((error as ValidationError).findings[0]!.path).toBe('githubRepository');
    }
  });

  it("takes the config's githubRepository when no repository is given", () => {
    const configured = { ...config, githubRepository: 'ada/pipeline' };
    expect(oidcParameters(configured, names).GitHubRepository).toBe('ada/pipeline');
  });
});
