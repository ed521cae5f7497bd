import { beforeAll, describe, expect, it } from 'vitest';
import { tickerTableInput } from '../../lib/query/table.js';
import { readTemplate } from '../../lib/templates/parse.js';
import type { TemplateValue } from '../../lib/templates/parse.js';

type Resource = { Type: string; Properties: Record<string, TemplateValue> };
let resources: Record<string, Resource>;

beforeAll(async () => {
  const template = await readTemplate('cloudformation/pipeline.yaml');
  resources = template.body.Resources as unknown as Record<string, Resource>;
});

describe('cloudformation/pipeline.yaml: querying the delivered data', () => {
  it('defines the tickers table as local Athena’s tests and npm run query read it', () => {
    const local = tickerTableInput('BUCKET');
    const table = resources.DeliveredTickersTable!;
    const input = table.Properties.TableInput as Record<string, Record<string, unknown>>;

    expect(table.Type).toBe('AWS::Glue::Table');
    expect(input.StorageDescriptor!.Columns).toEqual(local.StorageDescriptor.Columns);
    expect(input.PartitionKeys).toEqual(local.PartitionKeys);
    expect(
      (input.StorageDescriptor!.SerdeInfo as Record<string, unknown>).SerializationLibrary,
    ).toBe('org.openx.data.jsonserde.JsonSerDe');
    const { 'storage.location.template': template, ...projection } = input.Parameters!;
    const { 'storage.location.template': localTemplate, ...localProjection } = local.Parameters;
    expect(projection).toEqual(localProjection);
    expect(template).toEqual({ 'Fn::Sub': 's3://${DataBucket}/tickers/${!dt}/' });
    expect(localTemplate).toBe('s3://BUCKET/tickers/${dt}/');
  });

  it('puts the workgroup’s results, encrypted, under athena-results/ of the data bucket, with a scan cap', () => {
    const workGroup = resources.QueryWorkGroup!;

    expect(workGroup.Properties.WorkGroupConfiguration).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: expect.any(Number),
      ResultConfiguration: {
        OutputLocation: { 'Fn::Sub': 's3://${DataBucket}/athena-results/' },
        EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
      },
    });
  });

  it('expires query results in the data bucket', () => {
    const lifecycle = resources.DataBucket!.Properties.LifecycleConfiguration as {
      Rules: { Prefix?: string; ExpirationInDays?: number; Status: string }[];
    };

    expect(lifecycle.Rules).toContainEqual(
      expect.objectContaining({
        Prefix: 'athena-results/',
        Status: 'Enabled',
        ExpirationInDays: 7,
      }),
    );
  });
});
