import { z } from 'zod';

/** One delivered JSON line, as the streaming function writes it (functions/streaming/delivery.ts). */
export const deliveredRecordSchema = z
  .object({
    TickerName: z.string().min(1),
    Price: z.number().positive(),
    PreviousPrice: z.number().positive(),
    Version: z.number().int().min(1),
    Timestamp: z.iso.datetime(),
    EventId: z.string().optional(),
  })
  .strict();

/** One delivered record. */
export type DeliveredRecord = z.infer<typeof deliveredRecordSchema>;

/** A line that is not a well-formed record, and where it is. */
export interface MalformedLine {
  key: string;
  line: number;
  problem: string;
}

/** Parses the JSON lines of one object; a line that is not a record is reported, not thrown. */
export function parseObjectLines(
  key: string,
  text: string,
): { records: DeliveredRecord[]; malformed: MalformedLine[] } {
  const records: DeliveredRecord[] = [];
  const malformed: MalformedLine[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      malformed.push({ key, line: index + 1, problem: 'not JSON' });
      return;
    }
    const parsed = deliveredRecordSchema.safeParse(value);
    if (parsed.success) records.push(parsed.data);
    else
      malformed.push({
        key,
        line: index + 1,
        problem: parsed.error.issues
          .map((issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`)
          .join('; '),
      });
  });
  return { records, malformed };
}

/** One ticker over the window: its distinct versions in order and the prices they carried. */
export interface TickerSeries {
  ticker: string;
  /** Distinct versions, ascending (a redelivered record appears once). */
  versions: number[];
  /** Price at each version. */
  prices: number[];
  /** Records seen, duplicates included. */
  records: number;
  /** Versions missing between the first and last seen. */
  gaps: number[];
}

/** Groups records by ticker, drops redeliveries (same ticker and version) and finds version gaps. */
export function tickerSeries(records: readonly DeliveredRecord[]): Map<string, TickerSeries> {
  const byTicker = new Map<string, Map<number, DeliveredRecord>>();
  const counts = new Map<string, number>();
  for (const record of records) {
    const versions = byTicker.get(record.TickerName) ?? new Map<number, DeliveredRecord>();
    versions.set(record.Version, record);
    byTicker.set(record.TickerName, versions);
    counts.set(record.TickerName, (counts.get(record.TickerName) ?? 0) + 1);
  }
  const series = new Map<string, TickerSeries>();
  for (const [ticker, versions] of byTicker) {
    const sorted = [...versions.keys()].sort((a, b) => a - b);
    const gaps: number[] = [];
    for (let i = 1; i < sorted.length; i++)
      for (let v = sorted[i - 1]! + 1; v < sorted[i]!; v++) gaps.push(v);
    series.set(ticker, {
      ticker,
      versions: sorted,
      prices: sorted.map((v) => versions.get(v)!.Price),
      records: counts.get(ticker)!,
      gaps,
    });
  }
  return series;
}

/** What is still wrong with the window: empty once every ticker advanced without gaps. */
export function smokeProblems(
  tickers: readonly string[],
  series: ReadonlyMap<string, TickerSeries>,
  malformed: readonly MalformedLine[],
): string[] {
  const problems: string[] = [];
  for (const bad of malformed.slice(0, 5))
    problems.push(`malformed record in ${bad.key} line ${bad.line}: ${bad.problem}`);
  if (malformed.length > 5) problems.push(`${malformed.length - 5} more malformed record(s)`);
  const missing = tickers.filter((name) => !series.has(name));
  if (missing.length > 0) problems.push(`no records yet for ${missing.join(', ')}`);
  for (const name of tickers) {
    const one = series.get(name);
    if (!one) continue;
    if (one.versions.length < 2)
      problems.push(
        `${name} has only version ${one.versions[0]} so far; waiting for it to advance`,
      );
    if (one.gaps.length > 0) problems.push(`${name} skipped version(s) ${one.gaps.join(', ')}`);
  }
  return problems;
}

/**
 * A Mermaid line chart of each ticker's price over the window, one line per ticker. Versions are
 * the x axis: they advance together, one per tick, and need no time parsing in the chart.
 */
export function priceChart(series: readonly TickerSeries[]): string {
  const length = Math.max(0, ...series.map((s) => s.prices.length));
  const all = series.flatMap((s) => s.prices);
  if (length === 0 || all.length === 0) return '';
  const low = Math.min(...all);
  const high = Math.max(...all);
  const pad = Math.max((high - low) * 0.05, 0.01);
  return [
    '```mermaid',
    'xychart-beta',
    '  title "Prices over the smoke window"',
    `  x-axis "tick" 1 --> ${Math.max(length, 2)}`,
    `  y-axis "price" ${(low - pad).toFixed(2)} --> ${(high + pad).toFixed(2)}`,
    ...series.map((s) => `  line [${s.prices.map((p) => p.toFixed(2)).join(', ')}]`),
    '```',
  ].join('\n');
}
