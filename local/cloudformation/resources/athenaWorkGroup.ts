import {
  AthenaClient,
  CreateWorkGroupCommand,
  DeleteWorkGroupCommand,
  UpdateWorkGroupCommand,
} from '@aws-sdk/client-athena';
import type { WorkGroupConfiguration } from '@aws-sdk/client-athena';
import { isObject } from '../../../lib/templates/parse.js';
import { ignoringMissing, tagsOf, textOf } from './provisioner.js';
import type { Provisioner } from './provisioner.js';

/** AWS::Athena::WorkGroup through local Athena's API; Ref is the workgroup's name. */
export const athenaWorkGroup: Provisioner = {
  nameProperty: 'Name',
  async create(context, properties) {
    const name = textOf(properties.Name) ?? context.generatedName({ maxLength: 128 });
    const tags = tagsOf(properties.Tags);
    await context.clients.get(AthenaClient).send(
      new CreateWorkGroupCommand({
        Name: name,
        Description: textOf(properties.Description),
        Configuration: (isObject(properties.WorkGroupConfiguration)
          ? properties.WorkGroupConfiguration
          : {}) as WorkGroupConfiguration,
        ...(tags.length > 0 ? { Tags: tags } : {}),
      }),
    );
    return { physicalId: name };
  },

  async update(context, current, properties) {
    const configuration = (
      isObject(properties.WorkGroupConfiguration) ? properties.WorkGroupConfiguration : {}
    ) as WorkGroupConfiguration;
    await context.clients.get(AthenaClient).send(
      new UpdateWorkGroupCommand({
        WorkGroup: current.physicalId,
        Description: textOf(properties.Description),
        State: textOf(properties.State) as 'ENABLED' | 'DISABLED' | undefined,
        ConfigurationUpdates: {
          EnforceWorkGroupConfiguration: configuration.EnforceWorkGroupConfiguration,
          PublishCloudWatchMetricsEnabled: configuration.PublishCloudWatchMetricsEnabled,
          ...(configuration.BytesScannedCutoffPerQuery === undefined
            ? { RemoveBytesScannedCutoffPerQuery: true }
            : { BytesScannedCutoffPerQuery: configuration.BytesScannedCutoffPerQuery }),
          ResultConfigurationUpdates: {
            ...(configuration.ResultConfiguration?.OutputLocation
              ? { OutputLocation: configuration.ResultConfiguration.OutputLocation }
              : { RemoveOutputLocation: true }),
            ...(configuration.ResultConfiguration?.EncryptionConfiguration
              ? {
                  EncryptionConfiguration:
                    configuration.ResultConfiguration.EncryptionConfiguration,
                }
              : {}),
          },
        },
      }),
    );
    return { physicalId: current.physicalId };
  },

  async delete(context, current) {
    await ignoringMissing(['InvalidRequestException'], () =>
      context.clients.get(AthenaClient).send(
        new DeleteWorkGroupCommand({
          WorkGroup: current.physicalId,
          RecursiveDeleteOption: true,
        }),
      ),
    );
  },
};
