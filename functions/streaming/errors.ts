/** Thrown for `{"drill": true}`: a failure on purpose, so alerting can be tested without editing code. */
export class DrillError extends Error {
  override name = 'DrillError';
  constructor() {
    super('Drill: this invocation failed on purpose because its event says {"drill": true}');
  }
}

/** One ticker item that cannot be ticked, and which attribute is wrong. */
export interface MalformedItem {
  ticker: string;
  attribute: string;
  problem: string;
}

/** Thrown after the other tickers were committed and delivered, naming every item left untouched. */
export class MalformedItemsError extends Error {
  override name = 'MalformedItemsError';
  constructor(readonly items: readonly MalformedItem[]) {
    super(
      `${items.length} ticker item${items.length === 1 ? ' is' : 's are'} malformed and ` +
        `${items.length === 1 ? 'was' : 'were'} left unchanged (the other tickers were ticked and delivered): ` +
        items.map((item) => `${item.ticker}: ${item.attribute} ${item.problem}`).join('; '),
    );
  }
}

/** Thrown when a ticker could not be written: too many overlapping writers, or DynamoDB refused. */
export class TickerWriteError extends Error {
  override name = 'TickerWriteError';
  constructor(
    readonly ticker: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${ticker}: ${message}`, options);
  }
}

/** Thrown when Firehose still refused records after every retry; says whether a retry can re-deliver them. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    readonly undeliveredLines: number,
    readonly errorCodes: readonly string[],
    options?: { cause?: unknown; hint?: string },
  ) {
    super(
      `${undeliveredLines} committed change${undeliveredLines === 1 ? ' was' : 's were'} not delivered ` +
        `to Firehose (${errorCodes.join(', ') || 'unknown error'})${options?.hint ? `; ${options.hint}` : ''}`,
      options,
    );
  }
}

/** Thrown when a tick failed in more than one way; `errors` holds each. */
export class TickFailedError extends Error {
  override name = 'TickFailedError';
  constructor(readonly errors: readonly Error[]) {
    super(errors.map((error) => `${error.name}: ${error.message}`).join('\n'));
  }
}
