import { DeleteRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { Properties } from '../model.js';
import { policyText } from './iamRole.js';
import { ignoringMissing, textOf } from './provisioner.js';
import type { ProvisionContext, Provisioner } from './provisioner.js';

const rolesOf = (properties: Properties): string[] =>
  Array.isArray(properties.Roles) ? properties.Roles.map(String) : [];

async function put(
  context: ProvisionContext,
  properties: Properties,
  roles: string[],
): Promise<void> {
  for (const role of roles)
    await context.clients.get(IAMClient).send(
      new PutRolePolicyCommand({
        RoleName: role,
        PolicyName: textOf(properties.PolicyName),
        PolicyDocument: policyText(properties.PolicyDocument),
      }),
    );
}

async function remove(context: ProvisionContext, name: string, roles: string[]): Promise<void> {
  for (const role of roles)
    await ignoringMissing(['NoSuchEntityException'], () =>
      context.clients
        .get(IAMClient)
        .send(new DeleteRolePolicyCommand({ RoleName: role, PolicyName: name })),
    );
}

/** AWS::IAM::Policy: an inline policy put on each of its roles (users and groups are not served). */
export const iamPolicy: Provisioner = {
  async create(context, properties) {
    await put(context, properties, rolesOf(properties));
    return { physicalId: context.generatedName({ maxLength: 128 }) };
  },
  async update(context, current, properties) {
    const gone = rolesOf(current.properties).filter((role) => !rolesOf(properties).includes(role));
    await remove(context, String(current.properties.PolicyName), gone);
    if (current.properties.PolicyName !== properties.PolicyName)
      await remove(context, String(current.properties.PolicyName), rolesOf(properties));
    await put(context, properties, rolesOf(properties));
    return { physicalId: current.physicalId };
  },
  async delete(context, current) {
    await remove(context, String(current.properties.PolicyName), rolesOf(current.properties));
  },
};
