import type { IAMClient } from '@aws-sdk/client-iam';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { STSClient } from '@aws-sdk/client-sts';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { loadConfig } from '../../lib/config/load.js';
import type { PipelineConfig } from '../../lib/config/schema.js';
import { deriveNames } from '../../lib/config/names.js';
import { pipelineParameters } from '../../lib/templates/parameters.js';
import { readTemplate } from '../../lib/templates/parse.js';
import { createResolver } from '../../lib/templates/resolve.js';
import type { Resolver } from '../../lib/templates/resolve.js';
import { documentedResourceValues } from '../../lib/templates/resourceValues.js';
import { TEST_ENV } from './localAws.js';

/** Local AWS's own account. */
export const LOCAL_ACCOUNT = '000000000000';

/** The real pipeline template, resolved for local AWS's account with the project's parameters. */
export async function resolvedPipeline(overrides: Partial<PipelineConfig> = {}): Promise<Resolver> {
  const config = { ...(await loadConfig('pipeline.config.json')), ...overrides };
  const template = await readTemplate('cloudformation/pipeline.yaml');
  return createResolver(template, {
    parameters: pipelineParameters(config, deriveNames(config), {
      streaming: 'functions/streaming-0000000000000000.zip',
      notification: 'functions/notification-0000000000000000.zip',
    }),
    pseudo: {
      accountId: LOCAL_ACCOUNT,
      region: TEST_ENV.AWS_REGION,
      partition: 'aws',
      stackName: 'DEKYLMAP-streaming-pipeline',
    },
    resources: documentedResourceValues(),
  });
}

/** Keys of a user of another account, from local AWS's `PUT /_local/accounts`. */
export async function otherAccountKeys(
  endpoint: string,
  accountId: string,
  userName = 'reader',
): Promise<AwsCredentialIdentity> {
  const response = await fetch(`${endpoint}/_local/accounts`, {
    method: 'PUT',
    body: JSON.stringify({ accountId, userName }),
  });
  if (!response.ok) throw new Error(`accounts: ${response.status} ${await response.text()}`);
  const keys = (await response.json()) as { accessKeyId: string; secretAccessKey: string };
  return { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey };
}

/** A policy document allowing these actions on these resources. */
export function allowing(actions: string[], resources: string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: actions, Resource: resources }],
  });
}

/** Creates a role the account's principals may assume, with one inline policy, and assumes it. */
export async function roleSession(
  name: string,
  policy: string,
  clients: { iam: IAMClient; sts: STSClient },
): Promise<AwsCredentialIdentity> {
  await clients.iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${LOCAL_ACCOUNT}:root` },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    }),
  );
  await clients.iam.send(
    new PutRolePolicyCommand({ RoleName: name, PolicyName: 'inline', PolicyDocument: policy }),
  );
  const { Credentials } = await clients.sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${name}`,
      RoleSessionName: 'test',
    }),
  );
  return {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken!,
  };
}

/** The refusals local AWS recorded, newest last. */
export async function refusals(
  endpoint: string,
): Promise<{ principal: string; action: string; resource: string; reason: string }[]> {
  const response = await fetch(`${endpoint}/_local/iam/decisions`);
  return ((await response.json()) as { refusals: never[] }).refusals;
}
