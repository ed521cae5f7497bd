import type { FailureRecord } from './failureRecord.js';

/** SNS's subject limit: printable ASCII, no line breaks, under 100 characters. */
export const MAX_SUBJECT_LENGTH = 99;

/** Message budget in UTF-8 bytes, well under SNS's 256 KB (262,144 bytes) with room for the envelope. */
export const MAX_MESSAGE_BYTES = 240_000;

// Budgets of the free-text parts, so one huge field cannot crowd out the others.
const BUDGET = { errorMessage: 16_000, trace: 96_000, payload: 32_000, raw: 96_000 } as const;

/** One SNS message: subject and body. */
export interface Alert {
  subject: string;
  message: string;
}

/** Who the alert is for and where the function runs. */
export interface AlertContext {
  ownerName: string;
  region: string;
  /** When the notification function received the record; used when the record has no timestamp. */
  receivedAt: Date;
}

const CONDITIONS: Record<string, string> = {
  RetriesExhausted: 'every attempt failed and Lambda gave up',
  EventAgeExceeded: 'the event waited too long in the queue and Lambda dropped it',
};

/**
 * The AWS console link to a function's log group, encoded as the console itself writes it in the
 * fragment: URI-encoded twice, with `$` for `%` (`/` becomes `$252F`).
 */
export function logsLink(region: string, functionName: string): string {
  const group = encodeURIComponent(encodeURIComponent(`/aws/lambda/${functionName}`)).replace(
    /%/g,
    '$',
  );
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${group}`;
}

/** Folds text to printable ASCII on one line, at most `max` characters, for an SNS subject. */
export function toSubject(text: string, max = MAX_SUBJECT_LENGTH): string {
  const ascii = text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/\s+/gu, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  const subject = ascii.length <= max ? ascii : `${ascii.slice(0, max - 3).trimEnd()}...`;
  return subject || 'Pipeline alert';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Cuts text to at most `maxBytes` UTF-8 bytes without splitting a character, saying how much was cut. */
export function truncateBytes(text: string, maxBytes: number): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return text;
  const note = `\n[... ${bytes.length - maxBytes} more bytes cut to keep the alert under SNS's 256 KB limit]`;
  const kept = decoder
    .decode(bytes.subarray(0, Math.max(0, maxBytes - note.length)))
    .replace(/\uFFFD$/u, '');
  return `${kept}${note}`;
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}

/** The event id a redelivery would need, when the failed event carried one. */
function eventIdOf(payload: unknown): string | undefined {
  if (payload && typeof payload === 'object' && 'id' in payload) {
    const id = (payload as { id: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  }
  return undefined;
}

/** Builds the alert for a failure record: who owns the pipeline, what failed, when, why, and where to look. */
export function buildAlert(record: FailureRecord, context: AlertContext): Alert {
  if (!record.understood) {
    const subject = toSubject(`Pipeline alert for ${context.ownerName}: unreadable failure record`);
    const message = [
      `${context.ownerName}, the notification function of your streaming pipeline received a failure`,
      'record it could not understand, so it cannot say which function failed or why. Something',
      'probably failed; here is the record exactly as it arrived.',
      '',
      `Owner:     ${context.ownerName}`,
      `Received:  ${context.receivedAt.toISOString()}`,
      `Functions: https://${context.region}.console.aws.amazon.com/lambda/home?region=${context.region}#/functions`,
      '',
      'Record:',
      indent(truncateBytes(json(record.raw), BUDGET.raw)),
    ].join('\n');
    return { subject, message: truncateBytes(message, MAX_MESSAGE_BYTES) };
  }

  const functionName = record.functionName ?? 'an unknown function';
  const reason = record.errorType ?? (record.errorMessage ? 'Error' : 'unknown error');
  const subject = toSubject(`Pipeline alert: ${functionName} failed (${reason})`);
  const why = record.errorMessage
    ? `${reason}: ${truncateBytes(record.errorMessage, BUDGET.errorMessage)}`
    : `${reason} (the record carries no error message; a timeout or crash often looks like this)`;
  const attempts =
    record.approximateInvokeCount === undefined ? 'unknown' : String(record.approximateInvokeCount);
  const condition = record.condition
    ? ` (${record.condition}: ${CONDITIONS[record.condition] ?? 'see the Lambda documentation'})`
    : '';
  const eventId = eventIdOf(record.requestPayload);
  const lines = [
    `${context.ownerName}, a function of your streaming pipeline failed.`,
    '',
    `Owner:       ${context.ownerName}`,
    `Function:    ${functionName}${record.functionArn ? ` (${record.functionArn})` : ''}`,
    `When:        ${record.timestamp ?? `unknown; alert received ${context.receivedAt.toISOString()}`}`,
    `Why:         ${why}`,
    `Attempts:    ${attempts}${condition}`,
    `Request id:  ${record.requestId ?? 'unknown'}`,
    ...(eventId ? [`Event id:    ${eventId}`] : []),
    `Logs:        ${record.functionName ? logsLink(context.region, record.functionName) : `https://${context.region}.console.aws.amazon.com/cloudwatch/home?region=${context.region}#logsV2:log-groups`}`,
  ];
  if (eventId) {
    lines.push(
      '',
      'Changes this event committed but could not deliver are recorded on their tickers: invoking',
      `the function with {"id": ${JSON.stringify(eventId)}} soon re-delivers them without moving prices again.`,
    );
  }
  if (record.trace && record.trace.length > 0) {
    lines.push('', 'Trace:', indent(truncateBytes(record.trace.join('\n'), BUDGET.trace)));
  }
  if (record.requestPayload !== undefined) {
    lines.push('', 'Event:', indent(truncateBytes(json(record.requestPayload), BUDGET.payload)));
  }
  return { subject, message: truncateBytes(lines.join('\n'), MAX_MESSAGE_BYTES) };
}
