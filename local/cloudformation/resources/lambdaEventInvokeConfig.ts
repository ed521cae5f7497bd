import {
  DeleteFunctionEventInvokeConfigCommand,
  LambdaClient,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import type { Properties } from '../model.js';
import { ignoringMissing, textOf } from './provisioner.js';
import type { ProvisionContext, Provisioned, Provisioner } from './provisioner.js';

async function put(context: ProvisionContext, properties: Properties): Promise<Provisioned> {
  const functionName = textOf(properties.FunctionName)!;
  const qualifier = textOf(properties.Qualifier) ?? '$LATEST';
  await context.clients.get(LambdaClient).send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: functionName,
      Qualifier: qualifier,
      MaximumRetryAttempts: properties.MaximumRetryAttempts as number | undefined,
      MaximumEventAgeInSeconds: properties.MaximumEventAgeInSeconds as number | undefined,
      DestinationConfig: properties.DestinationConfig as never,
    }),
  );
  // The resource's identifier is its function and qualifier together.
  return { physicalId: `${functionName}|${qualifier}` };
}

/** AWS::Lambda::EventInvokeConfig: retries, event age and destinations of asynchronous invokes. */
export const lambdaEventInvokeConfig: Provisioner = {
  replacing: ['FunctionName', 'Qualifier'],
  create: put,
  update: (context, _current, properties) => put(context, properties),
  async delete(context, current) {
    await ignoringMissing(['ResourceNotFoundException'], () =>
      context.clients.get(LambdaClient).send(
        new DeleteFunctionEventInvokeConfigCommand({
          FunctionName: textOf(current.properties.FunctionName),
          Qualifier: textOf(current.properties.Qualifier) ?? '$LATEST',
        }),
      ),
    );
  },
};
