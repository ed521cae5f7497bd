import type { Instance } from './instance.js';

/** How long an idle instance is kept warm before it is stopped (AWS keeps them minutes too). */
export const DEFAULT_IDLE_MS = 5 * 60 * 1000;

interface Slot {
  instance: Instance;
  /** The function revision and code it was started for: a change means a fresh instance. */
  revision: string;
  busy: boolean;
  /** Set when the function changed while this instance was busy: stop it once released. */
  drained?: boolean;
}

/**
 * Warm instances per function. An invocation takes an idle instance of the current revision or
 * starts one; overlapping invocations get more instances. Instances that died, timed out or belong
 * to an older revision are stopped; idle ones are reaped after `idleMs`.
 */
export class InstancePool {
  private readonly slots = new Map<string, Slot[]>();
  private readonly reaper: NodeJS.Timeout;

  constructor(private readonly idleMs = DEFAULT_IDLE_MS) {
    this.reaper = setInterval(() => this.reap(), Math.min(idleMs, 30_000)).unref();
  }

  /** An idle instance of this revision, or a new one from `start`. */
  acquire(
    functionKey: string,
    revision: string,
    start: () => Instance,
  ): { instance: Instance; cold: boolean } {
    const slots = this.slots.get(functionKey) ?? [];
    this.slots.set(functionKey, slots);
    const idle = slots.find(
      (slot) => !slot.busy && slot.revision === revision && slot.instance.alive,
    );
    if (idle) {
      idle.busy = true;
      return { instance: idle.instance, cold: false };
    }
    const slot = { instance: start(), revision, busy: true };
    slots.push(slot);
    return { instance: slot.instance, cold: true };
  }

  /** Returns an instance after an invocation; `keep: false` stops it (timeout, crash). */
  release(functionKey: string, instance: Instance, keep: boolean): void {
    const slots = this.slots.get(functionKey) ?? [];
    const slot = slots.find((candidate) => candidate.instance === instance);
    if (!slot) {
      instance.kill();
      return;
    }
    slot.busy = false;
    if (!keep || !instance.alive || slot.drained) this.remove(functionKey, slot);
  }

  /** Stops a function's instances (idle now, busy ones when they are released). */
  drain(functionKey: string): void {
    const slots = this.slots.get(functionKey) ?? [];
    for (const slot of [...slots]) {
      if (slot.busy) slot.drained = true;
      else this.remove(functionKey, slot);
    }
  }

  /** How many instances a function has, busy or idle. */
  count(functionKey: string): number {
    return this.slots.get(functionKey)?.length ?? 0;
  }

  private remove(functionKey: string, slot: Slot): void {
    slot.instance.kill();
    const slots = this.slots.get(functionKey) ?? [];
    slots.splice(slots.indexOf(slot), 1);
    if (slots.length === 0) this.slots.delete(functionKey);
  }

  /** Stops instances idle for longer than `idleMs`. */
  reap(now = Date.now()): void {
    for (const [functionKey, slots] of this.slots) {
      for (const slot of [...slots]) {
        if (!slot.busy && (now - slot.instance.lastUsed > this.idleMs || !slot.instance.alive)) {
          this.remove(functionKey, slot);
        }
      }
    }
  }

  /** Stops every instance. */
  close(): void {
    clearInterval(this.reaper);
    for (const [functionKey, slots] of this.slots) {
      for (const slot of [...slots]) this.remove(functionKey, slot);
    }
  }
}
