import { describe, expect, it } from 'vitest';
import { BOUNDS, checkBounds } from '../../../lib/templates/bounds.js';
import { checkAgainstSpec } from '../../../lib/templates/checkSpec.js';
import { loadServiceSpec } from '../../../lib/templates/spec.js';
import { located, REAL_TEMPLATES, template } from './support.js';

describe('checkBounds', () => {
  it.each(REAL_TEMPLATES)('passes %s', async (file) => {
    expect(located(checkBounds(await template(file)))).toEqual([]);
  });

  it('rejects numbers outside the range each service accepts', async () => {
    expect(located(checkBounds(await template('out-of-range')))).toEqual([
      expect.stringMatching(
        /^18:7: StreamingFunction\.Timeout = 1000 is above the maximum of 900 \(/,
      ),
      expect.stringMatching(
        /^28:7: StreamingFunctionInvokeConfig\.MaximumRetryAttempts = 5 is above the maximum of 2 \(/,
      ),
      expect.stringMatching(
        /^38:11: DeliveryStream\.ExtendedS3DestinationConfiguration\.BufferingHints\.SizeInMBs = 200 is above the maximum of 128 \(/,
      ),
    ]);
  });

  it('rejects values outside the lists the spec leaves out', async () => {
    expect(located(checkBounds(await template('bad-enums')))).toEqual([
      expect.stringMatching(
        /^13:7: StreamingFunction\.Runtime = "nodejs22" is not one of the \d+ values it takes/,
      ),
      expect.stringMatching(
        /^24:7: TickerTable\.BillingMode = "ON_DEMAND" is not one of "PROVISIONED" or "PAY_PER_REQUEST"/,
      ),
      expect.stringMatching(
        /^27:11: TickerTable\.AttributeDefinitions\[\]\.AttributeType = "STRING" is not one of "S", "N" or "B"/,
      ),
      expect.stringMatching(
        /^30:11: TickerTable\.KeySchema\[\]\.KeyType = "PRIMARY" is not one of "HASH" or "RANGE"/,
      ),
    ]);
  });

  it('says where every bound of its table comes from', () => {
    const bounds = Object.values(BOUNDS).flatMap((byProperty) => Object.values(byProperty));
    expect(bounds.filter((bound) => bound.source.trim() === '')).toEqual([]);
  });
});

describe('checkAgainstSpec (allowed values)', () => {
  it('rejects a value outside the spec’s list, with the nearest one', async () => {
    // Act
    const findings = located(
      checkAgainstSpec(await template('out-of-range'), await loadServiceSpec()),
    );

    // Assess
    expect(findings).toEqual([
      expect.stringMatching(
        /^11:7: StreamingLogGroup \(AWS::Logs::LogGroup\)\.RetentionInDays = 366 is not one of "1", .* \(did you mean "365"\?\)$/,
      ),
    ]);
  });

  it('rejects a log format the spec does not list', async () => {
    const findings = located(
      checkAgainstSpec(await template('bad-enums'), await loadServiceSpec()),
    );
    expect(findings).toEqual([
      '19:9: StreamingFunction (AWS::Lambda::Function).LoggingConfig.LogFormat = "Yaml" is not one of "Text" or "JSON"',
    ]);
  });
});
