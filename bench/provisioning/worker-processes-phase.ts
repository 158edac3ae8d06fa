import { CLI_FROM_SOURCE, startWorkerProcess, type CliCommand, type WorkerProcess } from '../../test/harness/worker-process';
import { tenantRequest } from '../../test/harness/tenant-requests';
import { runConcurrently, type TimedRun } from '../lib/concurrently';
import { processCpuMs, threadCpuDelta, threadCpuMs, type ThreadCpu } from '../lib/process-cpu';
import { percentiles, round, type Percentiles } from '../lib/stats';
import type { ProvisioningStack } from '../lib/provisioning-stack';
import type { LoadShape } from './direct-phase';

/** One loaded run with `workers` `tenant-workflows worker` processes serving the task queue. */
export interface WorkerCountResult {
  workers: number;
  provisionings: number;
  failed: number;
  tenantsPerSecond: number;
  latencyMs: Percentiles;
  /** CPU time of all the worker processes (every thread, bcrypt's included) during the run, per provisioning. */
  cpuMsPerTenant: number;
  /** The same, per worker process: how evenly the task queue spread the work. */
  cpuMsPerTenantByProcess: number[];
  /** tenants/s here over tenants/s with the first count measured (1 worker when the counts start at 1). */
  scaling: number;
}

/** What a profiled run hands to its analysis: the window of the loaded run and each process's CPU in it. */
export interface LoadedWindow {
  /** CLOCK_MONOTONIC in µs (V8's profile timestamps use the same clock): the loaded run's start and end. */
  startUs: number;
  endUs: number;
  tenants: number;
  /** Per worker process: its pid, its CPU in the window, and each of its threads' (the main thread's tid is the pid). */
  processes: Array<{ pid: number; cpuMs: number; threads: Map<number, ThreadCpu> }>;
  /** Everything the worker processes printed during the window (their JSON log lines). */
  outputBytes: number;
  outputLines: number;
}

export interface WorkerProcessesOptions {
  /** Node flags for each worker process (e.g. --cpu-prof); none by default. */
  nodeFlags?: readonly string[];
  /** Called with the loaded run's window before the processes stop (their profiles are written as they exit). */
  onWindow?: (window: LoadedWindow) => void;
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

function cliWithNodeFlags(cli: CliCommand, flags: readonly string[]): CliCommand {
  const [node = process.execPath, ...rest] = cli.argv;
  return { ...cli, argv: [node, ...flags, ...rest] };
}

async function provision(stack: ProvisioningStack): Promise<void> {
  const handle = await stack.client.start(tenantRequest());
  await handle.result();
}

function countResult(workers: number, run: TimedRun<void>, cpuByProcess: number[]): Omit<WorkerCountResult, 'scaling'> {
  const succeeded = run.outcomes.filter((o) => o.ok);
  const n = run.outcomes.length;
  return {
    workers,
    provisionings: n,
    failed: n - succeeded.length,
    tenantsPerSecond: round(succeeded.length / (run.elapsedMs / 1000)),
    latencyMs: percentiles(succeeded.map((o) => o.ms)),
    cpuMsPerTenant: round(cpuByProcess.reduce((a, b) => a + b, 0) / n),
    cpuMsPerTenantByProcess: cpuByProcess.map((ms) => round(ms / n)),
  };
}

/**
 * The loaded run once with `workers` worker processes (from source, as the tests run them, each with
 * its own pool): start them, warm each one up, run N provisionings at concurrency C (the same C for
 * every count: the offered load stays the same, only the capacity serving it changes), stop them.
 */
async function runWithWorkers(stack: ProvisioningStack, load: LoadShape, workers: number, options: WorkerProcessesOptions): Promise<Omit<WorkerCountResult, 'scaling'>> {
  const cli = cliWithNodeFlags(CLI_FROM_SOURCE, options.nodeFlags ?? []);
  const processes: WorkerProcess[] = [];
  try {
    for (let i = 0; i < workers; i++) processes.push(await startWorkerProcess(stack.workerEnv, { cli }));
    await runConcurrently(Math.max(4, 2 * workers), workers, () => provision(stack)); // warm-up: every process's workflow cache and pool
    const pids = processes.map((p) => p.child.pid ?? 0);
    const before = pids.map(processCpuMs);
    const threadsBefore = pids.map(threadCpuMs);
    const outputBefore = processes.map((p) => p.output());
    const startUs = nowUs();
    const run = await runConcurrently(load.n, load.concurrency, () => provision(stack));
    const endUs = nowUs();
    const cpu = pids.map((pid, i) => processCpuMs(pid) - before[i]!);
    const threads = pids.map((pid, i) => threadCpuDelta(threadsBefore[i]!, threadCpuMs(pid)));
    const printed = processes.map((p, i) => p.output().slice(outputBefore[i]!.length));
    options.onWindow?.({
      startUs,
      endUs,
      tenants: load.n,
      processes: pids.map((pid, i) => ({ pid, cpuMs: cpu[i]!, threads: threads[i]! })),
      outputBytes: printed.reduce((sum, text) => sum + Buffer.byteLength(text), 0),
      outputLines: printed.reduce((sum, text) => sum + text.split('\n').filter((line) => line.trim() !== '').length, 0),
    });
    return countResult(workers, run, cpu);
  } finally {
    // SIGTERM: a clean exit, which is also when --cpu-prof writes its profiles.
    await Promise.all(processes.map((p) => p.stop('SIGTERM')));
  }
}

/** `--workers 1,2,3`: the loaded run once per worker-process count, with the throughput scaling against the first count. */
export async function runWorkerProcessesPhase(stack: ProvisioningStack, load: LoadShape, counts: readonly number[], options: WorkerProcessesOptions = {}): Promise<WorkerCountResult[]> {
  const results: WorkerCountResult[] = [];
  for (const workers of counts) {
    console.error(`measuring: ${load.n} provisionings at concurrency ${load.concurrency} with ${workers} worker process${workers === 1 ? '' : 'es'}`);
    const result = await runWithWorkers(stack, load, workers, options);
    const base = results[0]?.tenantsPerSecond ?? result.tenantsPerSecond;
    results.push({ ...result, scaling: round(result.tenantsPerSecond / base) });
  }
  return results;
}
