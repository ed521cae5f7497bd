import {
  CreateTableCommand,
  DeleteTableCommand,
  GlueClient,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import type { TableInput } from '@aws-sdk/client-glue';
import { isObject } from '../../../lib/templates/parse.js';
import { ignoringMissing, textOf } from './provisioner.js';
import type { Properties } from '../model.js';
import type { Provisioner } from './provisioner.js';

/** The table input with its name in lower case, as Glue keeps it. */
function inputOf(properties: Properties): TableInput & { Name: string } {
  const input = isObject(properties.TableInput) ? properties.TableInput : {};
  return { ...(input as unknown as TableInput), Name: (textOf(input.Name) ?? '').toLowerCase() };
}

/** AWS::Glue::Table through local Glue's API; the physical id is `database|table`, Ref the table's name. */
export const glueTable: Provisioner = {
  replacing: ['DatabaseName', 'CatalogId'],
  async create(context, properties) {
    const database = String(properties.DatabaseName).toLowerCase();
    const input = inputOf(properties);
    if (!input.Name) input.Name = context.generatedName({ maxLength: 255, lowerCase: true });
    await context.clients
      .get(GlueClient)
      .send(new CreateTableCommand({ DatabaseName: database, TableInput: input }));
    return { physicalId: `${database}|${input.Name}`, ref: input.Name };
  },

  async update(context, current, properties) {
    const [database, name] = current.physicalId.split('|') as [string, string];
    const input = inputOf(properties);
    if (input.Name && input.Name !== name) {
      throw new Error(
        `renaming Glue table ${name} to ${input.Name} replaces it; remove and re-add it`,
      );
    }
    await context.clients
      .get(GlueClient)
      .send(
        new UpdateTableCommand({ DatabaseName: database, TableInput: { ...input, Name: name } }),
      );
    return { physicalId: current.physicalId, ref: name };
  },

  async delete(context, current) {
    const [database, name] = current.physicalId.split('|') as [string, string];
    await ignoringMissing(['EntityNotFoundException'], () =>
      context.clients
        .get(GlueClient)
        .send(new DeleteTableCommand({ DatabaseName: database, Name: name })),
    );
  },
};
