import { afterEach, describe, expect, it } from 'vitest';
import type { Instance } from '../../local/lambda/instance.js';
import { InstancePool } from '../../local/lambda/pool.js';

/** Stands in for a child process: the pool only reads `alive` and `lastUsed` and calls `kill`. */
function fakeInstance(lastUsed = Date.now()) {
  const fake = {
    alive: true,
    lastUsed,
    killed: false,
    kill() {
      fake.alive = false;
      fake.killed = true;
    },
  };
  return fake;
}

const pools: InstancePool[] = [];
function pool(idleMs = 60_000): InstancePool {
  const created = new InstancePool(idleMs);
  pools.push(created);
  return created;
}
afterEach(() => pools.splice(0).forEach((p) => p.close()));

describe('InstancePool', () => {
  it('hands a released instance to the next invocation of the same revision', () => {
    const instances = pool();
    const first = fakeInstance();
    const acquired = instances.acquire('fn', 'r1', () => first as unknown as Instance);
    instances.release('fn', acquired.instance, true);

    const again = instances.acquire('fn', 'r1', () => fakeInstance() as unknown as Instance);

    expect(acquired.cold).toBe(true);
    expect(again).toEqual({ instance: first, cold: false });
  });

  it('starts another instance while the first is busy', () => {
    const instances = pool();
    instances.acquire('fn', 'r1', () => fakeInstance() as unknown as Instance);

    const second = instances.acquire('fn', 'r1', () => fakeInstance() as unknown as Instance);

    expect(second.cold).toBe(true);
    expect(instances.count('fn')).toBe(2);
  });

  it('stops an instance released after a timeout or crash', () => {
    const instances = pool();
    const crashed = fakeInstance();
    instances.acquire('fn', 'r1', () => crashed as unknown as Instance);

    instances.release('fn', crashed as unknown as Instance, false);

    expect(crashed.killed).toBe(true);
    expect(instances.count('fn')).toBe(0);
  });

  it('does not reuse an instance of an older revision', () => {
    const instances = pool();
    const old = fakeInstance();
    instances.acquire('fn', 'r1', () => old as unknown as Instance);
    instances.release('fn', old as unknown as Instance, true);

    const fresh = instances.acquire('fn', 'r2', () => fakeInstance() as unknown as Instance);

    expect(fresh.cold).toBe(true);
  });

  it('stops a busy instance of a drained function once it is released', () => {
    const instances = pool();
    const busy = fakeInstance();
    instances.acquire('fn', 'r1', () => busy as unknown as Instance);

    instances.drain('fn');
    const killedWhileBusy = busy.killed;
    instances.release('fn', busy as unknown as Instance, true);

    expect(killedWhileBusy).toBe(false);
    expect(busy.killed).toBe(true);
  });

  it('reaps instances idle for longer than the idle time', () => {
    const instances = pool(1000);
    const idle = fakeInstance(0);
    instances.acquire('fn', 'r1', () => idle as unknown as Instance);
    instances.release('fn', idle as unknown as Instance, true);
    idle.lastUsed = 0;

    instances.reap(1001);

    expect(idle.killed).toBe(true);
    expect(instances.count('fn')).toBe(0);
  });
});
