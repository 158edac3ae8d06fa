import { PROVISIONING_STEPS } from '../../src/contracts/tenant-creation';
import type { BcryptCeiling } from './bcrypt-ceiling';
import type { DirectPhaseResult } from './direct-phase';
import type { PoolFigures } from './pool-monitor';
import { round } from '../lib/stats';
import { statementRange } from './step-summary';
import { RSS_WARM_TENANTS, type WorkerPhaseResult } from './worker-phase';
import type { OffboardingPhaseResult } from '../offboarding/offboarding-phase';
import type { WorkerCountResult } from './worker-processes-phase';
import { formatProfileSplit, type WorkerProfileSplit } from './worker-profile';

/** One run of `npm run bench`: what was measured, on what, with which settings. Figures only, never a secret. */
export interface BenchReport {
  benchmark: 'provisioning';
  startedAt: string;
  commit: string;
  machine: { cpus: number; uvThreadpoolSize: number; node: string };
  sources: { postgres: string; temporal: string };
  settings: {
    n: number;
    concurrency: number;
    bcryptCost: number;
    unloadedN: number;
    pin: boolean;
    eagerActivities: boolean;
    /** --workers 1,2,3: the loaded run again with that many worker processes, one run per count. */
    workerCounts: number[];
    /** --profile: the loaded run again with one worker process under --cpu-prof, split by category. */
    profile: boolean;
    poolSize: number;
    maxConcurrentActivities: number;
  };
  bcryptCeiling: BcryptCeiling;
  direct: DirectPhaseResult;
  worker: WorkerPhaseResult;
  /** With --pin: the worker alone on core 0, the servers on the others, and the bcrypt ceiling of core 0. */
  pinned?: { cores: { worker: string; servers: string }; bcryptCeiling: BcryptCeiling; worker: WorkerPhaseResult };
  ratios: {
    /** Tenants per second through Temporal over bcrypt hashes per second: 1 means bcrypt is the only limit. */
    throughputToBcryptCeiling: number;
    /** End-to-end p50 through Temporal over the p50 of the same operations called directly, both at concurrency C. */
    p50ToDirectP50: number;
    /** bcrypt's CPU per hash over the worker process's CPU per tenant: 1 means the worker costs nothing but the hash. */
    workerEfficiency: number;
    /** Unloaded (concurrency 1) p50 through Temporal over the unloaded direct p50. */
    latencyRatio: number;
    /** With --pin: tenants/s of the worker alone on one core over the bcrypt ceiling of that core; else null. */
    pinnedRatio: number | null;
    /** RSS growth from the first RSS_WARM_TENANTS tenants to the end ((after - warm) / warm); null when N < 2 x that. */
    rssGrowth: number | null;
  };
  /** With --workers: the loaded run with 1, 2, 3... worker processes (same N, same concurrency C). */
  workerProcesses?: WorkerCountResult[];
  /** With --profile: where one worker process's CPU went during the loaded run. */
  profile?: WorkerProfileSplit;
  /** Export, verification and deletion throughput (rows/s) and the export's peak RSS, per tenant size (--offboarding-rows). */
  offboarding?: OffboardingPhaseResult;
}

export function ratios(bcrypt: BcryptCeiling, direct: DirectPhaseResult, worker: WorkerPhaseResult, pinned?: BenchReport['pinned']): BenchReport['ratios'] {
  const { afterWarm, after } = worker.rssMiB;
  return {
    throughputToBcryptCeiling: round(worker.tenantsPerSecond / bcrypt.hashesPerSecond),
    p50ToDirectP50: round(worker.latencyMs.p50 / direct.latencyMs.p50),
    workerEfficiency: round(bcrypt.cpuMsPerHash.process / worker.cpuMsPerTenant.process),
    latencyRatio: round(worker.unloadedLatencyMs.p50 / direct.unloadedLatencyMs.p50),
    pinnedRatio: pinned ? round(pinned.worker.tenantsPerSecond / pinned.bcryptCeiling.hashesPerSecond) : null,
    rssGrowth: afterWarm !== undefined && worker.provisionings >= 2 * RSS_WARM_TENANTS ? round((after - afterWarm) / afterWarm) : null,
  };
}

const pad = (cells: Array<string | number>, first = 22, rest = 11) =>
  cells.map((c, i) => (i === 0 ? String(c).padEnd(first) : String(c).padStart(rest))).join(' ');

const poolLine = (p: PoolFigures) =>
  `peak in use ${p.peakInUse}/${p.size}, ${p.waited} of ${p.acquires} acquires waited (peak ${p.peakWaiting} waiting), ${p.acquireTimeouts} acquire timeouts`;

const breakdownLine = (b: WorkerPhaseResult['unloadedBreakdownMs']) =>
  `workflow tasks waiting ${b.workflowTaskWaitMs} ms + running ${b.workflowTaskRunMs} ms, activities waiting ${b.activityWaitMs} ms + running ${b.activityRunMs} ms, ` +
  `server gaps ${b.serverGapsMs} ms, client outside the history (start RPC, result poll) ${b.clientOutsideHistoryMs} ms`;

