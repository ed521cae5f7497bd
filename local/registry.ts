/** How one service is started (its module imported, built, its state read) and closed. */
export interface ServiceLoader<T> {
  start(): Promise<T>;
  close?(service: T): Promise<void>;
}

/** Thrown when a service is asked for after it was closed (local AWS is stopping). */
export class LocalAwsStoppingError extends Error {
  override name = 'LocalAwsStoppingError';
}

/**
 * Services started on first use: the first request routed to one, or the first in-process use by
 * another, imports its module and reads its state; concurrent first uses share that one start.
 * Only what started is closed, so a run that used two services pays for two.
 */
export class ServiceRegistry<M extends object> {
  private readonly starting = new Map<keyof M, Promise<unknown>>();
  private readonly ready = new Map<keyof M, unknown>();
  private readonly closed = new Set<keyof M>();

  constructor(private readonly loaders: { readonly [K in keyof M]: ServiceLoader<M[K]> }) {}

  /** The service, started if this is its first use. */
  get<K extends keyof M>(name: K): Promise<M[K]> {
    let started = this.starting.get(name) as Promise<M[K]> | undefined;
    if (!started) {
      // Closing services may still need others (Firehose flushes to S3): only a closed one refuses.
      if (this.closed.has(name))
        return Promise.reject(
          new LocalAwsStoppingError(`local AWS is stopping: ${String(name)} is closed`),
        );
      const starting = this.loaders[name].start().then((service) => {
        if (this.starting.get(name) === starting) this.ready.set(name, service);
        return service;
      });
      started = starting;
      this.starting.set(name, started);
      // A failed start is not memoised: the next use tries again.
      started.catch(() => {
        if (this.starting.get(name) === started) this.starting.delete(name);
      });
    }
    return started;
  }

  /** The service if it has finished starting (the hot path then needs no await). */
  started<K extends keyof M>(name: K): M[K] | undefined {
    return this.ready.get(name) as M[K] | undefined;
  }

  /** The names of the services started (or starting), in the order they were first used. */
  names(): (keyof M)[] {
    return [...this.starting.keys()];
  }

  /** Closes one service if it started (after its start finishes); a failed start needs no close. */
  async close<K extends keyof M>(name: K): Promise<void> {
    this.closed.add(name);
    const started = this.starting.get(name) as Promise<M[K]> | undefined;
    if (!started) return;
    this.starting.delete(name);
    this.ready.delete(name);
    let service: M[K];
    try {
      service = await started;
    } catch {
      return;
    }
    await this.loaders[name].close?.(service);
  }
}
