/** A problem with something the user wrote, located by field path and, where known, position. */
export interface Finding {
  /** Dotted path to the field, such as `tickers[1].price`; empty for the whole file. */
  path: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

/** Thrown when input the user controls is invalid; carries every finding, not just the first. */
export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(
    readonly findings: Finding[],
    options?: { cause?: unknown },
  ) {
    super(findings.map(formatFinding).join('\n'), options);
  }
}

/** `file:line:column: path: message`, the form GitHub turns into annotations. */
export function formatFinding(finding: Finding): string {
  const location = finding.file
    ? `${finding.file}${finding.line ? `:${finding.line}:${finding.column ?? 1}` : ''}: `
    : '';
  return `${location}${finding.path ? `${finding.path}: ` : ''}${finding.message}`;
}

/** The message of any thrown value, for places that must report rather than crash. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
