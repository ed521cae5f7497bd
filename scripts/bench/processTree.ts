import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

/** Bytes of resident memory of every process in a process group, summed, from /proc. */
export async function groupRss(group: number): Promise<number> {
  let total = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command (which may hold spaces) start after its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== group) continue;
      const status = await readFile(`/proc/${entry}/status`, 'utf8');
      const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
      if (kib) total += Number(kib) * 1024;
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}

/** A command started in its own process group, with its peak memory sampled until it ends. */
export interface SampledProcess {
  child: ChildProcess;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Peak summed RSS of the group so far, in bytes. */
  peakBytes(): number;
  /** Stops sampling. */
  stopSampling(): void;
  /** Sends a signal to the whole group (as Ctrl-C in a terminal does). */
  signal(signal: NodeJS.Signals): void;
}

/** Starts `command` in a new process group and samples the group's memory every `everyMs`. */
export function spawnSampled(
  command: string,
  args: readonly string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    everyMs?: number;
    onLine?: (line: string) => void;
  },
): SampledProcess {
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let peak = 0;
  let sampling = true;
  const group = child.pid!;
  const sample = async () => {
    while (sampling) {
      peak = Math.max(peak, await groupRss(group));
      await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 100));
    }
  };
  void sample();
  let buffered = '';
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      options.onLine?.(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  void exited.then(() => (sampling = false));
  return {
    child,
    exited,
    peakBytes: () => peak,
    stopSampling: () => (sampling = false),
    signal: (signal) => {
      try {
        process.kill(-group, signal);
      } catch {
        // The group is gone already.
      }
    },
  };
}
