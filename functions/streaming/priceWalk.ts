import { MAX_PRICE_CENTS } from '../../lib/config/limits.js';

/** Largest move of one tick, as a share of the price: small enough to look like a market. */
export const MAX_MOVE_FRACTION = 0.01;

/**
 * Moves a price given in whole cents by a random amount of at most 1 % (at least one cent), and
 * keeps it between one cent and `maxCents` by reflecting a move that would leave that range.
 * Working in cents keeps every price at two decimal places with no floating-point drift.
 */
export function movePriceCents(
  cents: number,
  random: () => number,
  maxCents: number = MAX_PRICE_CENTS,
): number {
  const span = Math.max(1, Math.round(cents * MAX_MOVE_FRACTION));
  let move = Math.round((random() * 2 - 1) * span);
  if (move === 0) move = random() < 0.5 ? -1 : 1;
  const next = cents + move;
  if (next < 1) return cents + Math.abs(move);
  return next > maxCents ? cents - Math.abs(move) : next;
}

/** Converts a price to whole cents; a price below one cent counts as one cent so it stays positive. */
export function toCents(price: number): number {
  return Math.max(1, Math.round(price * 100));
}
