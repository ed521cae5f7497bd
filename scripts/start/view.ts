// The live view of `npm start`: pure functions from a snapshot of the pipeline to lines of text,
// so that what the terminal shows is tested without a terminal.

/** What one ticker looks like now, and the prices it had before. */
export interface TickerView {
  name: string;
  price: number;
  version: number;
  /** Prices seen, oldest first, ending with `price`. */
  history: readonly number[];
}

/** An alert email found in the outbox. */
export interface AlertView {
  file: string;
  subject: string;
}

/** Everything the view shows at one moment. */
export interface Snapshot {
  stack: string;
  endpoint: string;
  bucket: string;
  /** Seconds between ticks, as run. */
  every: number;
  /** Ticks seen since start. */
  ticks: number;
  tickers: readonly TickerView[];
  objects: number;
  records: number;
  lastKey?: string;
  alerts: readonly AlertView[];
  /** Folder the alert emails are written to. */
  outbox: string;
}

/** The width the view is laid out for: the smallest common terminal. */
export const VIEW_WIDTH = 80;

const BLOCKS = '▁▂▃▄▅▆▇█';

/** How many recent prices a sparkline shows. */
export const SPARKLINE_LENGTH = 16;

/**
 * Draws the last `length` values as Unicode block characters from the lowest (`▁`) to the
 * highest (`█`); flat values sit at the bottom.
 */
export function sparkline(values: readonly number[], length = SPARKLINE_LENGTH): string {
  const shown = values.slice(-length);
  if (shown.length === 0) return '';
  const low = Math.min(...shown);
  const high = Math.max(...shown);
  const span = high - low;
  return shown
    .map((value) =>
      span === 0 ? BLOCKS[0] : BLOCKS[Math.round(((value - low) / span) * (BLOCKS.length - 1))],
    )
    .join('');
}

/** Cuts text to `width` characters (code points), ending in `…` when anything was cut. */
export function fit(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** Pads (or cuts) text to exactly `width` characters. */
function column(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = fit(text, width);
  const pad = ' '.repeat(Math.max(0, width - [...cut].length));
  return align === 'left' ? cut + pad : pad + cut;
}

/** A price with two decimals and thousands separators, as the tickers are priced. */
export function formatPrice(price: number): string {
  return price.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** The change from the previous price: `+1.23 (+1.2%)`, or blank for a ticker's first price. */
export function formatChange(history: readonly number[]): string {
  if (history.length < 2) return '';
  const last = history[history.length - 1]!;
  const before = history[history.length - 2]!;
  const change = last - before;
  const sign = change > 0 ? '+' : change < 0 ? '-' : '±';
  const percent = before === 0 ? '' : ` (${sign}${Math.abs((change / before) * 100).toFixed(1)}%)`;
  return `${sign}${formatPrice(Math.abs(change))}${percent}`;
}

/** One ticker's row: name, price, change, sparkline and version, in 80 columns. */
export function tickerRow(ticker: TickerView, width = VIEW_WIDTH): string {
  const row = [
    column(ticker.name, 14),
    column(formatPrice(ticker.price), 14, 'right'),
    column(formatChange(ticker.history), 18, 'right'),
    column(sparkline(ticker.history), SPARKLINE_LENGTH),
    `v${ticker.version}`,
  ].join('  ');
  return fit(row, width);
}

/** The whole live view, one string per line, none wider than `width`. */
export function renderView(snapshot: Snapshot, width = VIEW_WIDTH): string[] {
  const lines = [
    `${snapshot.stack}  tick ${snapshot.ticks}, every ${snapshot.every} s  (Ctrl-C stops)`,
    '',
    [
      column('ticker', 14),
      column('price', 14, 'right'),
      column('change', 18, 'right'),
      column('recent', SPARKLINE_LENGTH),
      'version',
    ].join('  '),
    ...snapshot.tickers.map((ticker) => tickerRow(ticker, width)),
    '',
    `s3://${snapshot.bucket}: ${counted(snapshot.objects, 'object')}, ${counted(snapshot.records, 'record')}`,
    `  last: ${snapshot.lastKey ?? '(none yet: Firehose buffers, then writes)'}`,
    `alerts in ${snapshot.outbox}: ${snapshot.alerts.length}`,
    ...snapshot.alerts.slice(-3).map((alert) => `  ${alert.subject}`),
    '',
    ...readHint(snapshot.endpoint, snapshot.bucket),
  ];
  return lines.map((line) => fit(line, width));
}

/** `1 object`, `2 objects`: a count with its noun. */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * How to list the delivered objects from another terminal. Split with backslashes so that it
 * fits 80 columns and still pastes into a shell whole; dummy keys, since the AWS CLI will not send
 * a request without keys and local AWS takes any.
 */
export function readHint(endpoint: string, bucket: string): string[] {
  return [
    'From another terminal (any keys will do):',
    '  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \\',
    `  aws --endpoint-url ${endpoint} s3 ls --recursive \\`,
    `    s3://${bucket}/`,
  ];
}

/** `--plain`: one line per tick, for logs and pipes. */
export function plainTickLine(snapshot: Snapshot): string {
  const tickers = snapshot.tickers
    .map((ticker) => `${ticker.name} ${formatPrice(ticker.price)} v${ticker.version}`)
    .join(', ');
  return (
    `tick ${snapshot.ticks}: ${tickers}; s3: ${counted(snapshot.objects, 'object')}, ${counted(snapshot.records, 'record')}` +
    `; alerts: ${snapshot.alerts.length}`
  );
}

/**
 * What to write to redraw the view in place: the cursor goes up over the `previous` frame's
 * lines, each line is rewritten and cleared to its end, and anything below is cleared.
 */
export function redrawFrame(lines: readonly string[], previous: number): string {
  const up = previous > 0 ? `\x1b[${previous}F` : '';
  return `${up}${lines.map((line) => `${line}\x1b[K\n`).join('')}\x1b[J`;
}
