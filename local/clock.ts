/**
 * Local AWS's sense of time. At scale 1 it is the wall clock. At scale n every duration a service
 * waits (a schedule's period, a Firehose buffer interval, a Lambda retry delay, a visibility
 * timeout) passes n times faster, so a demo sees a one-minute schedule fire every second without a
 * changed template. Services take durations in the units AWS documents and let the clock scale them.
 */
export class Clock {
  /** Real time at which the scaled clock started, and the scaled time it started from (equal). */
  private readonly origin: number;

  constructor(
    readonly scale = 1,
    private readonly realNow: () => number = Date.now,
  ) {
    if (!Number.isFinite(scale) || scale <= 0) {
      throw new RangeError(`time scale must be a positive number, not ${scale}`);
    }
    this.origin = realNow();
  }

  /**
   * The scaled time in epoch milliseconds: it starts at the wall clock and runs `scale` times
   * faster. Use it for "when is the next cron firing" and for ages (event age, message age).
   */
  now(): number {
    return this.origin + (this.realNow() - this.origin) * this.scale;
  }

  /** Real milliseconds that `ms` scaled milliseconds take. */
  real(ms: number): number {
    return ms / this.scale;
  }

  /** `setTimeout` for a scaled delay; the timer does not keep the process alive. */
  setTimeout(callback: () => void, ms: number): NodeJS.Timeout {
    return setTimeout(callback, Math.max(0, this.real(ms))).unref();
  }

  /** Resolves after a scaled delay. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }
}
