import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CPU_CATEGORIES, splitProfile, type CpuCategory, type CpuProfile, type CpuSplit } from '../lib/cpu-profile';
import { round } from '../lib/stats';
import type { LoadedWindow } from './worker-processes-phase';

/** One line of the split: a category's CPU per tenant and its share of the worker process's CPU. */
export interface ProfileShare {
  category: string;
  msPerTenant: number;
  /** Of the worker process's CPU in the loaded run, all threads. */
  share: number;
}

/** `--profile`: where one worker process's CPU went during the loaded run. */
export interface WorkerProfileSplit {
  tenants: number;
  /** The worker process's CPU (all threads, from /proc, the profiler's own threads left out) per tenant, and its main thread's. */
  workerCpuMsPerTenant: number;
  mainThreadCpuMsPerTenant: number;
  /** CPU per tenant of the profiler's own threads, left out of the split. */
  profilerCpuMsPerTenant: number;
  /** The libuv pool's CPU per tenant as /proc measured it (bcrypt's hash), beside the ceiling's CPU per hash. */
  bcrypt: { poolMsPerTenant: number | null; ceilingMsPerHash: number };
  /**
   * The main thread's sampled busy time over its CPU time: above 1 when the thread waited for a core
   * while it was sampled (a loaded machine). The workflow thread's sampled time is divided by it.
   */
  samplingInflation: number;
  split: ProfileShare[];
  /** What the worker printed per tenant (its JSON log lines at LOG_LEVEL). */
  logLinesPerTenant: number;
  logBytesPerTenant: number;
  /** Every thread that used CPU in the run, busiest first (per tenant): the raw figures the split is made of. */
  threads: Array<{ tid: number; comm: string; msPerTenant: number }>;
}

/** Threads the Temporal core (Rust: tokio, and its workflow-processing thread) runs on: /proc shows them by name; no JS profile sees them. */
const CORE_THREAD = /^(tokio-runtime|workflow-proces)/;
/** The profiler's own threads (--cpu-prof): its overhead, not the worker's; left out of the split. */
const PROFILER_THREAD = /^v8:Prof/;
/** V8's platform threads (GC and compiler helpers, --v8-pool-size): the first threads Node starts after the main one. */
const V8_PLATFORM_THREADS = 4;

/**
 * Node names none of its threads, so they are told apart by the order they started in (thread ids
 * grow): V8's platform threads first, then the libuv pool (started by the first async fs, DNS or
 * bcrypt call: bcrypt hashes there and little else runs there), and last of all the workflow thread,
 * which the SDK starts when the Worker is created (the last one that used CPU in the run). Undefined
 * when the process has too few threads to tell.
 */
function nodeThreadRoles(pid: number, threads: ReadonlyArray<[number, { comm: string; ms: number }]>): { platformMs: number; poolMs: number; workflowMs: number } | undefined {
  // A thread that did nothing in the run (one started after the workflow thread and idle) is neither.
  const node = threads.filter(([tid, t]) => tid !== pid && t.comm === 'node' && t.ms > 0).sort(([a], [b]) => a - b);
  if (node.length < V8_PLATFORM_THREADS + 2) return undefined;
  const sum = (list: typeof node) => list.reduce((total, [, t]) => total + t.ms, 0);
  return { platformMs: sum(node.slice(0, V8_PLATFORM_THREADS)), poolMs: sum(node.slice(V8_PLATFORM_THREADS, -1)), workflowMs: sum(node.slice(-1)) };
}

/** The profiles one process wrote: CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile, thread 0 the main thread. */
function profilesOf(dir: string, pid: number): { main?: CpuProfile; others: CpuProfile[] } {
  const found: { main?: CpuProfile; others: CpuProfile[] } = { others: [] };
  for (const file of readdirSync(dir)) {
    const match = /^CPU\.\d+\.\d+\.(\d+)\.(\d+)\.\d+\.cpuprofile$/.exec(file);
    if (!match || Number(match[1]) !== pid) continue;
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    if (match[2] === '0') found.main = profile;
    else found.others.push(profile);
  }
  return found;
}

const PER_THREAD_LABEL: Partial<Record<CpuCategory, string>> = { gc: 'gc (main thread)', program: 'program (main thread: V8, natives)', 'other js': 'other js (main thread: Node internals, our glue)' };

/**
 * The split, per tenant: the main thread's CPU (/proc) divided as its profile's busy samples are; the
 * Temporal core's threads (/proc, by name); the workflow thread and bcrypt's hash on the libuv pool
 * (/proc, told apart by start order, see nodeThreadRoles; else estimated: the workflow thread's busy
 * samples divided by the main thread's sampled/CPU ratio, and the ceiling's CPU per hash); and what
 * remains (V8's GC and compiler helper threads).
 */
