import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';

export interface TimedRun<T> {
  /** Wall time of each task, by index; each task's result or error. */
  outcomes: Array<{ ms: number } & ({ ok: true; value: T } | { ok: false; error: unknown })>;
  /** From the first task's start to the last one's end. */
  elapsedMs: number;
  /** CPU time this process spent meanwhile (user + system, all threads: bcrypt's included). */
  cpuMs: number;
  /** CPU time the whole machine spent meanwhile: this process, the Temporal server, PostgreSQL, anything else. */
  machineCpuMs: number;
}

/** Busy CPU time of every core since boot, in ms. */
function machineBusyMs(): number {
  return cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0);
}

/** Runs task(0) .. task(n - 1), at most `concurrency` at a time, timing each; never rejects. */
export async function runConcurrently<T>(n: number, concurrency: number, task: (index: number) => Promise<T>): Promise<TimedRun<T>> {
  const outcomes: TimedRun<T>['outcomes'] = [];
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const index = next++;
      const startedAt = performance.now();
      try {
        const value = await task(index);
        outcomes[index] = { ms: performance.now() - startedAt, ok: true, value };
      } catch (error) {
        outcomes[index] = { ms: performance.now() - startedAt, ok: false, error };
      }
    }
  };
  const startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  const machineBefore = machineBusyMs();
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
  const cpu = process.cpuUsage(cpuBefore);
  return { outcomes, elapsedMs: performance.now() - startedAt, cpuMs: (cpu.user + cpu.system) / 1000, machineCpuMs: machineBusyMs() - machineBefore };
}