/** The human summary: throughput, latency, the bcrypt ceiling, the ratios, then per step and the pool. */
export function formatSummary(r: BenchReport): string {
  const { settings: s, worker: w, direct: d, bcryptCeiling: b } = r;
  const lines = [
    `provisioning benchmark: ${s.n} tenants at concurrency ${s.concurrency}, bcrypt cost ${s.bcryptCost}, pool ${s.poolSize}, ` +
      `${r.machine.cpus} CPUs, libuv threadpool ${r.machine.uvThreadpoolSize}, commit ${r.commit}`,
    `PostgreSQL: ${r.sources.postgres}; Temporal: ${r.sources.temporal}`,
    pad(['', 'tenants/s', 'p50', 'p95', 'p99', 'CPU process', 'CPU machine', 'failed']),
    pad(['through Temporal', w.tenantsPerSecond, `${w.latencyMs.p50} ms`, `${w.latencyMs.p95} ms`, `${w.latencyMs.p99} ms`, `${w.cpuMsPerTenant.process} ms`, `${w.cpuMsPerTenant.machine} ms`, w.failed]),
    pad(['direct (no Temporal)', d.tenantsPerSecond, `${d.latencyMs.p50} ms`, `${d.latencyMs.p95} ms`, `${d.latencyMs.p99} ms`, `${d.cpuMsPerTenant.process} ms`, `${d.cpuMsPerTenant.machine} ms`, d.failed]),
    `bcrypt ceiling: ${b.hashesPerSecond} hashes/s at cost ${b.cost} with ${b.concurrency} in flight ` +
      `(median hash ${b.medianHashMs} ms; CPU per hash ${b.cpuMsPerHash.process} ms, machine ${b.cpuMsPerHash.machine} ms; ${b.hashes} hashes)`,
    'CPU per tenant: this process (the worker or the direct calls, bcrypt included) and the whole machine (+ Temporal server, PostgreSQL, others)',
    `throughput / bcrypt ceiling: ${r.ratios.throughputToBcryptCeiling}; p50 / direct p50: ${r.ratios.p50ToDirectP50}`,
    `workerEfficiency ${r.ratios.workerEfficiency} (bcrypt CPU per hash ${b.cpuMsPerHash.process} ms / worker process CPU per tenant ${w.cpuMsPerTenant.process} ms); ` +
      `latencyRatio ${r.ratios.latencyRatio} (unloaded p50 ${w.unloadedLatencyMs.p50} ms through Temporal / ${d.unloadedLatencyMs.p50} ms direct); ` +
      `pinnedRatio ${r.ratios.pinnedRatio ?? 'n/a (--pin)'}; rssGrowth ${r.ratios.rssGrowth ?? `n/a (N < ${2 * RSS_WARM_TENANTS})`}`,
    `unloaded provisioning, where the time goes (medians): ${breakdownLine(w.unloadedBreakdownMs)}`,
    ...(r.pinned
      ? [
          `pinned (worker on core ${r.pinned.cores.worker}, servers on ${r.pinned.cores.servers}): ${r.pinned.worker.tenantsPerSecond} tenants/s, ` +
            `bcrypt ceiling of that core ${r.pinned.bcryptCeiling.hashesPerSecond} hashes/s, worker CPU per tenant ${r.pinned.worker.cpuMsPerTenant.process} ms`,
        ]
      : []),
    pad(['step (worker | direct)', 'statements', 'db median', 'db p95', 'wall median', 'wall p95']),
  ];
  for (const step of PROVISIONING_STEPS) {
    for (const [label, x] of [[`${step}`, w.steps[step]], ['  direct', d.steps[step]]] as const) {
      lines.push(pad([label, statementRange(x), `${x.dbMedianMs} ms`, `${x.dbP95Ms} ms`, `${x.wallMedianMs} ms`, `${x.wallP95Ms} ms`]));
    }
  }
  if (r.workerProcesses) lines.push(...formatWorkerCounts(r.workerProcesses, s.concurrency));
  if (r.profile) lines.push(...formatProfileSplit(r.profile));
  lines.push(
    `statements per tenant: worker ${w.statementsPerTenant.median} (max ${w.statementsPerTenant.max}; the run-record upserts included), direct ${d.statementsPerTenant}`,
    `pool, worker: ${poolLine(w.pool)}`,
    `pool, direct: ${poolLine(d.pool)}`,
    `RSS of the process hosting the worker: ${w.rssMiB.before} MiB before, ${w.rssMiB.afterWarm ?? '-'} MiB after ${RSS_WARM_TENANTS} tenants, ${w.rssMiB.after} MiB after; retried activity attempts: ${w.retriedAttempts}`,
  );
  return lines.join('\n');
}

function formatWorkerCounts(results: readonly WorkerCountResult[], concurrency: number): string[] {
  return [
    `worker processes (--workers; from source, each with its own pool; concurrency ${concurrency} for every count):`,
    pad(['workers', 'tenants/s', 'scaling', 'p50', 'CPU/tenant', 'per process', 'failed']),
    ...results.map((x) =>
      pad([String(x.workers), x.tenantsPerSecond, x.scaling, `${x.latencyMs.p50} ms`, `${x.cpuMsPerTenant} ms`, x.cpuMsPerTenantByProcess.join(' + '), x.failed]),
    ),
  ];
}

/** The row bench/README.md keeps for this run. */
export function readmeRow(r: BenchReport): string {
  const { settings: s, worker: w } = r;
  return `| ${r.startedAt.slice(0, 16).replace('T', ' ')} | ${r.commit} | ${s.n} | ${s.concurrency} | ${s.bcryptCost} | ${w.tenantsPerSecond} | ${w.latencyMs.p50} / ${w.latencyMs.p95} / ${w.latencyMs.p99} | ${r.bcryptCeiling.hashesPerSecond} | ${r.ratios.throughputToBcryptCeiling} | ${r.ratios.p50ToDirectP50} | ${w.pool.peakInUse}/${w.pool.size}, ${w.pool.waited} waited, ${w.pool.acquireTimeouts} timeouts | ${w.rssMiB.before} → ${w.rssMiB.after} | ${w.cpuMsPerTenant.machine} / ${r.direct.cpuMsPerTenant.machine} / ${r.bcryptCeiling.cpuMsPerHash.machine} |`;
}
