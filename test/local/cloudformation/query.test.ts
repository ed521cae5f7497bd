import { DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ListWorkGroupsCommand } from '@aws-sdk/client-athena';
import { GetDatabasesCommand } from '@aws-sdk/client-glue';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { deriveNames } from '../../../lib/config/names.js';
import { sampleObjects } from '../../../lib/query/sampleData.js';
import { readTemplate } from '../../../lib/templates/parse.js';
import { main } from '../../../scripts/query.js';
import { runMain } from '../../support/cli.js';
import { cloudFormationClient, createStack, settled } from '../../support/cloudFormation.js';
import { useLocalAws } from '../../support/localAws.js';
import { seededRandom } from '../../support/random.js';
import { queryClients } from '../../support/tickers.js';

useLocalAws();
// The sample config's names, which `npm run query` reads.
const names = deriveNames({ firstName: 'Kyle', lastName: 'Maposa' });
let cfn: CloudFormationClient;

/**
 * The pipeline template's query resources (Glue database and table, Athena workgroup) as they are,
 * over a plain bucket standing in for the data bucket.
 */
async function queryTemplate(): Promise<string> {
  const pipeline = (await readTemplate('cloudformation/pipeline.yaml')).body as {
    Parameters: Record<string, unknown>;
    Resources: Record<string, unknown>;
  };
  const pick = (from: Record<string, unknown>, keys: string[]) =>
    Object.fromEntries(keys.map((key) => [key, from[key]]));
  return stringify({
    Parameters: pick(pipeline.Parameters, [
      'NamePrefix',
      'BucketName',
      'GlueDatabaseName',
      'WorkGroupName',
    ]),
    Resources: {
      DataBucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { Ref: 'BucketName' } } },
      ...pick(pipeline.Resources, ['TickerDatabase', 'DeliveredTickersTable', 'QueryWorkGroup']),
    },
  });
}

beforeAll(() => {
  cfn = cloudFormationClient();
});

describe('the pipeline template’s query resources on local CloudFormation', () => {
  it('deploys, answers npm run query over delivered objects, and tears down', async () => {
    const stack = await createStack(cfn, 'query-stack', await queryTemplate(), {
      parameters: {
        NamePrefix: names.prefix,
        BucketName: names.bucket,
        GlueDatabaseName: names.glueDatabase,
        WorkGroupName: names.workGroup,
      },
    });
    const { s3, glue, athena } = queryClients();
    const objects = [
      ...sampleObjects({
        start: new Date(Date.now() - 3 * 3_600_000),
        records: 300,
        recordsPerObject: 100,
        tickers: ['AAA', 'BBB'],
        spacingMs: 10_000,
        random: seededRandom(3),
      }),
    ];
    for (const object of objects)
      await s3.send(
        new PutObjectCommand({ Bucket: names.bucket, Key: object.key, Body: object.body }),
      );

    const answer = await runMain(main, ['SELECT count(*) AS n FROM tickers', '--csv']);
    await cfn.send(new DeleteStackCommand({ StackName: 'query-stack' }));
    // The bucket still holds the objects, so only it stays behind.
    await settled(cfn, 'query-stack').catch(() => undefined);
    const databases = await glue.send(new GetDatabasesCommand({}));
    const workGroups = await athena.send(new ListWorkGroupsCommand({}));

    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(answer.stdout).toBe('"n"\n"300"\n');
    expect(databases.DatabaseList?.map((database) => database.Name)).not.toContain(
      names.glueDatabase,
    );
    expect(workGroups.WorkGroups?.map((group) => group.Name)).toEqual(['primary']);
  });
});
