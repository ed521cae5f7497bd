import { describe, expect, it } from 'vitest';
import {
  buildAlert,
  logsLink,
  MAX_MESSAGE_BYTES,
  toSubject,
  truncateBytes,
} from '../../../functions/notification/alert.js';
import { parseFailureRecord } from '../../../functions/notification/failureRecord.js';
import { COMPLETE_RECORD } from './records.js';

const context = {
  ownerName: 'Kyle Maposa',
  region: 'eu-west-1',
  receivedAt: new Date('2026-11-26T06:30:00.000Z'),
};

describe('parseFailureRecord', () => {
  it('reads every field of a complete record', () => {
    expect(parseFailureRecord(COMPLETE_RECORD)).toMatchObject({
      understood: true,
      timestamp: '2026-11-26T06:29:58.123Z',
      requestId: 'e4b46cbf-b738-4c4e-8880-a18cdf61200e',
      functionName: 'DEKYLMAP-streaming-lambda',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
      errorType: 'DrillError',
      errorMessage: 'Drill: this invocation failed on purpose',
      trace: ['DrillError: Drill', '    at handler (file:///var/task/index.mjs:1:2)'],
    });
  });

  it('keeps what it can from a partial record with broken fields', () => {
    const parsed = parseFailureRecord({
      requestContext: {
        functionArn: 'arn:aws:lambda:eu-west-1:1:function:f',
        approximateInvokeCount: 'x',
      },
      responsePayload: { errorMessage: 'Task timed out after 3.00 seconds', trace: 7 },
    });
    expect(parsed).toMatchObject({
      understood: true,
      functionName: 'f',
      errorMessage: 'Task timed out after 3.00 seconds',
    });
    expect(parsed.approximateInvokeCount).toBeUndefined();
    expect(parsed.trace).toBeUndefined();
  });

  it('does not understand garbage', () => {
    for (const garbage of ['hello', 42, null, [], { unrelated: true }]) {
      expect(parseFailureRecord(garbage).understood).toBe(false);
    }
  });
});

describe('logsLink', () => {
  it('links to the function log group in the console, encoded', () => {
    expect(logsLink('eu-west-1', 'DEKYLMAP-streaming-lambda')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws$252Flambda$252FDEKYLMAP-streaming-lambda',
    );
  });
});

describe('toSubject', () => {
  it('folds to printable ASCII on one line', () => {
    expect(toSubject('Zoë\tfailed:\n ✓ done')).toBe('Zoe failed: ? done');
  });

  it('cuts to at most 100 characters', () => {
    const subject = toSubject('x'.repeat(500));
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject.endsWith('...')).toBe(true);
  });
});

describe('truncateBytes', () => {
  it('never splits a multi-byte character and says how much was cut', () => {
    const cut = truncateBytes('é'.repeat(1000), 300);
    expect(new TextEncoder().encode(cut).length).toBeLessThanOrEqual(300);
    expect(cut).not.toContain('\uFFFD');
    expect(cut).toContain('more bytes cut');
  });
});

describe('buildAlert', () => {
  it('says who owns the pipeline, what failed, when, why, how often and where to look', () => {
    // Act
    const alert = buildAlert(parseFailureRecord(COMPLETE_RECORD), context);
    // Assess
    expect(alert.subject).toBe('Pipeline alert: DEKYLMAP-streaming-lambda failed (DrillError)');
    expect(alert.message).toContain('Owner:       Kyle Maposa');
    expect(alert.message).toContain('Function:    DEKYLMAP-streaming-lambda');
    expect(alert.message).toContain('When:        2026-11-26T06:29:58.123Z');
    expect(alert.message).toContain(
      'Why:         DrillError: Drill: this invocation failed on purpose',
    );
    expect(alert.message).toContain('Attempts:    3 (RetriesExhausted');
    expect(alert.message).toContain('Request id:  e4b46cbf-b738-4c4e-8880-a18cdf61200e');
    expect(alert.message).toContain('Event id:    exec-1234');
    expect(alert.message).toContain(logsLink('eu-west-1', 'DEKYLMAP-streaming-lambda'));
    expect(alert.message).toContain('at handler (file:///var/task/index.mjs:1:2)');
  });

  it('still alerts on a partial record, saying what is unknown', () => {
    const alert = buildAlert(
      parseFailureRecord({
        responsePayload: { errorMessage: 'Task timed out after 3.00 seconds' },
      }),
      context,
    );
    expect(alert.subject).toBe('Pipeline alert: an unknown function failed (Error)');
    expect(alert.message).toContain('Why:         Error: Task timed out after 3.00 seconds');
    expect(alert.message).toContain('Attempts:    unknown');
    expect(alert.message).toContain(
      'When:        unknown; alert received 2026-11-26T06:30:00.000Z',
    );
  });

  it('says so when the record cannot be understood, and shows it', () => {
    const alert = buildAlert(parseFailureRecord('¯\\_(ツ)_/¯'), context);
    expect(alert.subject).toBe('Pipeline alert for Kyle Maposa: unreadable failure record');
    expect(alert.message).toContain('could not understand');
    expect(alert.message).toContain('"¯\\\\_(ツ)_/¯"');
  });

  it('stays under 256 KB however long the trace, and keeps the subject valid', () => {
    // Prepare: a 5 MB trace and a subject-breaking error type
    const record = {
      ...COMPLETE_RECORD,
      responsePayload: {
        errorType: `Bad\nType ${'é'.repeat(300)}`,
        errorMessage: 'm'.repeat(1_000_000),
        trace: Array.from(
          { length: 50_000 },
          (_, index) => `    at frame ${index} ${'ü'.repeat(50)}`,
        ),
      },
    };
    // Act
    const alert = buildAlert(parseFailureRecord(record), context);
    // Assess
    expect(new TextEncoder().encode(alert.message).length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(alert.subject).toMatch(/^[\x21-\x7e][\x20-\x7e]{0,98}$/);
    expect(alert.message).toContain('Owner:       Kyle Maposa');
    expect(alert.message).toContain('more bytes cut');
  });
});
