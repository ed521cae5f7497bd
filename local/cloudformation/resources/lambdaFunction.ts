import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
  TagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { isObject } from '../../../lib/templates/parse.js';
import type { Properties } from '../model.js';
import { changed, ignoringMissing, poll, tagsOf, textOf } from './provisioner.js';
import type { Provisioned, ProvisionContext, Provisioner } from './provisioner.js';

/** Properties that are function configuration, under the same names in the Lambda API. */
const CONFIGURATION = [
  'Role',
  'Handler',
  'Runtime',
  'Description',
  'Timeout',
  'MemorySize',
  'Environment',
  'LoggingConfig',
  'DeadLetterConfig',
  'TracingConfig',
  'Layers',
  'KmsKeyArn',
  'EphemeralStorage',
  'VpcConfig',
] as const;

function configuration(properties: Properties): Record<string, unknown> {
  return Object.fromEntries(
    CONFIGURATION.filter((name) => properties[name] !== undefined).map((name) => [
      name,
      properties[name],
    ]),
  );
}

/**
 * The function's code in the API's shape. ZipFile is source text: CloudFormation puts it in a zip
 * as `index.js` (`index.py` for Python), which is what its handler names.
 */
function code(properties: Properties): Record<string, unknown> {
  const given = isObject(properties.Code) ? properties.Code : {};
  if (typeof given.ZipFile === 'string') {
    const file = String(properties.Runtime ?? '').startsWith('python') ? 'index.py' : 'index.js';
    return { ZipFile: zipSync({ [file]: strToU8(given.ZipFile) }) };
  }
  if (given.ImageUri !== undefined)
    throw new Error(
      'local AWS runs zip functions only: Code.ImageUri (container images) is not supported',
    );
  return {
    S3Bucket: textOf(given.S3Bucket),
    S3Key: textOf(given.S3Key),
    S3ObjectVersion: textOf(given.S3ObjectVersion),
  };
}

/** Waits until the function can be invoked and changed again, as CloudFormation does. */
async function settled(context: ProvisionContext, name: string): Promise<Provisioned> {
  const lambda = context.clients.get(LambdaClient);
  return poll(context, `function ${name}`, async () => {
    const fn: FunctionConfiguration = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: name }),
    );
    if (fn.State === 'Failed')
      throw new Error(`function ${name} failed: ${fn.StateReason ?? 'no reason given'}`);
    return fn.State !== 'Pending' && fn.LastUpdateStatus !== 'InProgress'
      ? { physicalId: name, attributes: { Arn: fn.FunctionArn! } }
      : undefined;
  });
}

/** AWS::Lambda::Function through local Lambda's API: code from S3Bucket/S3Key or ZipFile. */
export const lambdaFunction: Provisioner = {
  nameProperty: 'FunctionName',
  async create(context, properties) {
    const name = textOf(properties.FunctionName) ?? context.generatedName({ maxLength: 64 });
    const lambda = context.clients.get(LambdaClient);
    const tags = Object.fromEntries(tagsOf(properties.Tags).map((tag) => [tag.Key, tag.Value]));
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        ...configuration(properties),
        Architectures: properties.Architectures as never,
        PackageType: 'Zip',
        Code: code(properties) as never,
        ...(Object.keys(tags).length > 0 ? { Tags: tags } : {}),
      } as never),
    );
    if (properties.ReservedConcurrentExecutions !== undefined)
      await lambda.send(
        new PutFunctionConcurrencyCommand({
          FunctionName: name,
          ReservedConcurrentExecutions: Number(properties.ReservedConcurrentExecutions),
        }),
      );
    return settled(context, name);
  },

  async update(context, current, properties) {
    const lambda = context.clients.get(LambdaClient);
    const name = current.physicalId;
    if (
      changed(current.properties.Code, properties.Code) ||
      changed(current.properties.Architectures, properties.Architectures)
    ) {
      await lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: name,
          ...code(properties),
          Architectures: properties.Architectures as never,
        } as never),
      );
      await settled(context, name);
    }
    const before = configuration(current.properties);
    const after = configuration(properties);
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      // A property left out goes back to Lambda's default, as in CloudFormation.
      const cleared = Object.fromEntries(
        Object.keys(before)
          .filter((key) => !(key in after))
          .map((key) => [
            key,
            key === 'Environment' ? { Variables: {} } : key === 'Layers' ? [] : undefined,
          ]),
      );
      await lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: name,
          ...cleared,
          ...after,
        } as never),
      );
      await settled(context, name);
    }
    if (
      changed(
        current.properties.ReservedConcurrentExecutions,
        properties.ReservedConcurrentExecutions,
      )
    ) {
      if (properties.ReservedConcurrentExecutions === undefined)
        await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
      else
        await lambda.send(
          new PutFunctionConcurrencyCommand({
            FunctionName: name,
            ReservedConcurrentExecutions: Number(properties.ReservedConcurrentExecutions),
          }),
        );
    }
    const result = await settled(context, name);
    if (changed(current.properties.Tags, properties.Tags) && tagsOf(properties.Tags).length > 0)
      await lambda.send(
        new TagResourceCommand({
          Resource: String(result.attributes!.Arn),
          Tags: Object.fromEntries(tagsOf(properties.Tags).map((tag) => [tag.Key, tag.Value])),
        }),
      );
    return result;
  },

  async delete(context, current) {
    await ignoringMissing(['ResourceNotFoundException'], () =>
      context.clients
        .get(LambdaClient)
        .send(new DeleteFunctionCommand({ FunctionName: current.physicalId })),
    );
  },
};