export function workerProfileSplit(dir: string, window: LoadedWindow, bcryptCpuMsPerHash: number): WorkerProfileSplit {
  const [proc] = window.processes;
  if (!proc) throw new Error('--profile: no worker process was measured');
  const { main, others } = profilesOf(dir, proc.pid);
  if (!main) throw new Error(`--profile: no main-thread profile of worker ${proc.pid} in ${dir}`);
  const range = { fromUs: window.startUs, toUs: window.endUs };
  const mainSplit = splitProfile(main, range);
  const workflowSplits: CpuSplit[] = others.map((p) => splitProfile(p, range, 'workflow activation'));
  const n = window.tenants;
  const threads = [...proc.threads.entries()];
  const cpuOf = (pattern: RegExp) => threads.filter(([, t]) => pattern.test(t.comm)).reduce((sum, [, t]) => sum + t.ms, 0);
  const profilerMs = cpuOf(PROFILER_THREAD);
  const workerMs = proc.cpuMs - profilerMs;
  const mainMs = proc.threads.get(proc.pid)?.ms ?? 0;
  const coreMs = cpuOf(CORE_THREAD);
  const otherNodeThreadsMs = Math.max(0, workerMs - mainMs - coreMs);
  const roles = nodeThreadRoles(proc.pid, threads);
  const inflation = mainMs > 0 && mainSplit.busyMs > mainMs ? mainSplit.busyMs / mainMs : 1;
  // Measured per thread when the threads can be told apart; else the workflow thread's samples and the ceiling's CPU per hash.
  const workflowMs = roles?.workflowMs ?? Math.min(otherNodeThreadsMs, workflowSplits.reduce((sum, s) => sum + s.busyMs, 0) / inflation);
  const bcryptMs = roles?.poolMs ?? Math.min(otherNodeThreadsMs - workflowMs, bcryptCpuMsPerHash * n);
  const rows: Array<[string, number]> = [
    ['temporal sdk core (Rust threads)', coreMs],
    ...CPU_CATEGORIES.map((c): [string, number] => [
      PER_THREAD_LABEL[c] ?? `${c}${c === 'bcrypt (main thread)' ? '' : ' (main thread)'}`,
      mainSplit.busyMs > 0 ? (mainMs * mainSplit.ms[c]) / mainSplit.busyMs : 0,
    ]),
    ['workflow activation (workflow thread)', workflowMs],
    [roles ? 'bcrypt hash (libuv pool threads)' : 'bcrypt hash (libuv pool, estimated from the ceiling)', bcryptMs],
    ['other threads (V8 GC/compiler helpers)', otherNodeThreadsMs - workflowMs - bcryptMs],
  ];
  return {
    tenants: n,
    workerCpuMsPerTenant: round(workerMs / n),
    mainThreadCpuMsPerTenant: round(mainMs / n),
    profilerCpuMsPerTenant: round(profilerMs / n),
    samplingInflation: round(inflation),
    bcrypt: { poolMsPerTenant: roles ? round(roles.poolMs / n) : null, ceilingMsPerHash: bcryptCpuMsPerHash },
    split: rows.map(([category, ms]) => ({ category, msPerTenant: round(ms / n), share: workerMs > 0 ? round(ms / workerMs, 3) : 0 })),
    logLinesPerTenant: round(window.outputLines / n),
    logBytesPerTenant: round(window.outputBytes / n),
    threads: threads
      .filter(([, t]) => t.ms > 0)
      .sort(([, a], [, b]) => b.ms - a.ms)
      .map(([tid, t]) => ({ tid, comm: tid === proc.pid ? `${t.comm} (main)` : t.comm, msPerTenant: round(t.ms / n) })),
  };
}

/** The split as summary lines, largest first. */
export function formatProfileSplit(p: WorkerProfileSplit): string[] {
  return [
    `worker CPU profile (--profile, one worker process, ${p.tenants} tenants): ${p.workerCpuMsPerTenant} ms CPU per tenant, main thread ${p.mainThreadCpuMsPerTenant} ms ` +
      `(the profiler's threads, ${p.profilerCpuMsPerTenant} ms, left out; sampled/CPU time ${p.samplingInflation}); ` +
      `bcrypt: libuv pool ${p.bcrypt.poolMsPerTenant ?? '?'} ms per tenant, the ceiling's CPU per hash ${p.bcrypt.ceilingMsPerHash} ms; ` +
      `it printed ${p.logLinesPerTenant} log lines (${p.logBytesPerTenant} bytes) per tenant`,
    ...[...p.split]
      .sort((a, b) => b.msPerTenant - a.msPerTenant)
      .map((s) => `  ${s.category.padEnd(56)} ${String(s.msPerTenant).padStart(8)} ms/tenant ${(s.share * 100).toFixed(1).padStart(6)} %`),
    `  threads, ms/tenant: ${p.threads.map((t) => `${t.comm} ${t.msPerTenant}`).join(', ')}`,
  ];
}
