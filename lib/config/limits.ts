// Limits shared by the config and the streaming function, kept free of imports so the function's
// bundle takes only these numbers.

/**
 * Highest ticker price. Prices are whole cents; up to a billion (10^11 cents) every price keeps
 * its two decimals exactly as a JavaScript number and as a DynamoDB number, with room to spare
 * below 15 significant digits (beyond that, cents are no longer exact), and its stored form stays
 * short enough for a ticker item to fit one DynamoDB write unit.
 */
export const MAX_PRICE = 1_000_000_000;

/** {@link MAX_PRICE} in cents, the unit the streaming function moves prices in. */
export const MAX_PRICE_CENTS = MAX_PRICE * 100;

/**
 * Longest ticker name, in UTF-8 bytes. DynamoDB would take 2,048, but the name is stored on every
 * ticker item, and an item must stay under 1 KB to cost one write unit a tick.
 */
export const MAX_TICKER_NAME_BYTES = 64;

/** Whether a number has at most two decimal places, exactly (prices are in cents). */
export function hasAtMostTwoDecimals(value: number): boolean {
  // Exact for any double: the value is the nearest double to some whole number of cents.
  return Math.round(value * 100) / 100 === value;
}

/** The nearest valid price to `value` (two decimals, at least one cent), to suggest in errors. */
export function nearestPrice(value: number): string {
  return (Math.max(1, Math.round(value * 100)) / 100).toFixed(2);
}
