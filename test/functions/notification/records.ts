/** A complete record, as Lambda sends it to an on-failure destination. */
export const COMPLETE_RECORD = {
  version: '1.0',
  timestamp: '2026-11-26T06:29:58.123Z',
  requestContext: {
    requestId: 'e4b46cbf-b738-4c4e-8880-a18cdf61200e',
    functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:DEKYLMAP-streaming-lambda:$LATEST',
    condition: 'RetriesExhausted',
    approximateInvokeCount: 3,
  },
  requestPayload: { id: 'exec-1234', drill: true },
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  responsePayload: {
    errorType: 'DrillError',
    errorMessage: 'Drill: this invocation failed on purpose',
    trace: ['DrillError: Drill', '    at handler (file:///var/task/index.mjs:1:2)'],
  },
};
