import {
  AddPermissionCommand,
  LambdaClient,
  RemovePermissionCommand,
} from '@aws-sdk/client-lambda';
import { ignoringMissing, textOf } from './provisioner.js';
import type { Provisioner } from './provisioner.js';

/** AWS::Lambda::Permission: one statement of the function's resource policy; any change replaces it. */
export const lambdaPermission: Provisioner = {
  async create(context, properties) {
    const statementId = context.generatedName({ maxLength: 100 });
    await context.clients.get(LambdaClient).send(
      new AddPermissionCommand({
        FunctionName: textOf(properties.FunctionName),
        StatementId: statementId,
        Action: textOf(properties.Action),
        Principal: textOf(properties.Principal),
        SourceArn: textOf(properties.SourceArn),
        SourceAccount: textOf(properties.SourceAccount),
        PrincipalOrgID: textOf(properties.PrincipalOrgID),
        EventSourceToken: textOf(properties.EventSourceToken),
        FunctionUrlAuthType: textOf(properties.FunctionUrlAuthType) as never,
      }),
    );
    return { physicalId: statementId };
  },
  async delete(context, current) {
    await ignoringMissing(['ResourceNotFoundException'], () =>
      context.clients.get(LambdaClient).send(
        new RemovePermissionCommand({
          FunctionName: textOf(current.properties.FunctionName),
          StatementId: current.physicalId,
        }),
      ),
    );
  },
};
