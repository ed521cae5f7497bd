import { CreateDatabaseCommand, DeleteDatabaseCommand, GlueClient } from '@aws-sdk/client-glue';
import type { DatabaseInput } from '@aws-sdk/client-glue';
import { isObject } from '../../../lib/templates/parse.js';
import { ignoringMissing, textOf } from './provisioner.js';
import type { Provisioner } from './provisioner.js';

/** AWS::Glue::Database through local Glue's API; Ref is the database's name (lower case, as Glue keeps it). */
export const glueDatabase: Provisioner = {
  replacing: ['DatabaseInput'],
  async create(context, properties) {
    const input = isObject(properties.DatabaseInput) ? properties.DatabaseInput : {};
    const name = (
      textOf(input.Name) ?? context.generatedName({ maxLength: 255, lowerCase: true })
    ).toLowerCase();
    await context.clients.get(GlueClient).send(
      new CreateDatabaseCommand({
        DatabaseInput: { ...(input as unknown as DatabaseInput), Name: name },
      }),
    );
    return { physicalId: name };
  },

  async delete(context, current) {
    await ignoringMissing(['EntityNotFoundException'], () =>
      context.clients.get(GlueClient).send(new DeleteDatabaseCommand({ Name: current.physicalId })),
    );
  },
};
