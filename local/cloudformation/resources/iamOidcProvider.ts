import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  DeleteOpenIDConnectProviderCommand,
  IAMClient,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
} from '@aws-sdk/client-iam';
import type { Properties } from '../model.js';
import { changed, ignoringMissing, tagsOf, textOf } from './provisioner.js';
import type { Provisioner } from './provisioner.js';

const listOf = (properties: Properties, name: string): string[] => {
  const value = properties[name];
  return Array.isArray(value) ? value.map(String) : [];
};

/** AWS::IAM::OIDCProvider (such as GitHub's) through local IAM's API; Ref is its ARN. */
export const iamOidcProvider: Provisioner = {
  replacing: ['Url'],
  async create(context, properties) {
    const tags = tagsOf(properties.Tags);
    const { OpenIDConnectProviderArn: arn } = await context.clients.get(IAMClient).send(
      new CreateOpenIDConnectProviderCommand({
        Url: textOf(properties.Url),
        ClientIDList: listOf(properties, 'ClientIdList'),
        ThumbprintList: listOf(properties, 'ThumbprintList'),
        ...(tags.length > 0 ? { Tags: tags } : {}),
      }),
    );
    return { physicalId: arn!, attributes: { Arn: arn! } };
  },
  async update(context, current, properties) {
    const iam = context.clients.get(IAMClient);
    const arn = current.physicalId;
    if (changed(current.properties.ThumbprintList, properties.ThumbprintList))
      await iam.send(
        new UpdateOpenIDConnectProviderThumbprintCommand({
          OpenIDConnectProviderArn: arn,
          ThumbprintList: listOf(properties, 'ThumbprintList'),
        }),
      );
    const before = listOf(current.properties, 'ClientIdList');
    const after = listOf(properties, 'ClientIdList');
    for (const id of after.filter((c) => !before.includes(c)))
      await iam.send(
        new AddClientIDToOpenIDConnectProviderCommand({
          OpenIDConnectProviderArn: arn,
          ClientID: id,
        }),
      );
    for (const id of before.filter((c) => !after.includes(c)))
      await iam.send(
        new RemoveClientIDFromOpenIDConnectProviderCommand({
          OpenIDConnectProviderArn: arn,
          ClientID: id,
        }),
      );
    return { physicalId: arn, attributes: { Arn: arn } };
  },
  async delete(context, current) {
    await ignoringMissing(['NoSuchEntityException'], () =>
      context.clients
        .get(IAMClient)
        .send(
          new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: current.physicalId }),
        ),
    );
  },
};
