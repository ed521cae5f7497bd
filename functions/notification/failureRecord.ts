// The namespace import lets esbuild drop what is unused (85 KB instead of 450 KB of zod).
import * as z from 'zod';

/** What could be read from an on-failure destination record; every field may be missing. */
export interface FailureRecord {
  /** False when the input is not recognisably a Lambda invocation record at all. */
  understood: boolean;
  timestamp?: string;
  requestId?: string;
  functionArn?: string;
  functionName?: string;
  condition?: string;
  approximateInvokeCount?: number;
  errorType?: string;
  errorMessage?: string;
  trace?: string[];
  requestPayload?: unknown;
  /** The record exactly as it arrived. */
  raw: unknown;
}

const text = z.string().min(1).optional().catch(undefined);

// Every field is optional and falls back to undefined: a timeout or crash sends only part of the
// record, and the alert must still go out with whatever is there.
const recordSchema = z.looseObject({
  timestamp: text,
  requestContext: z
    .looseObject({
      requestId: text,
      functionArn: text,
      condition: text,
      approximateInvokeCount: z.number().int().nonnegative().optional().catch(undefined),
    })
    .optional()
    .catch(undefined),
  requestPayload: z.unknown().optional(),
  responsePayload: z
    .union([
      z.looseObject({
        errorType: text,
        errorMessage: z
          .unknown()
          .transform((value) =>
            value === undefined || value === null
              ? undefined
              : typeof value === 'string'
                ? value
                : JSON.stringify(value),
          ),
        trace: z
          .union([
            z.array(z.unknown()).transform((lines) => lines.map(String)),
            z.string().transform((line) => line.split('\n')),
          ])
          .optional()
          .catch(undefined),
      }),
      z
        .string()
        .transform((errorMessage) => ({ errorMessage, errorType: undefined, trace: undefined })),
    ])
    .optional()
    .catch(undefined),
});

/** The function name inside a Lambda ARN (`arn:aws:lambda:region:account:function:NAME[:qualifier]`). */
export function functionNameOf(arn: string | undefined): string | undefined {
  const parts = arn?.split(':');
  return parts && parts.length >= 7 && parts[2] === 'lambda' && parts[5] === 'function'
    ? parts[6]
    : undefined;
}

/** Reads an on-failure destination record leniently: whatever is present, and whether it looked like one. */
export function parseFailureRecord(input: unknown): FailureRecord {
  const parsed = recordSchema.safeParse(input);
  if (!parsed.success) return { understood: false, raw: input };
  const record = parsed.data;
  const context = record.requestContext;
  const response = record.responsePayload;
  const understood =
    context !== undefined || response !== undefined || record.requestPayload !== undefined;
  const result: FailureRecord = { understood, raw: input };
  const fields = {
    timestamp: record.timestamp,
    requestId: context?.requestId,
    functionArn: context?.functionArn,
    functionName: functionNameOf(context?.functionArn),
    condition: context?.condition,
    approximateInvokeCount: context?.approximateInvokeCount,
    errorType: response?.errorType,
    errorMessage: response?.errorMessage,
    trace: response?.trace,
    requestPayload: record.requestPayload,
  };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) (result as unknown as Record<string, unknown>)[key] = value;
  }
  return result;
}
