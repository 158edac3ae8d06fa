import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ): 100 on every Linux we run on. */
const TICKS_PER_SECOND = 100;

/** utime + stime, in ms, of one /proc stat line (the fields after the command name, which may hold spaces). */
export function statCpuMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5) are utime and stime; the slice starts at field 3 (state).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** CPU time (user + system, every thread) a process has used so far, in ms; 0 for a process that is gone. */
export function processCpuMs(pid: number): number {
  try {
    return statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return 0;
  }
}

export interface ThreadCpu {
  /** The thread's name (/proc/<pid>/task/<tid>/comm): "node" for Node's own, "tokio-runtime-w" for the Temporal core's. */
  comm: string;
  ms: number;
}

/** CPU time of each thread of a process so far, by thread id (the main thread's id is the pid). */
export function threadCpuMs(pid: number): Map<number, ThreadCpu> {
  const threads = new Map<number, ThreadCpu>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      threads.set(Number(tid), { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ms: statCpuMs(stat) });
    } catch {
      // the thread ended while we looked
    }
  }
  return threads;
}

/** CPU each thread used between two threadCpuMs readings (a thread born meanwhile counts from 0). */
export function threadCpuDelta(before: Map<number, ThreadCpu>, after: Map<number, ThreadCpu>): Map<number, ThreadCpu> {
  const delta = new Map<number, ThreadCpu>();
  for (const [tid, { comm, ms }] of after) delta.set(tid, { comm, ms: ms - (before.get(tid)?.ms ?? 0) });
  return delta;
}
