import { describe, expect, it } from 'vitest';
import { parseStreamingEnvironment } from '../../../functions/streaming/environment.js';
import { parseTickEvent } from '../../../functions/streaming/event.js';
import { ValidationError } from '../../../lib/errors.js';

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected an error');
}

describe('parseStreamingEnvironment', () => {
  it('reads the table and delivery stream names', () => {
    expect(
      parseStreamingEnvironment({
        TABLE_NAME: 'DEKYLMAP-streaming-dynamodb',
        DELIVERY_STREAM_NAME: 'DEKYLMAP-deliverystream',
        OTHER: 'ignored',
      }),
    ).toEqual({
      TABLE_NAME: 'DEKYLMAP-streaming-dynamodb',
      DELIVERY_STREAM_NAME: 'DEKYLMAP-deliverystream',
    });
  });

  it('names every missing variable and says what to set', () => {
    const error = thrown(() => parseStreamingEnvironment({}));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe(
      'environment variable TABLE_NAME: is not set; set it to the DynamoDB table name, such as "DEKYLMAP-streaming-dynamodb"\n' +
        'environment variable DELIVERY_STREAM_NAME: is not set; set it to the Firehose delivery stream name, such as "DEKYLMAP-deliverystream"',
    );
  });

  it('names an invalid value', () => {
    const error = thrown(() =>
      parseStreamingEnvironment({ TABLE_NAME: 'no spaces allowed', DELIVERY_STREAM_NAME: 'ok' }),
    );
    expect((error as ValidationError).findings).toEqual([
      {
        path: 'environment variable TABLE_NAME',
        message: expect.stringContaining('not "no spaces allowed"'),
      },
    ]);
  });
});

describe('parseTickEvent', () => {
  it('takes the EventBridge id and ignores the rest of the envelope', () => {
    expect(
      parseTickEvent({ id: 'b9f2c2a1-exec', 'detail-type': 'Scheduled Event', detail: {} }),
    ).toEqual({ id: 'b9f2c2a1-exec', drill: false });
  });

  it('treats an event without id, or an empty invoke, as a fresh tick', () => {
    expect(parseTickEvent({})).toEqual({ drill: false });
    expect(parseTickEvent(null)).toEqual({ drill: false });
  });

  it('reads the drill switch', () => {
    expect(parseTickEvent({ drill: true })).toEqual({ drill: true });
  });

  it('names a mistyped field', () => {
    const error = thrown(() => parseTickEvent({ id: 42, drill: 'yes' })) as ValidationError;
    expect(error.findings.map((finding) => finding.path)).toEqual(['event id', 'event drill']);
    expect(error.message).toContain('must be true or false');
  });

  it('rejects an event that is not an object', () => {
    const error = thrown(() => parseTickEvent('tick')) as ValidationError;
    expect(error.message).toBe(
      'event: must be a JSON object, such as {"id": "<event id>"} or {"drill": true}',
    );
  });
});
