import { describe, expect, it } from 'vitest';
import { LocalAwsStoppingError, ServiceRegistry } from '../../local/registry.js';

/** A registry of one service that counts its starts and closes, and can be made to fail. */
function counted(options: { failFirst?: boolean } = {}) {
  const calls = { starts: 0, closes: 0 };
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const registry = new ServiceRegistry<{ queue: { id: number }; other: { id: number } }>({
    queue: {
      start: async () => {
        calls.starts++;
        await gate;
        if (options.failFirst && calls.starts === 1) throw new Error('state unreadable');
        return { id: calls.starts };
      },
      close: async () => {
        calls.closes++;
      },
    },
    other: {
      start: async () => ({ id: 0 }),
      close: async () => {
        calls.closes++;
      },
    },
  });
  return { registry, calls, release };
}

describe('ServiceRegistry', () => {
  it('starts nothing until a service is first asked for', () => {
    const { registry, calls } = counted();

    expect(calls.starts).toBe(0);
    expect(registry.names()).toEqual([]);
    expect(registry.started('queue')).toBeUndefined();
  });

  it('shares one start among concurrent first uses', async () => {
    const { registry, calls, release } = counted();

    const uses = [registry.get('queue'), registry.get('queue'), registry.get('queue')];
    release();
    const services = await Promise.all(uses);

    expect(calls.starts).toBe(1);
    expect(new Set(services).size).toBe(1);
    expect(registry.started('queue')).toBe(services[0]);
  });

  it('tries a failed start again on the next use', async () => {
    const { registry, calls, release } = counted({ failFirst: true });
    release();

    await expect(registry.get('queue')).rejects.toThrow('state unreadable');
    const service = await registry.get('queue');

    expect(calls.starts).toBe(2);
    expect(service).toEqual({ id: 2 });
  });

  it('closes only what started', async () => {
    const { registry, calls, release } = counted();
    release();
    await registry.get('queue');

    await registry.close('queue');
    await registry.close('other');

    expect(calls.closes).toBe(1);
    expect(registry.names()).toEqual([]);
  });

  it('waits for a start under way before closing it', async () => {
    const { registry, calls, release } = counted();
    const starting = registry.get('queue');

    const closing = registry.close('queue');
    release();
    await Promise.all([starting, closing]);

    expect(calls.closes).toBe(1);
  });

  it('refuses to start a service again once it was closed', async () => {
    const { registry, release } = counted();
    release();
    await registry.close('queue');

    await expect(registry.get('queue')).rejects.toBeInstanceOf(LocalAwsStoppingError);
  });
});
