/**
 * Where a step tells its story: the GitHub action maps it to the job log and summary, `npm start`
 * to its terminal view, tests to an array.
 */
export interface Reporter {
  /** One line of progress for the log. */
  info(message: string): void;
  /** Something the reader should notice that does not stop the step. */
  warning(message: string): void;
  /** A block of Markdown for the run's summary (a heading, a table, a chart). */
  summary(markdown: string): void;
}

/** A reporter that keeps every line, for tests and for callers that print at the end. */
export function recordingReporter(): Reporter & {
  lines: string[];
  warnings: string[];
  markdown: string[];
} {
  const lines: string[] = [];
  const warnings: string[] = [];
  const markdown: string[] = [];
  return {
    lines,
    warnings,
    markdown,
    info: (message) => lines.push(message),
    warning: (message) => warnings.push(message),
    summary: (text) => markdown.push(text),
  };
}

/** Escapes a table cell: a pipe would end the cell, a line break the row. */
function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A GitHub-flavoured Markdown table. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** Time and sleep, passed in so that waits and backoff run instantly in tests. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
